// The top of the summary, what the first screen must say: one alert with what the run means
// (all done, N need action, N failed, stopped, interrupted) and whether the step failed under
// fail-on; then the totals line; then Harbor's own settings that matter, once each.
import { ERROR_CODES } from '../errors/codes.js';
import { ALL_CLASSES, classWord, FAILED_BY_DEFAULT, NEED_ACTION } from '../model/class-rules.js';
import type { FailOn, HarborNote, SyncResult } from '../model/result.js';
import type { ClassName } from '../model/tag-classes.js';
import { ADVICE, failureFacts } from './failure-causes.js';
import { type AlertKind, type Block, alert, code, type Inline, paragraph, strong } from './doc.js';
import { addedByRule, decideOutcome, leftUndone, undoneWords } from './outcome.js';
import { retainedWords } from './tables.js';
import type { Totals } from './totals.js';
import { bytes, duration, num, plural, wordList } from './words.js';

/** Who reads the summary: a workflow step's page, or a terminal or CI log the CLI prints to. */
export type Audience = 'action' | 'cli';

export interface VerdictInput {
  result: SyncResult;
  totals: Totals;
  /** How many causes the failures group into. */
  causes: number;
  failOn?: FailOn | undefined;
  audience?: Audience | undefined;
}

export function verdict({ result, totals: t, causes, failOn, audience }: VerdictInput): Block {
  const dry = result.dryRun;
  const act = needingAction(t);
  const failed = failedCount(t);
  let kind: AlertKind;
  const paragraphs: Inline[][] = [];
  if (result.fatal) {
    const f = result.fatal;
    kind = 'CAUTION';
    paragraphs.push(
      [strong('The run stopped before any tag was copied:'), ' ', f.message],
      [strong('What to do:'), ' ', f.hint ?? ADVICE[f.errorCode] ?? ERROR_CODES[f.errorCode] ?? ''],
      failureFacts(f),
    );
  } else if (result.interrupted) {
    kind = 'WARNING';
    paragraphs.push(
      [
        strong('Interrupted.'),
        ' ',
        ...interruptedWords(result),
        ...(failed ? [` ${plural(failed, 'tag')} failed (below).`] : []),
      ],
      [strong('What to do:'), ' run the same sync again: it does exactly the rest.'],
    );
  } else if (failed > 0) {
    kind = 'CAUTION';
    paragraphs.push([
      strong(`${plural(failed, 'tag')} failed`),
      ` (${plural(causes, 'cause')} below, each with what to do)${act ? `; ${plural(act, 'more needs', 'more need')} action: ${actionCounts(t, dry)}` : ''}.`,
    ]);
  } else if (act > 0) {
    kind = 'WARNING';
    paragraphs.push([
      strong(`${plural(act, 'tag needs', 'tags need')} action:`),
      ` ${actionCounts(t, dry)} — listed on the source, but blobs are missing there, so they were not copied (what to do below).`,
    ]);
  } else {
    kind = 'NOTE';
    paragraphs.push(allDone(result, t));
  }
  if (!result.fatal && t.checkedWhole > 0) {
    // Harbor had lost content: worth a look at why (a garbage collection, a restore), repaired or not.
    if (kind === 'NOTE' && t.broken > 0) kind = 'WARNING';
    paragraphs.push(checkedWhole(result, t));
  }
  if (!result.fatal && t.retained > 0)
    paragraphs.push([
      `${retainedWords(result.retained)} only Harbor has now (retained, below): information, not a problem.`,
    ]);
  if (result.missingShards?.length) {
    // A partial picture is never "all done".
    if (kind === 'NOTE') kind = 'WARNING';
    paragraphs.push([
      strong(
        `Partial merge: shard${result.missingShards.length > 1 ? 's' : ''} `,
        ...shardList(result.missingShards),
        ' missing.',
      ),
      ' Their repositories are in none of the counts.',
    ]);
  }
  if (failOn) paragraphs.push(audience === 'cli' ? runLine(result, t, failOn) : stepLine(result, t, failOn));
  if (dry && !result.fatal) paragraphs.push(['Dry run: nothing was written to Harbor.']);
  return alert(
    kind,
    paragraphs.map((text) => paragraph(...text)),
  );
}

/** `2/4, 3/4`: each shard's name a piece of text of its own, as it came from a report file. */
export function shardList(shards: readonly string[]): Inline[] {
  return shards.flatMap((shard, i) => (i === 0 ? [shard] : [', ', shard]));
}

/** What was left, as far as the run knows, and that it knows no more when the catalog was cut short. */
function interruptedWords(result: SyncResult): Inline[] {
  const left = leftUndone(result);
  const counts = undoneWords(left);
  const said = counts
    ? `${counts} ${left.tags + left.repositories === 1 ? 'was' : 'were'} not started`
    : 'Nothing listed so far was left unstarted';
  return [
    `${said}; tags in flight finished or were abandoned whole, so Harbor holds no partial tag.`,
    ...(left.catalogIncomplete
      ? [
          ' ',
          strong('The source catalog was not listed to its end:'),
          ' the repositories it had not listed yet are in none of these counts, so more is left than they say.',
        ]
      : []),
  ];
}

function allDone(result: SyncResult, t: Totals): Inline[] {
  const skipped = t.skipped ? `; ${num(t.skipped)} skipped (already in Harbor, or left out)` : '';
  if (t.tags === 0) return [strong('Nothing to do:'), ' no tag was selected.'];
  if (result.dryRun) {
    const todo = wordList(
      [
        t.migrated > 0 && `${plural(t.migrated, 'tag')} would migrate`,
        t.broken > 0 && `${plural(t.broken, 'broken tag')} would be repaired`,
      ].filter((s): s is string => typeof s === 'string'),
    );
    return todo
      ? [strong('Nothing in the way:'), ` ${todo} (${bytes(t.bytesPlanned ?? t.bytesMigrated)} to upload)${skipped}.`]
      : [strong('Nothing to do:'), ` ${plural(t.tags, 'tag is', 'tags are')} in Harbor already or skipped.`];
  }
  const done = wordList(
    [
      t.migrated > 0 && `${plural(t.migrated, 'tag')} migrated and verified`,
      t.broken > 0 && `${plural(t.broken, 'broken tag')} repaired`,
    ].filter((s): s is string => typeof s === 'string'),
  );
  return done
    ? [strong('All done:'), ` ${done}${skipped}.`]
    : [strong('All done, nothing to copy:'), ` ${plural(t.tags, 'tag is', 'tags are')} in Harbor already or skipped.`];
}

/** verify: blobs — how many tags were checked whole in Harbor, and how many were not whole. */
function checkedWhole(result: SyncResult, t: Totals): Inline[] {
  const lost = result.items.filter((i) => i.error?.errorCode === 'BROKEN_UNREPAIRABLE').length;
  const head = [strong('Checked whole in Harbor:'), ` ${plural(t.checkedWhole, 'tag')} (`, code('verify: blobs'), ')'];
  if (t.broken + lost === 0) return [...head, ': every blob and manifest of them answers there.'];
  const them = t.broken === 1 ? 'it' : 'them';
  const broken =
    t.broken === 0
      ? ''
      : result.dryRun
        ? `; ${plural(t.broken, 'is', 'are')} broken: Harbor lacks blobs or manifests of ${them}, so a pull fails, and a sync with verify: blobs would repair ${them} from the source (below, by what is missing)`
        : `; ${plural(t.broken, 'was', 'were')} broken: Harbor lacked blobs or manifests of ${them}, which were pushed again from the source (below, by what was missing)`;
  const beyond = lost
    ? `; ${plural(lost, 'more is', 'more are')} broken beyond repair: the source lacks what Harbor lost too (failed, below)`
    : '';
  return [...head, `${broken}${beyond}.`];
}

/** Whether this run fails the step, and by which rule. */
function stepLine(result: SyncResult, t: Totals, failOn: FailOn): Inline[] {
  const outcome = decideOutcome(result, failOn);
  const rule = code(`fail-on: ${failOn}`);
  if (result.fatal) return [strong('The step failed.')];
  if (result.interrupted) return [strong('The step failed:'), ' the run did not finish.'];
  if (!outcome.ok) return [strong('The step failed'), ' (', rule, `${failedBy(result, t, failOn)}).`];
  if (failOn === 'never') return ['The step passed (', rule, ').'];
  if (needingAction(t) > 0) return ['The step passed (', rule, `: ${passing(result, failOn)} tags do not fail it).`];
  return ['The step passed (', rule, ').'];
}

/** The CLI's counterpart of stepLine: the run and its exit code, the rule as the flag. */
function runLine(result: SyncResult, t: Totals, failOn: FailOn): Inline[] {
  const outcome = decideOutcome(result, failOn);
  const rule = code(`--fail-on ${failOn}`);
  const failed = [strong('The run failed'), ` (exit code ${outcome.exitCode}`];
  if (result.fatal) return [...failed, ').'];
  if (result.interrupted) return [...failed, '): it did not finish.'];
  if (!outcome.ok) return [...failed, ', ', rule, `${failedBy(result, t, failOn)}).`];
  if (failOn !== 'never' && needingAction(t) > 0)
    return ['The run passed (exit code 0, ', rule, `: ${passing(result, failOn)} tags do not fail it).`];
  return ['The run passed (exit code 0, ', rule, ').'];
}

/** Tags of the classes that fail the run by default (failed). */
function failedCount(t: Totals): number {
  return FAILED_BY_DEFAULT.reduce((n, c) => n + t[c.name], 0);
}

/** Tags that need a person (stale, incomplete). */
function needingAction(t: Totals): number {
  return NEED_ACTION.reduce((n, c) => n + t[c.name], 0);
}

/** `1 stale, 2 incomplete`. */
function actionCounts(t: Totals, dry: boolean): string {
  return NEED_ACTION.map((c) => `${num(t[c.name])} ${classWord(c, dry)}`).join(', ');
}

/** Why a run with no failed tag failed: `: stale and incomplete tags fail it` (the classes the rule
 * adds); nothing when failed tags did. */
function failedBy(result: SyncResult, t: Totals, failOn: FailOn): string {
  if (failedCount(t) > 0) return '';
  return `: ${wordList(addedByRule(failOn, result.dryRun).map((c) => c.word))} tags fail it`;
}

/** `stale and incomplete`: the classes that need action and do not fail the run under the rule. */
function passing(result: SyncResult, failOn: FailOn): string {
  return wordList(NEED_ACTION.filter((c) => !addedByRule(failOn, result.dryRun).includes(c)).map((c) => c.word));
}

/** `**12 migrated** (1.2 GB uploaded) · **0 stale** · … — 42 tags in 41 min 7 s`. */
export function totalsLine(t: Totals, dry: boolean): Inline[] {
  // Every tag class, stressed; what is counted beside the tags (retained), and a class only some
  // runs give (broken), only when there is some.
  const counts = ALL_CLASSES.flatMap((c): Inline[][] => {
    const n = t[c.name];
    if (c.kind === 'note') return n ? [[`${num(n)} ${classWord(c, dry)}`]] : [];
    if (c.onlyWhenSome && !n) return [];
    return [[strong(`${num(n)} ${classWord(c, dry)}`), ...(n ? (TOTALS_DETAIL[c.name]?.(t, dry) ?? []) : [])]];
  });
  return [
    ...counts.flatMap((c, i) => (i === 0 ? c : [' · ', ...c])),
    ` — ${plural(t.tags, 'tag')} in ${duration(t.seconds)}${t.retries ? `, ${plural(t.retries, 'retry', 'retries')}` : ''}`,
  ];
}

/** What the totals line adds after a class's count when there is some. */
const TOTALS_DETAIL: Partial<Record<ClassName, (t: Totals, dry: boolean) => Inline[]>> = {
  migrated: (t, dry) => [
    ` (${bytes(dry ? (t.bytesPlanned ?? t.bytesMigrated) : t.bytesUploaded)} ${dry ? 'to upload' : 'uploaded'})`,
  ],
};

const NOTE_LABELS: Record<HarborNote['kind'], string> = {
  'proxy-cache': 'Proxy-cache project',
  retention: 'Tag retention',
  immutable: 'Tag immutability',
  kept: 'Kept',
};

/** Harbor settings that refuse or may later delete what is copied: each once, near the verdict. */
export function harborNotes(notes: readonly HarborNote[]): Block[] {
  const seen = new Set<string>();
  const unique = notes.filter((n) => {
    const key = `${n.project}\n${n.kind}\n${n.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const settings = unique.filter((n) => n.kind !== 'kept');
  const kept = unique.filter((n) => n.kind === 'kept');
  const item = (n: HarborNote): Inline[] => [strong(`${NOTE_LABELS[n.kind]}:`), ' ', n.message];
  const blocks: Block[] = [];
  // A Harbor project read as the source: where its tags are now, and how clients pull them.
  if (kept.length > 0)
    blocks.push(alert('NOTE', [paragraph(strong('Where the tags are now')), { kind: 'list', items: kept.map(item) }]));
  if (settings.length === 0) return blocks;
  // Retention may delete migrated tags and a proxy cache refuses them: warnings; immutability is a note.
  const kind: AlertKind = settings.some((n) => n.kind !== 'immutable') ? 'WARNING' : 'NOTE';
  blocks.push(
    alert(kind, [
      paragraph(strong('Harbor settings of the target projects'), ' (each said once):'),
      { kind: 'list', items: settings.map(item) },
    ]),
  );
  return blocks;
}
