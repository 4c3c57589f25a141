// The Markdown job summary, as people meet it on a run's page: the verdict first (what the run
// means, and whether the step failed), the totals, Harbor's settings that matter; then failures
// grouped by cause with what to do, stale and incomplete tags with what to do, what only Harbor
// has now, and the folded lists. A pure function of the result, built once as a document (doc.ts)
// that render-markdown.ts writes as Markdown and html.ts as a page; tested as text and in a browser
// (test/integration/summary-browser.test.ts); action.ts hands it to core.summary, the CLI prints it.
import { BY_ATTENTION, type ClassRow, isStatus } from '../model/class-rules.js';
import type { FailOn, SyncResult, TagResult } from '../model/result.js';
import { type Cause, failedSection, groupFailures } from './failure-causes.js';
import { alert, type Block, code, heading, joined, paragraph, strong } from './doc.js';
import { brokenSection } from './gaps.js';
import { type Context, LEVELS, type Level } from './fold.js';
import { toMarkdown } from './render-markdown.js';
import {
  byRepository,
  migratedSection,
  missingSection,
  notStartedSection,
  retainedSection,
  skippedSection,
} from './tables.js';
import { computeTotals, itemsByStatus } from './totals.js';
import { type Audience, harborNotes, shardList, totalsLine, verdict } from './verdict.js';
import { plural } from './words.js';

/** GitHub refuses step summaries over 1 MiB; stay well below. */
export const SUMMARY_LIMIT = 1_000_000;

export interface SummaryOptions {
  /** Where the JSON report was written: the summary points there for everything it leaves out. */
  reportFile?: string | undefined;
  /** The rule the step is judged by, for the verdict's "the step failed / passed". */
  failOn?: FailOn | undefined;
  /** Who reads it: the action's job summary speaks of the step and `fail-on:`, the CLI's of the
   * run, its exit code and `--fail-on` (default: the action). */
  audience?: Audience | undefined;
}

/** The summary at the most detailed level that stays under GitHub's limit. */
export function renderSummary(result: SyncResult, options: SummaryOptions = {}): string {
  let md = '';
  for (const level of LEVELS) {
    md = toMarkdown(summaryDocument(result, options, level));
    if (Buffer.byteLength(md) <= SUMMARY_LIMIT) break;
  }
  return md;
}

/** The summary of a run that never started: its configuration was refused. */
export function renderConfigError(message: string): string {
  return toMarkdown(stoppedDocument('config', message));
}

/** The summary of a run ended by a bug in harbor-sync. */
export function renderInternalError(message: string): string {
  return toMarkdown(stoppedDocument('internal', message));
}

/** A run that never started (its configuration was refused) or was ended by a bug. */
function stoppedDocument(why: 'config' | 'internal', message: string): Block[] {
  const [title, todo] =
    why === 'config'
      ? ['Configuration error: nothing was done.', 'fix the input it names, then run again.']
      : ['Internal error: harbor-sync stopped.', 'please report it (a bug in harbor-sync).'];
  return [
    heading(2, 'harbor-sync'),
    alert('CAUTION', [
      paragraph(strong(title), ' ', message),
      paragraph(strong('What to do:'), ` ${todo}`),
      paragraph(strong('The step failed.')),
    ]),
  ];
}

/** The summary at one level of detail, as a document every format writes the same way. */
export function summaryDocument(result: SyncResult, options: SummaryOptions, level: Level): Block[] {
  const totals = computeTotals(result);
  const groups = itemsByStatus(result);
  const dry = result.dryRun;
  const ctx: Context = { level, dryRun: dry, reportFile: options.reportFile };
  const missing = result.missingShards ?? [];
  // The first line says dry run and missing shards: report-merge --allow-partial promises it.
  const blocks = [
    heading(
      2,
      `harbor-sync${dry ? ' (dry run: nothing was written)' : ''}`,
      ...(missing.length
        ? [` (partial merge: shard${missing.length > 1 ? 's' : ''} `, ...shardList(missing), ' missing)']
        : []),
    ),
  ];
  // Failed tags grouped by cause: the verdict counts the causes, their section lists them.
  const causes = new Map<ClassRow, Cause[]>();
  for (const c of BY_ATTENTION)
    if (isStatus(c) && c.listing === 'causes') causes.set(c, groupFailures(groups[c.name], level.message));
  const causeCount = [...causes.values()].reduce((n, list) => n + list.length, 0);
  blocks.push(verdict({ result, totals, causes: causeCount, failOn: options.failOn, audience: options.audience }));
  // A fatal error has nothing to count: no all-zero totals line.
  if (!result.fatal) blocks.push(paragraph(...totalsLine(totals, dry)));
  blocks.push(context(result, ctx));
  blocks.push(...harborNotes(result.harborNotes));
  if (result.fatal) return blocks;

  if (result.upstreamRequests !== undefined)
    blocks.push(
      paragraph(
        `Upstream repairs: ${dry ? `${plural(totals.repaired, 'tag')} would be` : plural(totals.repaired, 'tag was', 'tags were')} completed from the upstream registry, with ${plural(result.upstreamRequests, 'request')} to it.`,
      ),
    );
  if (result.projectsCreated.length > 0)
    blocks.push(
      paragraph(
        `Projects ${dry ? 'to create' : 'created'}: `,
        ...joined(
          result.projectsCreated.map((p) => [code(p)]),
          ', ',
        ),
      ),
    );
  blocks.push(...byRepository(result.items, ctx));
  if (result.interrupted && result.notStarted.length) blocks.push(...notStartedSection(result.notStarted, ctx));
  // A section per class, what needs a person first (model/tag-classes.ts), each as its items show.
  const upstream = result.upstreamRequests !== undefined;
  let whatToDoSaidWith: ClassRow | undefined;
  for (const c of BY_ATTENTION) {
    const items: readonly TagResult[] = isStatus(c) ? groups[c.name] : [];
    switch (c.listing) {
      case 'causes':
        blocks.push(...failedSection(c, items, causes.get(c) ?? [], ctx));
        break;
      case 'missing':
        blocks.push(...missingSection(c, items, ctx, { upstream, saidWith: whatToDoSaidWith }));
        if (items.length > 0) whatToDoSaidWith ??= c;
        break;
      case 'copied':
        blocks.push(...migratedSection(c, items, ctx));
        break;
      case 'reasons':
        blocks.push(...skippedSection(c, items, ctx));
        break;
      case 'retained':
        blocks.push(...retainedSection(result.retained, ctx));
        break;
      case 'gaps':
        blocks.push(...brokenSection(c, items, ctx));
        break;
    }
  }
  return blocks;
}

/** Where from, where to, and where the whole report is. */
function context(result: SyncResult, ctx: Context): Block {
  return paragraph(
    code(result.source),
    ' → Harbor ',
    code(result.harbor),
    ...(result.harborVersion ? [` (${result.harborVersion})`] : []),
    ...(result.shard ? [` · shard ${result.shard}`] : []),
    ...(ctx.reportFile ? [' · JSON report ', code(ctx.reportFile)] : []),
  );
}
