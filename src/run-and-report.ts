// The one run path behind both entry points: config in; the engine's result, the rendered summary
// and report (written where asked, scrubbed), and the exit decision out. The action and the CLI
// only turn their inputs into a config and this outcome into outputs.
import type { Logger } from './model/events.js';
import type { SyncResult } from './model/result.js';
import { writeScrubbed } from './redact/output.js';
import { reportText } from './report/json.js';
import { decideOutcome, type Outcome } from './report/outcome.js';
import { renderSummary } from './report/summary.js';
import { computeTotals, type Totals } from './report/totals.js';
import type { Clients } from './sync/clients.js';
import type { SyncConfig } from './sync/config.js';
import { runSync } from './sync/engine.js';
import { VERSION } from './version.js';

export interface RunOptions {
  logger: Logger;
  /** Aborted on SIGINT/SIGTERM: tags in flight finish, the rest are reported as not started. */
  signal?: AbortSignal;
  /** Where to write the JSON report (default: config.reportFile; none when neither is set). */
  reportFile?: string;
  /** Tests hand in in-memory clients. */
  clients?: Clients;
}

export interface RunOutcome extends Outcome {
  result: SyncResult;
  totals: Totals;
  /** The Markdown summary (not yet scrubbed: the caller's writer scrubs). */
  summary: string;
  reportFile?: string;
}

export async function runAndReport(config: SyncConfig, options: RunOptions): Promise<RunOutcome> {
  const result = await runSync(config, options.logger, options.clients, {
    ...(options.signal && { signal: options.signal }),
  });
  const reportFile = options.reportFile ?? config.reportFile;
  const summary = renderSummary(result, { reportFile, failOn: config.failOn });
  if (reportFile) await writeScrubbed(reportFile, reportText(result, VERSION));
  if (config.summaryFile) await writeScrubbed(config.summaryFile, summary);
  return {
    ...decideOutcome(result, config.failOn),
    result,
    totals: computeTotals(result),
    summary,
    ...(reportFile && { reportFile }),
  };
}
