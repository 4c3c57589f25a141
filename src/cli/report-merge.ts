// `harbor-sync report-merge`: one report, summary, JUnit report, HTML page and metrics file from
// the reports of a sharded sync, written as a sync writes them; the exit follows --fail-on on the
// whole.
import { ConfigError } from '../errors/base.js';
import { readBoundedFile } from '../config/read-file.js';
import { parseFailOn } from '../config/values.js';
import { CLI_NAMES } from '../config/option-names.js';
import type { FailOn, SyncResult } from '../model/result.js';
import { checkShardSet, mergeResults, resultFromReport } from '../report/merge.js';
import { EXIT, type ExitCode } from '../report/outcome.js';
import { prepareReports, writeReports, type ReportPaths } from '../write-reports.js';
import { fail, out } from './io.js';

export interface MergeOptions extends ReportPaths {
  failOn?: string | undefined;
  /** Merge even when shards are missing; the summary then says so first. */
  allowPartial: boolean;
}

export async function reportMerge(files: string[], flags: MergeOptions): Promise<ExitCode> {
  if (files.length === 0) {
    fail(
      'report-merge needs the shard reports: harbor-sync report-merge [--report-file merged.json] [--summary-file merged.md] a.json b.json …',
    );
    return EXIT.config;
  }
  let merged: SyncResult;
  let failOn: FailOn;
  try {
    failOn = parseFailOn(flags.failOn ?? 'failed', '--fail-on');
    const reports = await Promise.all(
      files.map(async (file) => ({ file, result: resultFromReport(await readJson(file), file) })),
    );
    const missing = checkShardSet(reports, flags.allowPartial);
    merged = mergeResults(
      reports.map((r) => r.result),
      missing,
    );
  } catch (error) {
    // A file that cannot be read or parsed, is no report, or does not belong to the set: one line.
    fail((error as Error).message);
    return EXIT.config;
  }
  const paths: ReportPaths = {
    reportFile: flags.reportFile,
    summaryFile: flags.summaryFile,
    junitFile: flags.junitFile,
    htmlFile: flags.htmlFile,
    metricsFile: flags.metricsFile,
  };
  try {
    await prepareReports(paths, CLI_NAMES);
  } catch (error) {
    fail((error as Error).message);
    return EXIT.config;
  }
  const { summary, outcome } = await writeReports(merged, paths, {
    failOn,
    naming: CLI_NAMES,
    logger: { warn: fail },
    audience: 'cli',
  });
  out(summary);
  if (!outcome.ok) fail(outcome.reason ?? 'failed');
  return outcome.exitCode;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readBoundedFile(file, 'report');
  } catch (error) {
    throw new ConfigError(`${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConfigError(`${file} is not JSON: is it a harbor-sync report?`);
  }
}
