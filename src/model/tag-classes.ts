// The tag classes, once: each class a run sorts a tag into (its status), and what the reports
// count beside the tags (retained). The JSON report, the summary, log lines, annotations,
// progress, the exit code, the action's outputs, JUnit, metrics and report-merge all read this
// table (through class-rules.ts); none of them lists the classes. Adding a class is a row here,
// the engine code that produces it (src/sync), its description in docs/report.md, and, when it
// has an output, action.yml's outputs and the README's outputs sentence (tests check both).

/** When a run counts as failed (the `fail-on` input, `--fail-on`): failed tags; `stale` also stale
 * and incomplete ones; `pending` in a dry run anything the sync would still do or could not (the
 * end-of-migration check), in a sync the same as `failed`; `never`. */
export const FAIL_ON_RULES = ['failed', 'stale', 'pending', 'never'] as const;
export type FailOn = (typeof FAIL_ON_RULES)[number];

/** How the reports list a class's items, by what the items carry. */
export type Listing =
  /** `error`: grouped by cause, what to do said per cause; an error annotation per cause. */
  | 'causes'
  /** `missing` digests: what happened and what to do said once, then the tags and the digests. */
  | 'missing'
  /** A digest, a size and how the content got to Harbor. */
  | 'copied'
  /** `reason`: a fold per reason. */
  | 'reasons'
  /** RetainedItem: what only Harbor has now. */
  | 'retained'
  /** `harborMissing`: what Harbor lacked, each digest once with the tags that need it. */
  | 'gaps';

export interface TagClass {
  /** The status (`tag`) or the result's list (`note`): the JSON report's list, its totals key, the
   * metrics label. */
  readonly name: string;
  /** `tag`: a status a tag gets, counted among `totals.tags`. `note`: counted beside the tags, not
   * among them, and never fails a run. */
  readonly kind: 'tag' | 'note';
  /** The word in counts and log lines (`3 stale`); headings capitalize it. */
  readonly word: string;
  /** The word in a dry run, when it differs (`would migrate`). */
  readonly dryRunWord?: string;
  /** The `fail-on` rules under which a tag of this class fails the run, in a sync and in a dry run.
   * JUnit shows a class that fails the run as a <failure>, under `fail-on: never` as under
   * `failed` (that rule changes the exit code only). */
  readonly failsUnder: { readonly sync: readonly FailOn[]; readonly dryRun: readonly FailOn[] };
  /** Needs a person even when the run passes: counted in the verdict, one warning annotation,
   * <skipped> in JUnit when it does not fail the run. */
  readonly needsAction: boolean;
  /** Counted in the totals line only when some tag has it: a class only some runs can give
   * (broken: `verify: blobs`). */
  readonly onlyWhenSome?: boolean;
  /** The action output holding its count, if it has one. */
  readonly output?: string;
  /** The level of a tag's log line. */
  readonly logLevel: 'info' | 'warn' | 'error';
  readonly listing: Listing;
  /** What the class means, in a sentence, where the reports explain it (above its tags in the
   * summary, in the JUnit text). */
  readonly meaning?: string;
}

/** The same rules in a sync and in a dry run. */
const always = (...rules: FailOn[]) => ({ sync: rules, dryRun: rules });

/** In the order of the JSON report's lists and totals and of the action's outputs. The summary,
 * the by-repository columns and the log's attention put the classes that fail the run first, then
 * those that need action, then what only Harbor has, then the rest (class-rules.ts). */
export const TAG_CLASSES = [
  {
    name: 'migrated',
    kind: 'tag',
    word: 'migrated',
    dryRunWord: 'would migrate',
    failsUnder: { sync: [], dryRun: ['pending'] },
    needsAction: false,
    output: 'migrated',
    logLevel: 'info',
    listing: 'copied',
  },
  {
    name: 'broken',
    kind: 'tag',
    word: 'broken',
    dryRunWord: 'would repair',
    failsUnder: { sync: [], dryRun: ['pending'] },
    needsAction: false,
    onlyWhenSome: true,
    output: 'broken',
    logLevel: 'warn',
    listing: 'gaps',
    meaning:
      "Harbor lists these tags with the source's digest, but some of their blobs or manifests answer 404 there, so a pull of them fails (a garbage collection, a restore from an old backup, a replication that lost objects). A sync with verify: blobs pushes what is missing again from the source, digest-checked; a dry run writes nothing.",
  },
  {
    name: 'stale',
    kind: 'tag',
    word: 'stale',
    failsUnder: { sync: ['stale'], dryRun: ['stale', 'pending'] },
    needsAction: true,
    output: 'stale',
    logLevel: 'warn',
    listing: 'missing',
    meaning:
      'The source lists these tags, but every blob they reference answers 404 there: a pull-through cache that refreshed the manifest and never fetched the layers leaves tags like these. Nothing was written to Harbor for them; a copy Harbor already holds is kept.',
  },
  {
    name: 'incomplete',
    kind: 'tag',
    word: 'incomplete',
    failsUnder: { sync: ['stale'], dryRun: ['stale', 'pending'] },
    needsAction: true,
    output: 'incomplete',
    logLevel: 'warn',
    listing: 'missing',
    meaning:
      'The source lacks some of the blobs these tags reference (they answer 404 there). Nothing was written to Harbor for them; a copy Harbor already holds is kept.',
  },
  {
    name: 'skipped',
    kind: 'tag',
    word: 'skipped',
    failsUnder: always(),
    needsAction: false,
    output: 'skipped',
    logLevel: 'info',
    listing: 'reasons',
  },
  {
    name: 'failed',
    kind: 'tag',
    word: 'failed',
    failsUnder: always('failed', 'stale', 'pending'),
    needsAction: false,
    output: 'failed',
    logLevel: 'error',
    listing: 'causes',
  },
  {
    name: 'retained',
    kind: 'note',
    word: 'retained',
    failsUnder: always(),
    needsAction: false,
    output: 'retained',
    logLevel: 'info',
    listing: 'retained',
  },
] as const satisfies readonly TagClass[];

type Row = (typeof TAG_CLASSES)[number];
/** A tag's status: a class of kind `tag`. */
export type TagStatus = Extract<Row, { kind: 'tag' }>['name'];
/** A count beside the tags: a class of kind `note` (a list of the result of the same name). */
export type NoteName = Extract<Row, { kind: 'note' }>['name'];
export type ClassName = Row['name'];
/** A row of the table, named as one of its classes. */
export type ClassRow = TagClass & { readonly name: ClassName };
