// The CLI for Jenkins and cron, importable by tests: the same inputs as the action, as --flags;
// secrets preferably from the environment (SOURCE_PASSWORD, HARBOR_PASSWORD) so they stay off the
// command line. It turns flags into a config and the one run path's outcome into an exit code.
import { buildConfig } from '../config/inputs.js';
import { INPUTS, LIST_INPUTS, isBooleanInput } from '../config/input-list.js';
import { CLI_NAMES } from '../config/option-names.js';
import { ConfigError, isHarborSyncError } from '../errors/base.js';
import { printable } from '../redact/text.js';
import { consoleDisplay } from '../report/console.js';
import { jsonLine } from '../report/escape.js';
import { EXIT, type ExitCode } from '../report/outcome.js';
import { runEntry } from '../lifecycle.js';
import { runAndReport } from '../run-and-report.js';
import { VERSION } from '../version.js';
import { parseCommandLine, type OptionSpec } from './args.js';
import { COMMANDS, isCommand, misplacedOption } from './commands.js';
import { helpText } from './help.js';
import { fail, out } from './io.js';
import { reportMerge } from './report-merge.js';

export { EXIT } from '../report/outcome.js';
export { helpText } from './help.js';

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
  const json = jsonWanted(argv);
  return await runEntry((stopOnSignal) => runCommand(argv, env, stopOnSignal), {
    refused: (error) => refused({ step: 'config', errorCode: error.code, message: error.message }, json),
    // A bug, not bad input: still one line, never a stack trace full of paths.
    crashed: (message) =>
      refused(
        { step: 'internal', errorCode: 'INTERNAL', message: `internal error: ${message} (please report it)` },
        json,
      ),
    stopping: (signal) =>
      process.stderr.write(
        `harbor-sync: ${signal} received, finishing tags in flight (send it again to quit at once)\n`,
      ),
    quitOnSecondSignal: true,
  });
}

/** One line on stderr; with --json also one error event on stdout, so a pipeline reading only
 * stdout learns why there is nothing else. */
function refused(error: { step: string; errorCode: string; message: string }, json: boolean): void {
  fail(error.message);
  if (json) out(`${jsonLine({ event: 'error', ...error })}\n`);
}

/** --json, read from the raw arguments: an error in the arguments themselves is reported before
 * they are parsed, and a --json reader must get it as JSON too. */
function jsonWanted(argv: readonly string[]): boolean {
  let wanted = false;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const arg = argv[i]!;
    if (arg === '--no-json') wanted = false;
    else if (arg === '--json') wanted = !/^(false|no|off|0)$/i.test(argv[i + 1] ?? '');
    else if (arg.startsWith('--json=')) wanted = /^(true|yes|on|1)$/i.test(arg.slice('--json='.length));
  }
  return wanted;
}

async function runCommand(argv: string[], env: NodeJS.ProcessEnv, stopOnSignal: () => AbortSignal): Promise<ExitCode> {
  if (argv.length === 0) {
    out(helpText());
    return EXIT.config;
  }
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv, OPTIONS);
  } catch (error) {
    if (!isHarborSyncError(error)) throw error;
    // The overview lists the commands; each command's help, its options.
    const command = argv.find(isCommand);
    throw new ConfigError(`${error.message}; harbor-sync ${command ? `${command} ` : ''}--help lists the options`);
  }
  const { values, positionals } = parsed;
  const flag = (name: string): boolean => values.get(name) === 'true';
  if (flag('version')) {
    out(`harbor-sync ${VERSION}\n`);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  // `harbor-sync help sync` as well as `harbor-sync sync --help`.
  const helpOf = command === 'help' ? rest[0] : command;
  if (flag('help') || command === 'help') {
    out(helpText(helpOf !== undefined && isCommand(helpOf) ? helpOf : undefined));
    return EXIT.ok;
  }
  if (command === undefined) {
    throw new ConfigError(
      'no command given: write harbor-sync sync [options] (or plan, report-merge); harbor-sync --help lists the commands',
    );
  }
  if (!isCommand(command))
    throw new ConfigError(`unknown command "${printable(command)}" (commands: ${COMMANDS.join(', ')})`);
  const misplaced = misplacedOption(command, values.keys());
  if (misplaced) throw new ConfigError(misplaced);
  if (command === 'report-merge')
    return await reportMerge(rest, {
      reportFile: values.get('report-file'),
      summaryFile: values.get('summary-file'),
      junitFile: values.get('junit-file'),
      htmlFile: values.get('html-file'),
      metricsFile: values.get('metrics-file'),
      failOn: values.get('fail-on'),
      allowPartial: flag('allow-partial'),
    });
  if (rest.length > 0) {
    throw new ConfigError(
      `unexpected argument "${printable(rest[0]!)}": options start with -- (harbor-sync ${command} --help lists them)`,
    );
  }
  const read = (name: string): string | undefined => {
    if (command === 'plan' && name === 'dry-run') return 'true';
    const given = values.get(name);
    if (given !== undefined) return given;
    const envName = INPUTS.find((i) => i.name === name)?.env;
    return envName ? env[envName] : undefined;
  };
  return await sync(read, env, { quiet: flag('quiet'), json: flag('json'), stopOnSignal });
}

async function sync(
  read: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
  options: { quiet: boolean; json: boolean; stopOnSignal: () => AbortSignal },
): Promise<ExitCode> {
  const config = await buildConfig(read, { env, names: CLI_NAMES });
  const display = consoleDisplay({ err: process.stderr, out: { write: out }, ...options });
  // First SIGINT/SIGTERM: stop starting tags, let those in flight finish (or be abandoned after a
  // grace period), then write the report. A second one exits at once (lifecycle.ts).
  const outcome = await runAndReport(config, {
    logger: display.logger,
    signal: options.stopOnSignal(),
    summary: { audience: 'cli' },
  }).catch((error: unknown) => {
    // Refused before the run (an output file that cannot be written): no progress line.
    display.stop({ progressLine: false });
    throw error;
  });
  // No progress line after a fatal error: the one line that says what went wrong is the last.
  display.stop({ progressLine: !outcome.result.fatal });
  // --json: stdout carries only JSON events, the last one the report's totals.
  const { result, totals } = outcome;
  if (options.json)
    out(
      `${jsonLine({
        event: 'summary',
        dryRun: result.dryRun,
        totals,
        fatal: result.fatal ?? null,
        interrupted: result.interrupted === true,
        ...(result.catalogIncomplete && { catalogIncomplete: true }),
        ...(outcome.unwritten.length > 0 && { unwritten: outcome.unwritten }),
      })}\n`,
    );
  else out(outcome.summary);
  // A fatal error was printed as it happened (then only the files not written are left to say);
  // everything else ends with its reason, which names any file not written.
  if (outcome.result.fatal) for (const line of outcome.unwritten) fail(line);
  else if (!outcome.ok) fail(outcome.reason ?? 'failed');
  return outcome.exitCode;
}
