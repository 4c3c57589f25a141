// What the table of tag classes (tag-classes.ts) says, as the reports and the exit code ask it: the
// classes by kind and in the order of attention, a class by name, its words, whether it fails a
// run. Derived here, once, so that nothing else lists the classes.
import {
  type ClassName,
  type ClassRow,
  type FailOn,
  type NoteName,
  TAG_CLASSES,
  type TagStatus,
} from './tag-classes.js';

export type { ClassName, ClassRow, FailOn, NoteName, TagStatus };

const CLASSES: readonly ClassRow[] = TAG_CLASSES;

/** The rule every other one adds to: failed tags fail the run (fail-on's default). */
export const BASE_RULE: FailOn = 'failed';

/** Every class, in the table's order (the JSON report's, the action outputs'). */
export const ALL_CLASSES: readonly ClassRow[] = CLASSES;
/** The tag statuses, in the table's order. */
export const STATUSES = CLASSES.filter((c) => c.kind === 'tag').map((c) => c.name) as readonly TagStatus[];
/** The counts beside the tags (retained), in the table's order. */
export const NOTES = CLASSES.filter((c) => c.kind === 'note').map((c) => c.name) as readonly NoteName[];

/** A row of a class that is a tag's status. */
export type StatusRow = ClassRow & { readonly name: TagStatus };

export function isStatus(c: ClassRow): c is StatusRow {
  return c.kind === 'tag';
}

const BY_NAME = new Map(CLASSES.map((c) => [c.name, c]));

export function tagClass(name: ClassName): ClassRow {
  const found = BY_NAME.get(name);
  if (!found) throw new Error(`no tag class "${name}"`);
  return found;
}

/** Whether a tag of the class fails the run under the rule, in a sync or a dry run. */
export function failsRun(name: ClassName, failOn: FailOn, dryRun: boolean): boolean {
  const rules = tagClass(name).failsUnder;
  return (dryRun ? rules.dryRun : rules.sync).includes(failOn);
}

/** Fails the run under the default rule (failed tags): what the verdict calls failed. */
export function failsByDefault(c: ClassRow): boolean {
  return c.failsUnder.sync.includes(BASE_RULE) || c.failsUnder.dryRun.includes(BASE_RULE);
}

/** Fails a sync under some rule: what a fully successful run has none of. */
export function failsSomeSync(c: ClassRow): boolean {
  return c.failsUnder.sync.length > 0;
}

/** "would migrate" in a dry run, "migrated" otherwise. */
export function classWord(c: ClassRow, dryRun: boolean): string {
  return (dryRun && c.dryRunWord) || c.word;
}

/** The word as a heading or a column: "Would migrate", "Stale". */
export function classLabel(c: ClassRow, dryRun: boolean): string {
  const word = classWord(c, dryRun);
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** How much attention a class asks for: failing the run by default, needing action, what only
 * Harbor has now, the rest. */
function attention(c: ClassRow): number {
  if (failsByDefault(c)) return 3;
  if (c.needsAction) return 2;
  return c.kind === 'note' ? 1 : 0;
}

/** Every class, what needs a person first (the summary's sections, the by-repository columns);
 * the table's order within each rank. */
export const BY_ATTENTION: readonly ClassRow[] = CLASSES.map((c, i) => ({ c, i }))
  .sort((a, b) => attention(b.c) - attention(a.c) || a.i - b.i)
  .map(({ c }) => c);

/** The tag classes that fail the run by default (failed): what the verdict and progress call failed. */
export const FAILED_BY_DEFAULT: readonly StatusRow[] = BY_ATTENTION.filter(isStatus).filter(failsByDefault);

/** The tag classes that need a person without failing the run by default (stale, incomplete). */
export const NEED_ACTION: readonly StatusRow[] = BY_ATTENTION.filter(isStatus).filter((c) => c.needsAction);
