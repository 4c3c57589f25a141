// The CLI for Jenkins and cron, importable by tests: the same inputs as the action, as --flags;
// secrets preferably from the environment (SOURCE_PASSWORD, HARBOR_PASSWORD) so they stay off the
// command line. It turns flags into a config and the one run path's outcome into an exit code.
import { buildConfig } from '../config/inputs.js';
import { INPUTS, LIST_INPUTS, isBooleanInput } from '../config/input-list.js';
import { CLI_NAMES } from '../config/names.js';
import { isHarborSyncError } from '../errors/base.js';
import { consoleDisplay } from '../report/console.js';
import { EXIT, type ExitCode } from '../report/outcome.js';
import { runAndReport } from '../run-and-report.js';
import { VERSION } from '../version.js';
import { parseCommandLine, type OptionSpec } from './args.js';
import { helpText } from './help.js';
import { fail, out } from './io.js';
import { reportMerge } from './report-merge.js';

export { EXIT } from '../report/outcome.js';
export { helpText } from './help.js';

const COMMANDS = ['sync', 'plan', 'report-merge'];

/** Every input as a flag, plus the CLI's own. */
export const OPTIONS: readonly OptionSpec[] = [
  ...INPUTS.map(
    (i): OptionSpec => ({
      name: i.name,
      kind: isBooleanInput(i) ? 'boolean' : 'string',
      ...(LIST_INPUTS.has(i.name) && { list: true }),
    }),
  ),
  { name: 'help', kind: 'boolean', short: 'h' },
  { name: 'version', kind: 'boolean' },
  { name: 'quiet', kind: 'boolean', short: 'q' },
  { name: 'json', kind: 'boolean' },
  { name: 'allow-partial', kind: 'boolean' },
];

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  try {
    return await runCommand(argv, env);
  } catch (error) {
    if (isHarborSyncError(error) && error.step === 'config') {
      fail(error.message);
      return EXIT.config;
    }
    // A bug, not bad input: still one line, never a stack trace full of paths.
    fail(`internal error: ${error instanceof Error ? error.message : String(error)} (please report it)`);
    return EXIT.config;
  }
}

async function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  if (argv.length === 0) {
    out(helpText());
    return EXIT.config;
  }
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv, OPTIONS);
  } catch (error) {
    if (!isHarborSyncError(error)) throw error;
    fail(`${error.message}; harbor-sync --help lists the options`);
    return EXIT.config;
  }
  const { values, positionals } = parsed;
  const flag = (name: string): boolean => values.get(name) === 'true';
  if (flag('version')) {
    out(`harbor-sync ${VERSION}\n`);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  if (flag('help') || command === 'help') {
    out(helpText());
    return EXIT.ok;
  }
  if (command === undefined) {
    fail(
      'no command given: write harbor-sync sync [options] (or plan, report-merge); harbor-sync --help lists the options',
    );
    return EXIT.config;
  }
  if (!COMMANDS.includes(command)) {
    fail(`unknown command "${command}" (commands: ${COMMANDS.join(', ')})`);
    return EXIT.config;
  }
  if (command === 'report-merge')
    return await reportMerge(rest, {
      reportFile: values.get('report-file'),
      summaryFile: values.get('summary-file'),
      failOn: values.get('fail-on'),
      allowPartial: flag('allow-partial'),
    });
  if (rest.length > 0) {
    fail(`unexpected argument "${rest[0]}": options start with -- (harbor-sync --help lists them)`);
    return EXIT.config;
  }
  const read = (name: string): string | undefined => {
    if (command === 'plan' && name === 'dry-run') return 'true';
    const given = values.get(name);
    if (given !== undefined) return given;
    const envName = INPUTS.find((i) => i.name === name)?.env;
    return envName ? env[envName] : undefined;
  };
  return await sync(read, env, { quiet: flag('quiet'), json: flag('json') });
}

async function sync(
  read: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
  options: { quiet: boolean; json: boolean },
): Promise<ExitCode> {
  const config = await buildConfig(read, { env, names: CLI_NAMES });
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
  });
  // No progress line after a fatal error: the one line that says what went wrong is the last.
  display.stop({ progressLine: !outcome.result.fatal });
  // --json: stdout carries only JSON events, the last one the report's totals.
  const { result, totals } = outcome;
  if (options.json)
    out(
      `${JSON.stringify({ event: 'summary', dryRun: result.dryRun, totals, fatal: result.fatal ?? null, interrupted: result.interrupted === true })}\n`,
    );
  else out(outcome.summary);
  // A fatal error was printed as it happened; everything else ends with its reason.
  if (!outcome.ok && !outcome.result.fatal) fail(outcome.reason ?? 'failed');
  return outcome.exitCode;
}
