// The top of the summary, what the first screen must say: one alert with what the run means
// (all done, N need action, N failed, stopped, interrupted) and whether the step failed under
// fail-on; then the totals line; then Harbor's own settings that matter, once each.
import { ERROR_CODES } from '../errors/codes.js';
import type { FailOn, HarborNote, SyncResult } from '../model/result.js';
import { ADVICE, failureFacts } from './causes.js';
import { type AlertKind, type Block, alert, code, type Inline, paragraph, strong } from './doc.js';
import { decideOutcome, leftUndone, undoneWords } from './outcome.js';
import { retainedWords } from './tables.js';
import type { Totals } from './totals.js';
import { bytes, duration, num, plural } from './words.js';

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
  const act = t.stale + t.incomplete;
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
        ...(t.failed ? [` ${plural(t.failed, 'tag')} failed (below).`] : []),
      ],
      [strong('What to do:'), ' run the same sync again: it does exactly the rest.'],
    );
  } else if (t.failed > 0) {
    kind = 'CAUTION';
    paragraphs.push([
      strong(`${plural(t.failed, 'tag')} failed`),
      ` (${plural(causes, 'cause')} below, each with what to do)${act ? `; ${plural(act, 'more needs', 'more need')} action: ${num(t.stale)} stale, ${num(t.incomplete)} incomplete` : ''}.`,
    ]);
  } else if (act > 0) {
    kind = 'WARNING';
    paragraphs.push([
      strong(`${plural(act, 'tag needs', 'tags need')} action:`),
      ` ${num(t.stale)} stale, ${num(t.incomplete)} incomplete — listed on the source, but blobs are missing there, so they were not copied (what to do below).`,
    ]);
  } else {
    kind = 'NOTE';
    paragraphs.push(allDone(result, t));
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
  if (result.dryRun)
    return t.migrated
      ? [
          strong('Nothing in the way:'),
          ` ${plural(t.migrated, 'tag')} would migrate (${bytes(t.bytesPlanned ?? t.bytesMigrated)} to upload)${skipped}.`,
        ]
      : [strong('Nothing to do:'), ` ${plural(t.tags, 'tag is', 'tags are')} in Harbor already or skipped.`];
  return t.migrated
    ? [strong('All done:'), ` ${plural(t.migrated, 'tag')} migrated and verified${skipped}.`]
    : [strong('All done, nothing to copy:'), ` ${plural(t.tags, 'tag is', 'tags are')} in Harbor already or skipped.`];
}

/** Whether this run fails the step, and by which rule. */
function stepLine(result: SyncResult, t: Totals, failOn: FailOn): Inline[] {
  const outcome = decideOutcome(result, failOn);
  const rule = code(`fail-on: ${failOn}`);
  if (result.fatal) return [strong('The step failed.')];
  if (result.interrupted) return [strong('The step failed:'), ' the run did not finish.'];
  if (!outcome.ok)
    return [strong('The step failed'), ' (', rule, `${t.failed === 0 ? ': stale and incomplete tags fail it' : ''}).`];
  if (failOn === 'never') return ['The step passed (', rule, ').'];
  if (t.stale + t.incomplete > 0) return ['The step passed (', rule, ': stale and incomplete tags do not fail it).'];
  return ['The step passed (', rule, ').'];
}

/** The CLI's counterpart of stepLine: the run and its exit code, the rule as the flag. */
function runLine(result: SyncResult, t: Totals, failOn: FailOn): Inline[] {
  const outcome = decideOutcome(result, failOn);
  const rule = code(`--fail-on ${failOn}`);
  const failed = [strong('The run failed'), ` (exit code ${outcome.exitCode}`];
  if (result.fatal) return [...failed, ').'];
  if (result.interrupted) return [...failed, '): it did not finish.'];
  if (!outcome.ok) return [...failed, ', ', rule, `${t.failed === 0 ? ': stale and incomplete tags fail it' : ''}).`];
  if (failOn !== 'never' && t.stale + t.incomplete > 0)
    return ['The run passed (exit code 0, ', rule, ': stale and incomplete tags do not fail it).'];
  return ['The run passed (exit code 0, ', rule, ').'];
}

/** `**12 migrated** (1.2 GB uploaded) · **0 stale** · … — 42 tags in 41 min 7 s`. */
export function totalsLine(t: Totals, dry: boolean): Inline[] {
  const moved = dry ? (t.bytesPlanned ?? t.bytesMigrated) : t.bytesUploaded;
  const counts: Inline[][] = [
    [
      strong(`${num(t.migrated)} ${dry ? 'would migrate' : 'migrated'}`),
      ...(t.migrated ? [` (${bytes(moved)} ${dry ? 'to upload' : 'uploaded'})`] : []),
    ],
    [strong(`${num(t.stale)} stale`)],
    [strong(`${num(t.incomplete)} incomplete`)],
    [strong(`${num(t.skipped)} skipped`)],
    [strong(`${num(t.failed)} failed`)],
    ...(t.retained ? [[`${num(t.retained)} retained`]] : []),
  ];
  return [
    ...counts.flatMap((c, i) => (i === 0 ? c : [' · ', ...c])),
    ` — ${plural(t.tags, 'tag')} in ${duration(t.seconds)}${t.retries ? `, ${plural(t.retries, 'retry', 'retries')}` : ''}`,
  ];
}

const NOTE_LABELS: Record<HarborNote['kind'], string> = {
  'proxy-cache': 'Proxy-cache project',
  retention: 'Tag retention',
  immutable: 'Tag immutability',
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
  if (unique.length === 0) return [];
  // Retention may delete migrated tags and a proxy cache refuses them: warnings; immutability is a note.
  const kind: AlertKind = unique.some((n) => n.kind !== 'immutable') ? 'WARNING' : 'NOTE';
  return [
    alert(kind, [
      paragraph(strong('Harbor settings of the target projects'), ' (each said once):'),
      { kind: 'list', items: unique.map((n) => [strong(`${NOTE_LABELS[n.kind]}:`), ' ', n.message]) },
    ]),
  ];
}
