// The CLI for Jenkins and cron, importable by tests: the same inputs as the action, as --flags;
// secrets preferably from the environment (SOURCE_PASSWORD, HARBOR_PASSWORD) so they stay off the
// command line. It turns flags into a config and the one run path's outcome into an exit code.
import { parseArgs } from 'node:util';
import { buildConfig } from '../config/inputs.js';
import { INPUTS } from '../config/input-list.js';
import { isHarborSyncError } from '../errors/base.js';
import { consoleDisplay } from '../report/console.js';
import { EXIT, type ExitCode } from '../report/outcome.js';
import { runAndReport } from '../run-and-report.js';
import { VERSION } from '../version.js';
import { helpText } from './help.js';
import { fail, out } from './io.js';
import { reportMerge } from './report-merge.js';

export { EXIT } from '../report/outcome.js';
export { helpText } from './help.js';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  try {
    return await runCommand(argv, env);
  } catch (error) {
    // A bug, not bad input: still one line, never a stack trace full of paths.
    fail(`internal error: ${error instanceof Error ? error.message : String(error)} (please report it)`);
    return EXIT.config;
  }
}

async function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
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
  return await sync(read, { quiet: values.quiet === true, json: values.json === true });
}

async function sync(read: (name: string) => string | undefined, options: { quiet: boolean; json: boolean }): Promise<ExitCode> {
  let config;
  try {
    config = await buildConfig(read);
  } catch (error) {
    if (!isHarborSyncError(error)) throw error;
    fail(error.message);
    return EXIT.config;
  }
  const display = consoleDisplay({ err: process.stderr, out: { write: out }, ...options });
  // First SIGINT/SIGTERM: stop starting tags, let those in flight finish (or be abandoned after a
  // grace period), then write the report. A second one exits at once.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`harbor-sync: ${signal} received, finishing tags in flight (send it again to quit at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const outcome = await runAndReport(config, { logger: display.logger, signal: stop.signal }).finally(() => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    display.stop();
  });
  // --json: stdout carries only JSON events, the last one the report's totals.
  const { report } = outcome;
  if (options.json) out(`${JSON.stringify({ event: 'summary', totals: report.totals, fatal: report.fatal, interrupted: report.interrupted })}\n`);
  else out(outcome.summary);
  // A fatal error was printed as it happened; everything else ends with its reason.
  if (!outcome.ok && !outcome.result.fatal) fail(outcome.reason ?? 'failed');
  return outcome.exitCode;
}
