// The one lifecycle of both entry points (docker/actions-toolkit's `run(main, post)`): SIGINT and
// SIGTERM turned into a stop, what went wrong turned into one line and an exit code, never a stack
// trace. The action and the CLI give only their steps and how they say things.
import { type HarborSyncError, isHarborSyncError } from './errors/base.js';
import { EXIT, type ExitCode } from './report/outcome.js';

export interface EntryHooks {
  /** Bad input (a configuration error): said in one line; exit 2. */
  refused(error: HarborSyncError): void | Promise<void>;
  /** A bug of ours (the error's own message): said in one line, asking for a report; exit 2. */
  crashed(message: string): void | Promise<void>;
  /** The first SIGINT or SIGTERM: the run stops starting tags, finishes those in flight and writes
   * its report. Said here, when the entry point says it. */
  stopping?(signal: NodeJS.Signals): void;
  /** A second signal quits at once (the CLI, whose user pressed Ctrl-C twice); a cancelled
   * workflow sends SIGINT then SIGTERM by itself, so the action lets the first one's grace run. */
  quitOnSecondSignal: boolean;
}

/** Runs an entry point's steps. `stopOnSignal` starts watching SIGINT and SIGTERM and returns the
 * signal a run stops on; only a command that can stop gracefully asks for it, so any other exits
 * on Ctrl-C as a process does. */
export async function runEntry(
  steps: (stopOnSignal: () => AbortSignal) => Promise<ExitCode>,
  hooks: EntryHooks,
): Promise<ExitCode> {
  const stop = new AbortController();
  let watching = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      if (hooks.quitOnSecondSignal) process.exit(EXIT.interrupted);
      return;
    }
    hooks.stopping?.(signal);
    stop.abort();
  };
  const stopOnSignal = (): AbortSignal => {
    if (!watching) process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    watching = true;
    return stop.signal;
  };
  try {
    return await steps(stopOnSignal);
  } catch (error) {
    if (isHarborSyncError(error) && error.step === 'config') {
      await hooks.refused(error);
      return EXIT.config;
    }
    await hooks.crashed(error instanceof Error ? error.message : String(error));
    return EXIT.config;
  } finally {
    if (watching) process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
