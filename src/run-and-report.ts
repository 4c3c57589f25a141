// The one run path behind both entry points: config in; the engine's result, the rendered summary
// and report (written where asked, scrubbed), and the exit decision out. The action and the CLI
// only turn their inputs into a config and this outcome into outputs.
import type { Logger } from './model/events.js';
import type { SyncResult } from './model/result.js';
import type { Outcome } from './report/outcome.js';
import type { SummaryOptions } from './report/summary.js';
import { computeTotals, type Totals } from './report/totals.js';
import type { Clients } from './sync/clients.js';
import { INPUT_NAMING, type SyncConfig } from './model/config.js';
import { runSync } from './sync/engine.js';
import { prepareReports, writeReports, type ReportPaths } from './write-reports.js';

export interface RunOptions {
  logger: Logger;
  /** Aborted on SIGINT/SIGTERM: tags in flight finish, the rest are reported as not started. */
  signal?: AbortSignal;
  /** Where to write the JSON report (default: config.reportFile; none when neither is set). */
  reportFile?: string;
  /** Tests hand in in-memory clients. */
  clients?: Clients;
  /** How the summary speaks (the CLI's says "the run", the action's "the step"). */
  summary?: Pick<SummaryOptions, 'audience'>;
}

export interface RunOutcome extends Outcome {
  result: SyncResult;
  totals: Totals;
  /** The Markdown summary (not yet scrubbed: the caller's writer scrubs). */
  summary: string;
  reportFile?: string;
  /** The report or summary files that could not be written after the run, one line each naming
   * the input and the file; they make the outcome a failure (exit 2 when nothing else failed). */
  unwritten: string[];
}

export async function runAndReport(config: SyncConfig, options: RunOptions): Promise<RunOutcome> {
  const naming = config.naming ?? INPUT_NAMING;
  const reportFile = options.reportFile ?? config.reportFile;
  const paths: ReportPaths = {
    reportFile,
    summaryFile: config.summaryFile,
    junitFile: config.junitFile,
    htmlFile: config.htmlFile,
    metricsFile: config.metricsFile,
  };
  await prepareReports(paths, naming);
  const result = await runSync(config, options.logger, options.clients, {
    ...(options.signal && { signal: options.signal }),
  });
  // From here on the run has done its work: each file is written whatever befalls the others.
  const { summary, unwritten, outcome } = await writeReports(result, paths, {
    failOn: config.failOn,
    naming,
    logger: options.logger,
    ...(options.summary?.audience && { audience: options.summary.audience }),
  });
  return {
    ...outcome,
    unwritten,
    result,
    totals: computeTotals(result),
    summary,
    ...(reportFile && { reportFile }),
  };
}
