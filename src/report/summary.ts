// The Markdown job summary, as people meet it on a run's page: the verdict first (what the run
// means, and whether the step failed), the totals, Harbor's settings that matter; then failures
// grouped by cause with what to do, stale and incomplete tags with what to do, what only Harbor
// has now, and the folded lists. A pure function of the result, tested as text and in a browser
// (test/integration/summary-browser.test.ts); action.ts hands it to core.summary, the CLI prints it.
import type { FailOn, SyncResult } from '../model/result.js';
import { failedSection, groupFailures } from './causes.js';
import { type Context, LEVELS, type Level } from './fold.js';
import { alert, code, plural, text } from './markdown.js';
import {
  byRepository,
  migratedSection,
  missingSection,
  notStartedSection,
  retainedSection,
  skippedSection,
} from './tables.js';
import { computeTotals, itemsByStatus } from './totals.js';
import { harborNotes, totalsLine, verdict } from './verdict.js';

/** GitHub refuses step summaries over 1 MiB; stay well below. */
export const SUMMARY_LIMIT = 1_000_000;

export interface SummaryOptions {
  /** Where the JSON report was written: the summary points there for everything it leaves out. */
  reportFile?: string | undefined;
  /** The rule the step is judged by, for the verdict's "the step failed / passed". */
  failOn?: FailOn | undefined;
}

/** The summary at the most detailed level that stays under GitHub's limit. */
export function renderSummary(result: SyncResult, options: SummaryOptions = {}): string {
  let md = '';
  for (const level of LEVELS) {
    md = render(result, options, level);
    if (Buffer.byteLength(md) <= SUMMARY_LIMIT) break;
  }
  return md;
}

/** The summary of a run that never started: its configuration was refused. */
export function renderConfigError(message: string): string {
  return stopped('**Configuration error: nothing was done.**', message, 'fix the input it names, then run again.');
}

/** The summary of a run ended by a bug in harbor-sync. */
export function renderInternalError(message: string): string {
  return stopped('**Internal error: harbor-sync stopped.**', message, 'please report it (a bug in harbor-sync).');
}

function stopped(title: string, message: string, todo: string): string {
  return `${['## harbor-sync', '', ...alert('CAUTION', [`${title} ${text(message)}`, `**What to do:** ${todo}`, '**The step failed.**'])].join('\n').trimEnd()}\n`;
}

function render(result: SyncResult, options: SummaryOptions, level: Level): string {
  const totals = computeTotals(result);
  const groups = itemsByStatus(result);
  const dry = result.dryRun;
  const ctx: Context = { level, dryRun: dry, reportFile: options.reportFile };
  const missing = result.missingShards ?? [];
  // The first line says dry run and missing shards: report-merge --allow-partial promises it.
  const heading = `## harbor-sync${dry ? ' (dry run: nothing was written)' : ''}${
    missing.length ? ` (partial merge: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing)` : ''
  }`;
  const causes = groupFailures(groups.failed, level.message);
  const lines = [heading, '', ...verdict({ result, totals, causes: causes.length, failOn: options.failOn })];
  // A fatal error has nothing to count: no all-zero totals line.
  if (!result.fatal) lines.push(totalsLine(totals, dry), '');
  lines.push(context(result, ctx), '');
  lines.push(...harborNotes(result.harborNotes));
  if (result.fatal) return finish(lines);

  if (result.upstreamRequests !== undefined)
    lines.push(
      `Upstream repairs: ${dry ? `${plural(totals.repaired, 'tag')} would be` : plural(totals.repaired, 'tag was', 'tags were')} completed from the upstream registry, with ${plural(result.upstreamRequests, 'request')} to it.`,
      '',
    );
  if (result.projectsCreated.length > 0)
    lines.push(
      `Projects ${dry ? 'to create' : 'created'}: ${result.projectsCreated.map((p) => code(p)).join(', ')}`,
      '',
    );
  lines.push(...byRepository(result.items, ctx));
  if (result.interrupted && result.notStarted.length) lines.push(...notStartedSection(result.notStarted, ctx));
  lines.push(...failedSection(groups.failed, causes, ctx));
  const upstream = result.upstreamRequests !== undefined;
  lines.push(...missingSection('stale', groups.stale, ctx, { upstream, sayWhatToDo: true }));
  lines.push(
    ...missingSection('incomplete', groups.incomplete, ctx, { upstream, sayWhatToDo: groups.stale.length === 0 }),
  );
  lines.push(...retainedSection(result.retained, ctx));
  lines.push(...migratedSection(groups.migrated, ctx));
  lines.push(...skippedSection(groups.skipped, ctx));
  return finish(lines);
}

/** Where from, where to, and where the whole report is. */
function context(result: SyncResult, ctx: Context): string {
  const harbor = `Harbor ${code(result.harbor)}${result.harborVersion ? ` (${text(result.harborVersion)})` : ''}`;
  const shard = result.shard ? ` · shard ${text(result.shard)}` : '';
  const report = ctx.reportFile ? ` · JSON report ${code(ctx.reportFile)}` : '';
  return `${code(result.source)} → ${harbor}${shard}${report}`;
}

function finish(lines: string[]): string {
  return `${lines.join('\n').trimEnd()}\n`;
}
