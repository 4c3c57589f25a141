// The top of the summary, what the first screen must say: one alert with what the run means
// (all done, N need action, N failed, stopped, interrupted) and whether the step failed under
// fail-on; then the totals line; then Harbor's own settings that matter, once each.
import { ERROR_CODES } from '../errors/codes.js';
import type { FailOn, HarborNote, SyncResult } from '../model/result.js';
import { ADVICE } from './causes.js';
import { type AlertKind, alert, bytes, code, duration, num, plural, text } from './markdown.js';
import { decideOutcome } from './outcome.js';
import { retainedWords } from './tables.js';
import type { Totals } from './totals.js';

export interface VerdictInput {
  result: SyncResult;
  totals: Totals;
  /** How many causes the failures group into. */
  causes: number;
  failOn?: FailOn | undefined;
}

export function verdict({ result, totals: t, causes, failOn }: VerdictInput): string[] {
  const dry = result.dryRun;
  const act = t.stale + t.incomplete;
  let kind: AlertKind;
  const paragraphs: string[] = [];
  if (result.fatal) {
    const f = result.fatal;
    kind = 'CAUTION';
    paragraphs.push(
      `**The run stopped before any tag was copied:** ${text(f.message)}`,
      `**What to do:** ${text(f.hint ?? ADVICE[f.errorCode] ?? ERROR_CODES[f.errorCode] ?? '')}`,
      facts(f),
    );
  } else if (result.interrupted) {
    kind = 'WARNING';
    paragraphs.push(
      `**Interrupted.** ${plural(result.notStarted.length, 'tag or repository was', 'tags or repositories were')} not started; tags in flight finished or were abandoned whole, so Harbor holds no partial tag.${t.failed ? ` ${plural(t.failed, 'tag')} failed (below).` : ''}`,
      '**What to do:** run the same sync again: it does exactly the rest.',
    );
  } else if (t.failed > 0) {
    kind = 'CAUTION';
    paragraphs.push(
      `**${plural(t.failed, 'tag')} failed** (${plural(causes, 'cause')} below, each with what to do)${act ? `; ${plural(act, 'more needs', 'more need')} action: ${num(t.stale)} stale, ${num(t.incomplete)} incomplete` : ''}.`,
    );
  } else if (act > 0) {
    kind = 'WARNING';
    paragraphs.push(
      `**${plural(act, 'tag needs', 'tags need')} action:** ${num(t.stale)} stale, ${num(t.incomplete)} incomplete — listed on the source, but blobs are missing there, so they were not copied (what to do below).`,
    );
  } else {
    kind = 'NOTE';
    paragraphs.push(allDone(result, t));
  }
  if (!result.fatal && t.retained > 0)
    paragraphs.push(
      `${retainedWords(result.retained)} only Harbor has now (retained, below): information, not a problem.`,
    );
  if (result.missingShards?.length) {
    // A partial picture is never "all done".
    if (kind === 'NOTE') kind = 'WARNING';
    paragraphs.push(
      `**Partial merge: shard${result.missingShards.length > 1 ? 's' : ''} ${result.missingShards.map(text).join(', ')} missing.** Their repositories are in none of the counts.`,
    );
  }
  if (failOn) paragraphs.push(stepLine(result, t, failOn));
  if (dry && !result.fatal) paragraphs.push('Dry run: nothing was written to Harbor.');
  return alert(kind, paragraphs);
}

function allDone(result: SyncResult, t: Totals): string {
  const skipped = t.skipped ? `; ${num(t.skipped)} skipped (already in Harbor, or left out)` : '';
  if (t.tags === 0) return '**Nothing to do:** no tag was selected.';
  if (result.dryRun)
    return t.migrated
      ? `**Nothing in the way:** ${plural(t.migrated, 'tag')} would migrate (${bytes(t.bytesPlanned ?? t.bytesMigrated)} to upload)${skipped}.`
      : `**Nothing to do:** ${plural(t.tags, 'tag is', 'tags are')} in Harbor already or skipped.`;
  return t.migrated
    ? `**All done:** ${plural(t.migrated, 'tag')} migrated and verified${skipped}.`
    : `**All done, nothing to copy:** ${plural(t.tags, 'tag is', 'tags are')} in Harbor already or skipped.`;
}

/** Whether this run fails the step, and by which rule. */
function stepLine(result: SyncResult, t: Totals, failOn: FailOn): string {
  const outcome = decideOutcome(result, failOn);
  const rule = code(`fail-on: ${failOn}`);
  if (result.fatal) return '**The step failed.**';
  if (result.interrupted) return '**The step failed:** the run did not finish.';
  if (!outcome.ok)
    return `**The step failed** (${rule}${t.failed === 0 ? ': stale and incomplete tags fail it' : ''}).`;
  if (failOn === 'never') return `The step passed (${rule}).`;
  if (t.stale + t.incomplete > 0) return `The step passed (${rule}: stale and incomplete tags do not fail it).`;
  return `The step passed (${rule}).`;
}

function facts(f: NonNullable<SyncResult['fatal']>): string {
  return [
    code(f.errorCode),
    `step ${code(f.step)}`,
    f.status !== undefined && `HTTP ${f.status}`,
    f.code && code(f.code),
  ]
    .filter(Boolean)
    .join(' · ');
}

/** `**12 migrated** (1.2 GB uploaded) · **0 stale** · … — 42 tags in 41 min 7 s`. */
export function totalsLine(t: Totals, dry: boolean): string {
  const moved = dry ? (t.bytesPlanned ?? t.bytesMigrated) : t.bytesUploaded;
  const counts = [
    `**${num(t.migrated)} ${dry ? 'would migrate' : 'migrated'}**${t.migrated ? ` (${bytes(moved)} ${dry ? 'to upload' : 'uploaded'})` : ''}`,
    `**${num(t.stale)} stale**`,
    `**${num(t.incomplete)} incomplete**`,
    `**${num(t.skipped)} skipped**`,
    `**${num(t.failed)} failed**`,
    ...(t.retained ? [`${num(t.retained)} retained`] : []),
  ];
  return `${counts.join(' · ')} — ${plural(t.tags, 'tag')} in ${duration(t.seconds)}${t.retries ? `, ${plural(t.retries, 'retry', 'retries')}` : ''}`;
}

const NOTE_LABELS: Record<HarborNote['kind'], string> = {
  'proxy-cache': 'Proxy-cache project',
  retention: 'Tag retention',
  immutable: 'Tag immutability',
};

/** Harbor settings that refuse or may later delete what is copied: each once, near the verdict. */
export function harborNotes(notes: readonly HarborNote[]): string[] {
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
    `> [!${kind}]`,
    `> **Harbor settings of the target projects** (each said once):`,
    '>',
    ...unique.map((n) => `> - **${NOTE_LABELS[n.kind]}:** ${text(n.message)}`),
    '',
  ];
}
