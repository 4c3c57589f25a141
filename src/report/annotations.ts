// What needs a person, as GitHub annotations on the job page and in the PR checks list: one error
// per class of failure (harbor-sync's errorCode at a step), one warning for the tags that need
// action (stale and incomplete: model/tag-classes.ts), one for the tags Harbor held broken (its
// storage lost content: worth a look even when the sync repaired them). GitHub shows 10 warning
// and 10 error annotations per step, in the order written, and drops the rest silently: this
// never asks for more than `limit` in all, folding what does not fit into the last error, which
// points at the job summary (it lists every tag).
// Pure: the action writes what this returns with core.error / core.warning.
import type { ErrorCode, Step } from '../errors/codes.js';
import { ERROR_CODES } from '../errors/codes.js';
import { NEED_ACTION, tagClass } from '../model/class-rules.js';
import type { SyncResult, TagResult } from '../model/result.js';
import { printable } from '../redact/text.js';
import { byText } from './order.js';
import { wordList } from './words.js';

export interface Annotation {
  level: 'error' | 'warning';
  /** Short: the PR checks list shows it on one line. */
  title: string;
  /** Count, the first items, and what to do. Several lines. */
  message: string;
}

export interface AnnotationOptions {
  /** At most this many annotations (GitHub shows 10 of each kind per step). */
  limit?: number;
  /** Items named per annotation before "… and N more". */
  firstItems?: number;
}

/** GitHub's per-step display limit. */
export const ANNOTATIONS_PER_STEP = 10;

const SEE_SUMMARY = 'Every tag is listed in the job summary and the JSON report.';

interface FailureClass {
  errorCode: ErrorCode;
  step: Step;
  items: TagResult[];
}

export function annotationsFor(result: SyncResult, options: AnnotationOptions = {}): Annotation[] {
  const limit = Math.max(0, options.limit ?? ANNOTATIONS_PER_STEP);
  const first = Math.max(1, options.firstItems ?? 5);
  const classes = failureClasses(result.items);
  const stale = result.items.filter((i) => tagClass(i.status).needsAction);
  const broken = result.items.filter((i) => i.status === 'broken');
  const warnings = [
    ...(stale.length > 0 ? [staleWarning(stale, first, result.dryRun)] : []),
    ...(broken.length > 0 ? [brokenWarning(broken, first, result.dryRun)] : []),
  ];
  // The warnings keep their place (another kind, and what a re-run will not fix or explain)
  // unless a single slot must speak for the failures.
  const shown = warnings.slice(0, Math.max(0, limit - (classes.length > 0 ? 1 : 0)));
  const errorSlots = limit - shown.length;
  const errors: Annotation[] = [];
  if (classes.length <= errorSlots) {
    for (const c of classes) errors.push(classError(c, first, result.dryRun));
  } else if (errorSlots > 0) {
    for (const c of classes.slice(0, errorSlots - 1)) errors.push(classError(c, first, result.dryRun));
    errors.push(collapsed(classes.slice(errorSlots - 1)));
  }
  return [...errors, ...shown];
}

/** Failed items grouped by errorCode and step, the largest class first (then by code, step). */
function failureClasses(items: TagResult[]): FailureClass[] {
  const byKey = new Map<string, FailureClass>();
  for (const item of items) {
    if (tagClass(item.status).listing !== 'causes') continue;
    const errorCode = item.error?.errorCode ?? 'INTERNAL';
    const step = item.error?.step ?? 'manifest';
    const key = `${errorCode} ${step}`;
    const found = byKey.get(key) ?? { errorCode, step, items: [] };
    found.items.push(item);
    byKey.set(key, found);
  }
  return [...byKey.values()].sort(
    (a, b) => b.items.length - a.items.length || byText(a.errorCode, b.errorCode) || byText(a.step, b.step),
  );
}

function tags(n: number): string {
  return `${n} ${n === 1 ? 'tag' : 'tags'}`;
}

function classError(c: FailureClass, first: number, dryRun: boolean): Annotation {
  const n = c.items.length;
  const items = sortedBySource(c.items);
  const lines = [
    `${tags(n)} failed at step ${c.step} with ${c.errorCode}: ${ERROR_CODES[c.errorCode] ?? c.errorCode}.`,
    ...items.slice(0, first).map((i) => `- ${itemName(i)}: ${failureText(i)}`),
    ...(n > first ? [`… and ${n - first} more.`] : []),
  ];
  const hint = items.find((i) => i.error?.hint)?.error?.hint;
  if (hint) lines.push(`What to do: ${printable(hint)}`);
  lines.push(
    dryRun ? 'A dry run: nothing was written to Harbor.' : 'Fix the cause and run again: only what is missing is done.',
  );
  lines.push(SEE_SUMMARY);
  return {
    level: 'error',
    title: `harbor-sync: ${tags(n)} ${dryRun ? 'would fail' : 'failed'} — ${c.errorCode} (${c.step})`,
    message: lines.join('\n'),
  };
}

function collapsed(rest: FailureClass[]): Annotation {
  const total = rest.reduce((n, c) => n + c.items.length, 0);
  return {
    level: 'error',
    title: `harbor-sync: ${tags(total)} failed in ${rest.length} more classes — see the job summary`,
    message: [
      `GitHub shows only ${ANNOTATIONS_PER_STEP} annotations per step; the other failures, by class:`,
      ...rest.map((c) => `- ${c.errorCode} (${c.step}): ${tags(c.items.length)}, e.g. ${itemName(c.items[0]!)}`),
      SEE_SUMMARY,
    ].join('\n'),
  };
}

function staleWarning(items: TagResult[], first: number, dryRun: boolean): Annotation {
  const what = wordList(
    NEED_ACTION.map((c) => [c, items.filter((i) => i.status === c.name).length] as const)
      .filter(([, n]) => n > 0)
      .map(([c, n]) => `${n} ${c.word}`),
  );
  const sorted = sortedBySource(items);
  return {
    level: 'warning',
    title: `harbor-sync: ${what} ${items.length === 1 ? 'tag' : 'tags'} ${dryRun ? 'would not be' : 'not'} copied`,
    message: [
      `${tags(items.length)} listed on the source ${items.length === 1 ? 'lacks' : 'lack'} blobs there (a pull-through cache that never fetched them); nothing of ${items.length === 1 ? 'it' : 'them'} was written to Harbor, and a copy Harbor already has is kept.`,
      ...sorted
        .slice(0, first)
        .map(
          (i) =>
            `- ${itemName(i)}: ${tagClass(i.status).word}, ${i.missing?.length ?? 0} blob(s) missing on the source`,
        ),
      ...(items.length > first ? [`… and ${items.length - first} more.`] : []),
      'What to do: set upstream-registry to repair them from the registry that was cached, or remove the tags at the source.',
      SEE_SUMMARY,
    ].join('\n'),
  };
}

function brokenWarning(items: TagResult[], first: number, dryRun: boolean): Annotation {
  const n = items.length;
  return {
    level: 'warning',
    title: `harbor-sync: ${tags(n)} Harbor held ${n === 1 ? 'was' : 'were'} not whole — ${dryRun ? 'a sync would repair' : 'repaired'}`,
    message: [
      `Harbor listed ${n === 1 ? 'this tag' : 'these tags'} with the source's digest, but some of ${n === 1 ? 'its' : 'their'} blobs or manifests answered 404 there: a pull of ${n === 1 ? 'it' : 'them'} ${dryRun ? 'fails' : 'failed'} (a garbage collection, a restore from an old backup, a replication that lost objects).`,
      ...sortedBySource(items)
        .slice(0, first)
        .map((i) => `- ${itemName(i)}: ${i.harborMissing?.length ?? 0} blob(s) or manifest(s) missing in Harbor`),
      ...(n > first ? [`… and ${n - first} more.`] : []),
      dryRun
        ? 'What to do: run the sync with verify: blobs; it pushes what is missing again from the source. A dry run: nothing was written.'
        : 'Pushed again from the source, digest-checked. What to do: find out what removed them from Harbor (its garbage collection, a restore) before it removes more.',
      SEE_SUMMARY,
    ].join('\n'),
  };
}

function sortedBySource(items: TagResult[]): TagResult[] {
  return [...items].sort((a, b) => byText(a.source, b.source) || byText(a.target, b.target));
}

/** Names come from the source registry: one printable line each. */
function itemName(item: TagResult): string {
  const source = printable(item.source);
  return item.target && item.target !== item.source ? `${source} → ${printable(item.target)}` : source;
}

function failureText(item: TagResult): string {
  const e = item.error;
  if (!e) return 'failed';
  const status = [e.status, e.code].filter((x) => x !== undefined && x !== '').join(' ');
  return printable(`${status ? `${status}: ` : ''}${e.message}`);
}
