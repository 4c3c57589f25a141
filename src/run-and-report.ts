// The one run path behind both entry points: config in; the engine's result, the rendered summary
// and report (written where asked, scrubbed), and the exit decision out. The action and the CLI
// only turn their inputs into a config and this outcome into outputs.
import type { Logger } from './model/events.js';
import type { SyncResult } from './model/result.js';
import { prepareOutputFiles, writeOutputFile, type OutputFile } from './output-files.js';
import { readBoundedFile } from './config/read-file.js';
import { renderHtmlPage } from './report/html.js';
import { reportText } from './report/json.js';
import { junitText } from './report/junit.js';
import { previousSuccess, renderMetrics } from './report/metrics.js';
import { decideOutcome, EXIT, type Outcome } from './report/outcome.js';
import { printable } from './redact/text.js';
import { renderInternalError, renderSummary, type SummaryOptions } from './report/summary.js';
import { computeTotals, type Totals } from './report/totals.js';
import type { Clients } from './sync/clients.js';
import { INPUT_NAMING, type OptionNaming, type SyncConfig } from './model/config.js';
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
  const report: OutputFile | undefined = reportFile ? { input: 'report-file', path: reportFile } : undefined;
  const summaryFile: OutputFile | undefined = config.summaryFile
    ? { input: 'summary-file', path: config.summaryFile }
    : undefined;
  const junitFile: OutputFile | undefined = config.junitFile
    ? { input: 'junit-file', path: config.junitFile }
    : undefined;
  const htmlFile: OutputFile | undefined = config.htmlFile ? { input: 'html-file', path: config.htmlFile } : undefined;
  const metricsFile: OutputFile | undefined = config.metricsFile
    ? { input: 'metrics-file', path: config.metricsFile, atomic: true }
    : undefined;
  // Before any request: a path that cannot be written is bad input, not the end of a long sync.
  await prepareOutputFiles(
    [report, summaryFile, junitFile, htmlFile, metricsFile].filter((f) => f !== undefined),
    naming,
  );
  const result = await runSync(config, options.logger, options.clients, {
    ...(options.signal && { signal: options.signal }),
  });
  // From here on the run has done its work: each file is written whatever befalls the other.
  const unwritten: string[] = [];
  const write = async (file: OutputFile, text: string | Iterable<string>): Promise<void> => {
    const problem = await writeOutputFile(file, text, naming);
    if (problem) unwritten.push(problem);
  };
  if (report) await write(report, reportText(result, VERSION));
  const summary = safeSummary(result, { reportFile, failOn: config.failOn, ...options.summary }, unwritten);
  if (summaryFile) await write(summaryFile, summary);
  if (junitFile) await write(junitFile, junitText(result, { failOn: config.failOn, toolVersion: VERSION }));
  if (htmlFile) {
    const page = safeRender('the HTML page', unwritten, () =>
      renderHtmlPage(result, { reportFile, failOn: config.failOn, ...options.summary }),
    );
    if (page !== undefined) await write(htmlFile, page);
  }
  const decided = decideOutcome(result, config.failOn);
  if (metricsFile) {
    // Last: its exit code counts every file before it that could not be written.
    const exitCode = unwritten.length > 0 && decided.ok ? EXIT.config : decided.exitCode;
    const previous = await readPreviousMetrics(metricsFile, naming, options.logger);
    await write(
      metricsFile,
      renderMetrics(result, {
        exitCode,
        previousSuccess: previous === undefined ? undefined : previousSuccess(previous),
        toolVersion: VERSION,
      }),
    );
  }
  return {
    ...decided,
    // A run that did its work but could not say so in a file asked for is no success.
    ...(unwritten.length > 0 && {
      ok: false,
      exitCode: decided.ok ? EXIT.config : decided.exitCode,
      reason: [decided.reason, ...unwritten].filter((line) => line !== undefined).join('; '),
    }),
    unwritten,
    result,
    totals: computeTotals(result),
    summary,
    ...(reportFile && { reportFile }),
  };
}

/** A file's text; a bug in rendering it costs that file only (said in `unwritten`). */
function safeRender(what: string, unwritten: string[], render: () => string): string | undefined {
  try {
    return render();
  } catch (error) {
    unwritten.push(
      `${what} could not be rendered: ${error instanceof Error ? error.message : String(error)} (please report it)`,
    );
    return undefined;
  }
}

/** The metrics file the previous run wrote, for its last success; none when there is no file. A
 * file that cannot be read (not a regular file, over 1 MiB) is said, and its time not carried. */
async function readPreviousMetrics(
  file: OutputFile,
  naming: OptionNaming,
  logger: Logger,
): Promise<string | undefined> {
  try {
    return await readBoundedFile(file.path, 'metrics-file');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const why = error instanceof Error ? error.message : String(error);
    logger.warn(
      `${naming.name(file.input)} "${printable(file.path)}": the previous file cannot be read (${printable(why)}): the time of the last successful run starts again from 0`,
    );
    return undefined;
  }
}

/** The summary; a bug in rendering it costs the summary only (said in `unwritten`), never the report. */
function safeSummary(result: SyncResult, options: SummaryOptions, unwritten: string[]): string {
  try {
    return renderSummary(result, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    unwritten.push(`the summary could not be rendered: ${message} (please report it)`);
    return renderInternalError(message);
  }
}
