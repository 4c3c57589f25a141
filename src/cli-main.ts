// The CLI's work, importable by tests. The CLI for Jenkins and cron: the same inputs as the action, as --flags; secrets preferably from
// the environment (SOURCE_PASSWORD, HARBOR_PASSWORD) so they stay off the command line.
// Exit codes: 0 ok, 1 sync failures per --fail-on, 2 configuration or preflight error.
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { buildConfig, ConfigError } from './inputs.js';
import { INPUTS } from './input-list.js';
import { runSync } from './sync/engine.js';
import { buildReport } from './report/json.js';
import { renderSummary } from './report/summary.js';
import { decideOutcome } from './report/outcome.js';
import { mergeResults, resultFromReport } from './report/merge.js';
import { consoleDisplay } from './report/console.js';
import { VERSION } from './version.js';
import { writeDirect, writeScrubbed } from './redact/output.js';
import { escapeControl } from './redact/text.js';

export const EXIT = { ok: 0, failed: 1, config: 2, interrupted: 130 } as const;

/** What the CLI itself prints on stdout (cli.ts sends everything else to stderr); the summary
 * goes to terminals too, so no control character passes. */
function out(text: string): void {
  writeDirect(process.stdout, escapeControl(text));
}

/** One line on stderr, control characters escaped (a value may come from an images file). */
function fail(message: string): void {
  process.stderr.write(`harbor-sync: ${escapeControl(message)}\n`);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await runCommand(argv, env);
  } catch (error) {
    // A bug, not bad input: still one line, never a stack trace full of paths.
    fail(`internal error: ${error instanceof Error ? error.message : String(error)} (please report it)`);
    return EXIT.config;
  }
}

async function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = Object.fromEntries(INPUTS.map((i) => [i.name, { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\nRun harbor-sync --help for the options.`);
    return EXIT.config;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    out(`harbor-sync ${VERSION}\n`);
    return EXIT.ok;
  }
  const command = positionals[0] ?? (values.help ? 'help' : undefined);
  if (values.help || command === 'help' || command === undefined) {
    out(helpText());
    return command === undefined && !values.help ? EXIT.config : EXIT.ok;
  }
  if (command === 'report-merge') return await reportMerge(positionals.slice(1), values as Record<string, string | undefined>);
  if (command !== 'sync' && command !== 'plan') {
    fail(`unknown command "${command}" (commands: sync, plan, report-merge)`);
    return EXIT.config;
  }
  const flags = values as Record<string, string | boolean | undefined>;
  const read = (name: string): string | undefined => {
    if (command === 'plan' && name === 'dry-run') return 'true';
    const flag = flags[name];
    if (typeof flag === 'string') return flag;
    const envName = INPUTS.find((i) => i.name === name)?.env;
    return envName ? env[envName] : undefined;
  };
  let config;
  try {
    config = await buildConfig(read);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(error.message);
    return EXIT.config;
  }
  const json = values.json === true;
  const display = consoleDisplay({ err: process.stderr, out: { write: out }, quiet: values.quiet === true, json });
  // First SIGINT/SIGTERM: stop starting tags, let those in flight finish (or be abandoned after a
  // grace period), then write the report. A second one exits at once.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`harbor-sync: ${signal} received, finishing tags in flight (send it again to quit at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const result = await runSync(config, display.logger, undefined, { signal: stop.signal }).finally(() => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    display.stop();
  });
  const summary = renderSummary(result);
  const report = buildReport(result, VERSION);
  // --json: stdout carries only JSON events, the last one the report's totals.
  if (json) out(`${JSON.stringify({ event: 'summary', totals: report.totals, fatal: report.fatal, interrupted: report.interrupted })}\n`);
  else out(summary);
  if (config.summaryFile) await writeScrubbed(config.summaryFile, summary);
  if (config.reportFile) await writeScrubbed(config.reportFile, JSON.stringify(report, null, 2) + '\n');
  if (result.fatal) return EXIT.config;
  if (result.interrupted) {
    fail(`interrupted; ${result.notStarted.length} tag(s) not started — run the same command again to complete them`);
    return EXIT.interrupted;
  }
  const outcome = decideOutcome(result, config.failOn);
  if (!outcome.ok) fail(outcome.reason ?? 'failed');
  return outcome.ok ? EXIT.ok : EXIT.failed;
}

/** Merges shard reports into one report and one summary; exits per --fail-on on the whole. */
async function reportMerge(files: string[], flags: Record<string, string | undefined>): Promise<number> {
  if (files.length === 0) {
    fail('report-merge needs the shard reports: harbor-sync report-merge [--report-file merged.json] [--summary-file merged.md] a.json b.json …');
    return EXIT.config;
  }
  let merged;
  try {
    const results = await Promise.all(files.map(async (file) => resultFromReport(JSON.parse(await readFile(file, 'utf8')), file)));
    merged = mergeResults(results);
  } catch (error) {
    fail((error as Error).message);
    return EXIT.config;
  }
  const summary = renderSummary(merged);
  out(summary);
  if (flags['summary-file']) await writeScrubbed(flags['summary-file'], summary);
  if (flags['report-file']) await writeScrubbed(flags['report-file'], JSON.stringify(buildReport(merged, VERSION), null, 2) + '\n');
  const failOn = flags['fail-on'] ?? 'failed';
  if (failOn !== 'failed' && failOn !== 'stale' && failOn !== 'never') {
    fail(`fail-on must be one of failed, stale, never, not "${failOn}"`);
    return EXIT.config;
  }
  const outcome = decideOutcome(merged, failOn);
  if (!outcome.ok) fail(outcome.reason ?? 'failed');
  return merged.fatal ? EXIT.config : outcome.ok ? EXIT.ok : EXIT.failed;
}

export function helpText(): string {
  const rows = INPUTS.map((i) => {
    const extra = [i.default !== undefined ? `default: ${i.default}` : '', i.env ? `env: ${i.env}` : ''].filter(Boolean).join(', ');
    return `  --${i.name.padEnd(20)} ${i.description}${extra ? ` (${extra})` : ''}`;
  });
  return [
    `harbor-sync ${VERSION}: copy container images from a Distribution/OCI registry into Harbor 2.x`,
    '',
    'Usage: harbor-sync sync [options]     copy every listed tag that Harbor lacks',
    '       harbor-sync plan [options]     the same run as a dry run: classify, write nothing',
    '       harbor-sync report-merge [--report-file F] [--summary-file F] [--fail-on X] shard1.json shard2.json …',
    '                                       one report and summary from the reports of a sharded sync',
    '       harbor-sync --version | --help',
    '',
    'Options:',
    ...rows,
    '  --quiet, -q              Print only errors and the summary (no per-tag lines, no progress)',
    '  --json                   Machine-readable: one JSON object per line on stdout ({"event":"tag",…} per tag,',
    '                           {"event":"summary","totals":…} last); the Markdown summary only in --summary-file',
    '',
    'Example (credentials from the environment, e.g. a Jenkins withCredentials block):',
    '  SOURCE_USERNAME=reader SOURCE_PASSWORD=… HARBOR_USERNAME="robot$sync" HARBOR_PASSWORD=… \\',
    '    node dist/cli.js sync --source-registry https://old-registry:5000 --harbor-url https://harbor.example.com \\',
    '      --images "team-a/app:1.2, alpine:3.19" --report-file report.json --summary-file summary.md',
    '',
    'Exit codes: 0 ok; 1 failed tags (or stale ones with --fail-on stale); 2 configuration, credentials or connection error; 130 interrupted (SIGINT/SIGTERM).',
    '',
  ].join('\n');
}
