// The files a finished run is reported in (JSON report, Markdown summary, JUnit, HTML page,
// metrics), for a sync and for report-merge alike: one model, each renderer once. Each file is
// written whatever befalls the others, and a file that could not be written is said.
import type { Logger } from './model/events.js';
import type { FailOn, SyncResult } from './model/result.js';
import type { OptionNaming } from './model/config.js';
import { prepareOutputFiles, writeOutputFile, type OutputFile } from './output-files.js';
import { readBoundedFile } from './config/read-file.js';
import { renderHtmlPage } from './report/html.js';
import { reportText } from './report/json.js';
import { junitText } from './report/junit.js';
import { previousSuccess, renderMetrics } from './report/metrics.js';
import { decideOutcome, EXIT, type Outcome } from './report/outcome.js';
import { printable } from './redact/text.js';
import { renderInternalError, renderSummary, type SummaryOptions } from './report/summary.js';
import { VERSION } from './version.js';

export interface ReportPaths {
  reportFile?: string | undefined;
  summaryFile?: string | undefined;
  junitFile?: string | undefined;
  htmlFile?: string | undefined;
  metricsFile?: string | undefined;
}

export interface WriteOptions {
  failOn: FailOn;
  naming: OptionNaming;
  logger: Pick<Logger, 'warn'>;
  /** How the summary speaks (the CLI's says "the run", the action's "the step"). */
  audience?: SummaryOptions['audience'];
}

export interface Written {
  /** The Markdown summary (not yet scrubbed: the caller's writer scrubs). */
  summary: string;
  /** One line per file that could not be written (or rendered), naming the input and the file. */
  unwritten: string[];
  /** The run's outcome, a file not written included (exit 2 when nothing else failed). */
  outcome: Outcome;
}

/** The files asked for, as the inputs that name them. */
function outputFiles(paths: ReportPaths): Record<keyof ReportPaths, OutputFile | undefined> {
  const file = (input: OutputFile['input'], path: string | undefined, atomic = false): OutputFile | undefined =>
    path ? { input, path, ...(atomic && { atomic }) } : undefined;
  return {
    reportFile: file('report-file', paths.reportFile),
    summaryFile: file('summary-file', paths.summaryFile),
    junitFile: file('junit-file', paths.junitFile),
    htmlFile: file('html-file', paths.htmlFile),
    metricsFile: file('metrics-file', paths.metricsFile, true),
  };
}

/** Before any request: a path that cannot be written is bad input, not the end of a long sync. */
export async function prepareReports(paths: ReportPaths, naming: OptionNaming): Promise<void> {
  const files = Object.values(outputFiles(paths)).filter((f) => f !== undefined);
  await prepareOutputFiles(files, naming);
}

export async function writeReports(result: SyncResult, paths: ReportPaths, options: WriteOptions): Promise<Written> {
  const files = outputFiles(paths);
  const { failOn, naming } = options;
  const summaryOptions: SummaryOptions = {
    reportFile: paths.reportFile,
    failOn,
    ...(options.audience && { audience: options.audience }),
  };
  const unwritten: string[] = [];
  const write = async (file: OutputFile | undefined, text: () => string | Iterable<string>): Promise<void> => {
    if (!file) return;
    const rendered = safeRender(RENDERED[file.input], unwritten, text);
    if (rendered === undefined) return;
    const problem = await writeOutputFile(file, rendered, naming);
    if (problem) unwritten.push(problem);
  };
  await write(files.reportFile, () => reportText(result, VERSION));
  const summary = safeSummary(result, summaryOptions, unwritten);
  await write(files.summaryFile, () => summary);
  await write(files.junitFile, () => junitText(result, { failOn, toolVersion: VERSION }));
  await write(files.htmlFile, () => renderHtmlPage(result, summaryOptions));
  const decided = decideOutcome(result, failOn);
  const metrics = files.metricsFile;
  if (metrics) {
    // Last: its exit code counts every file before it that could not be written.
    const exitCode = unwritten.length > 0 && decided.ok ? EXIT.config : decided.exitCode;
    const previous = await readPreviousMetrics(metrics, naming, options.logger);
    await write(metrics, () =>
      renderMetrics(result, {
        exitCode,
        previousSuccess: previous === undefined ? undefined : previousSuccess(previous),
        toolVersion: VERSION,
      }),
    );
  }
  // A run that did its work but could not say so in a file asked for is no success.
  const outcome: Outcome =
    unwritten.length === 0
      ? decided
      : {
          ok: false,
          exitCode: decided.ok ? EXIT.config : decided.exitCode,
          reason: [decided.reason, ...unwritten].filter((line) => line !== undefined).join('; '),
        };
  return { summary, unwritten, outcome };
}

/** What each file holds, for the line that says it could not be rendered. */
const RENDERED: Record<OutputFile['input'], string> = {
  'report-file': 'the JSON report',
  'summary-file': 'the summary',
  'junit-file': 'the JUnit report',
  'html-file': 'the HTML page',
  'metrics-file': 'the metrics',
};

/** A file's text; a bug in rendering it costs that file only (said in `unwritten`). */
function safeRender<T>(what: string, unwritten: string[], render: () => T): T | undefined {
  try {
    return render();
  } catch (error) {
    unwritten.push(`${what} could not be rendered: ${messageOf(error)} (please report it)`);
    return undefined;
  }
}

/** The summary; a bug in rendering it costs the summary only (said in `unwritten`), never the report. */
function safeSummary(result: SyncResult, options: SummaryOptions, unwritten: string[]): string {
  try {
    return renderSummary(result, options);
  } catch (error) {
    unwritten.push(`the summary could not be rendered: ${messageOf(error)} (please report it)`);
    return renderInternalError(messageOf(error));
  }
}

/** The metrics file the previous run wrote, for its last success; none when there is no file. A
 * file that cannot be read (not a regular file, over 1 MiB) is said, and its time not carried. */
async function readPreviousMetrics(
  file: OutputFile,
  naming: OptionNaming,
  logger: Pick<Logger, 'warn'>,
): Promise<string | undefined> {
  try {
    return await readBoundedFile(file.path, 'metrics-file');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    logger.warn(
      `${naming.name(file.input)} "${printable(file.path)}": the previous file cannot be read (${printable(messageOf(error))}): the time of the last successful run starts again from 0`,
    );
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
