// `harbor-sync report-merge`: one report and one summary from the reports of a sharded sync; the
// exit follows --fail-on on the whole.
import { readFile } from 'node:fs/promises';
import { isHarborSyncError } from '../errors/base.js';
import { parseFailOn } from '../config/values.js';
import { writeScrubbed } from '../redact/output.js';
import { buildReport } from '../report/json.js';
import { mergeResults, resultFromReport } from '../report/merge.js';
import { EXIT, decideOutcome, type ExitCode } from '../report/outcome.js';
import { renderSummary } from '../report/summary.js';
import { VERSION } from '../version.js';
import { fail, out } from './io.js';

export async function reportMerge(files: string[], flags: Record<string, string | undefined>): Promise<ExitCode> {
  if (files.length === 0) {
    fail('report-merge needs the shard reports: harbor-sync report-merge [--report-file merged.json] [--summary-file merged.md] a.json b.json …');
    return EXIT.config;
  }
  let merged;
  let failOn;
  try {
    failOn = parseFailOn(flags['fail-on'] ?? 'failed', 'fail-on');
    const results = await Promise.all(files.map(async (file) => resultFromReport(JSON.parse(await readFile(file, 'utf8')), file)));
    merged = mergeResults(results);
  } catch (error) {
    // A file that cannot be read or parsed, or is no report: one line naming it.
    fail(isHarborSyncError(error) ? error.message : `${(error as Error).message}`);
    return EXIT.config;
  }
  const summary = renderSummary(merged);
  out(summary);
  if (flags['summary-file']) await writeScrubbed(flags['summary-file'], summary);
  if (flags['report-file']) await writeScrubbed(flags['report-file'], JSON.stringify(buildReport(merged, VERSION), null, 2) + '\n');
  const outcome = decideOutcome(merged, failOn);
  if (!outcome.ok) fail(outcome.reason ?? 'failed');
  return outcome.exitCode;
}
