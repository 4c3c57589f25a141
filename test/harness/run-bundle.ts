// The committed bundles as users start them, in a child process: the CLI (`node dist/cli.js …`, as
// Jenkins and cron run it) and the action (`node dist/action/index.js` with the INPUT_* environment
// and the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files the Actions runner gives it). The child gets
// PATH and what the test names, nothing else of this process's environment (no HOME,
// DOCKER_CONFIG or TMPDIR unless the test sets them), so a run never depends on the machine.
// They need a fresh bundle: `npm run build`. runProgram runs any other program the same way (npm,
// sh, skopeo, a script).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type WorkflowCommand, workflowCommands } from './workflow-commands.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BUNDLE = join(ROOT, 'dist/cli.js');
export const ACTION_BUNDLE = join(ROOT, 'dist/action/index.js');

export interface RunOptions {
  /** The child's environment besides PATH (this process's PATH unless given here). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to the child's stdin, which is then closed (closed at once without it). */
  stdin?: string;
  /** Milliseconds; 60 s unless given. A run still going then is killed with `killSignal` and the
   * promise rejects, so a hang fails the test instead of passing for an exit code. */
  timeout?: number;
  /** How the time limit kills: SIGTERM unless given (SIGKILL for a loop that never reaches the
   * CLI's own SIGTERM handler). */
  killSignal?: NodeJS.Signals;
  /** Sends `signal` once, the first time the stderr so far matches `when`: a Ctrl-C or a cancelled
   * job mid-run. `signalledAt` in the result says when. */
  interrupt?: { when: RegExp; signal: NodeJS.Signals };
  /** Gets the child once it has started, to signal it on a condition of the test's own. */
  started?: (child: ChildProcess) => void;
}

export interface ProgramRun {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they arrived, interleaved (what a terminal or a CI log shows). */
  output: string;
  /** Date.now() when `interrupt` sent its signal; undefined when it did not. */
  signalledAt?: number;
}

/** Runs `file` with `args` to its end; every byte it writes is kept. */
export function runProgram(file: string, args: string[], options: RunOptions = {}): Promise<ProgramRun> {
  const timeout = options.timeout ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const run: ProgramRun = { code: null, signal: null, stdout: '', stderr: '', output: '' };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill(options.killSignal ?? 'SIGTERM');
    }, timeout);
    child.stdout.on('data', (d: Buffer) => {
      run.stdout += d.toString();
      run.output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      run.stderr += d.toString();
      run.output += d.toString();
      const interrupt = options.interrupt;
      if (interrupt && run.signalledAt === undefined && interrupt.when.test(run.stderr)) {
        run.signalledAt = Date.now();
        child.kill(interrupt.signal);
      }
    });
    child.stdin.on('error', () => undefined); // a child may exit before reading its input
    child.stdin.end(options.stdin);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': by then stdout and stderr have been read to their end.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        return reject(
          new Error(
            `${[file, ...args].join(' ')} did not end within ${timeout / 1000} s (killed with ${options.killSignal ?? 'SIGTERM'}); its stderr ended:\n${run.stderr.slice(-2000)}`,
          ),
        );
      resolve({ ...run, code, signal });
    });
    options.started?.(child);
  });
}

/** `node dist/cli.js …args`. */
export function runCli(args: string[], options: RunOptions = {}): Promise<ProgramRun> {
  return runProgram(process.execPath, [CLI_BUNDLE, ...args], options);
}

export interface ActionRun extends ProgramRun {
  /** RUNNER_TEMP, a new directory: the action writes its default report there. */
  dir: string;
  /** What the action wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** GITHUB_OUTPUT as written, and the outputs read from it as the runner reads them. */
  outputFile: string;
  outputs: Record<string, string>;
  /** The error, warning and notice commands on stdout, read the way the runner reads them. */
  annotations: WorkflowCommand[];
}

/** `node dist/action/index.js` with `inputs` (by the names action.yml gives them) as INPUT_*, and
 * empty GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files in a new RUNNER_TEMP; `options.env` adds to
 * that environment or overrides it. */
export async function runAction(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'hs-action-'));
  const summaryFile = join(dir, 'step-summary.md');
  const outputFile = join(dir, 'github-output');
  await writeFile(summaryFile, '');
  await writeFile(outputFile, '');
  const env: Record<string, string> = {};
  // As @actions/core's getInput looks them up: spaces to underscores, upper case.
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const run = await runProgram(process.execPath, [ACTION_BUNDLE], {
    ...options,
    env: { ...env, RUNNER_TEMP: dir, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile, ...options.env },
  });
  const outputText = await readFile(outputFile, 'utf8');
  return {
    ...run,
    dir,
    summary: await readFile(summaryFile, 'utf8'),
    outputFile: outputText,
    outputs: readOutputs(outputText),
    annotations: workflowCommands(run.stdout).filter((c) => ['error', 'warning', 'notice'].includes(c.name)),
  };
}

/** `name<<DELIMITER\nvalue\nDELIMITER\n` entries, as @actions/core writes them; a name written
 * twice is an error (the runner would keep only the last). */
function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    if (Object.hasOwn(outputs, m[1]!)) throw new Error(`GITHUB_OUTPUT: ${m[1]} written twice:\n${text}`);
    outputs[m[1]!] = m[3]!;
  }
  return outputs;
}
