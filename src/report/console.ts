// How a run shows itself while it goes. Three audiences:
// - a terminal: per-tag lines scroll, one live progress line stays at the bottom;
// - a log (Jenkins, cron): per-tag lines, and a progress line every few seconds;
// - a pipeline that parses output (--json): one JSON object per line, nothing else on stdout.
// The Actions log (groups per interval) is built in actionsLogger below from the same Progress.
import type { Logger, SyncEvent } from '../model/events.js';
import { itemLine } from './log-line.js';
import { jsonLine, logLine } from './escape.js';
import { Progress } from './progress.js';

export interface ConsoleOptions {
  /** stderr: per-tag lines and progress. */
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** stdout: JSON events with --json. */
  out: { write(text: string): unknown };
  quiet: boolean;
  json: boolean;
  /** How often the log gets a progress line (the terminal line is redrawn more often). */
  intervalMs?: number;
}

export interface Display {
  logger: Logger;
  /** Stops the timers and prints the last progress line (not after a fatal error: the line saying
   * what went wrong stays the last). */
  stop(options?: { progressLine?: boolean }): void;
}

export function consoleDisplay(options: ConsoleOptions): Display {
  const progress = new Progress();
  const live = options.err.isTTY === true && !options.quiet && !options.json;
  let shown = false; // a live line is on screen and must be cleared before other output
  const clear = (): void => {
    if (shown) options.err.write('\r\x1b[K');
    shown = false;
  };
  // A log (a pipe or a file, not a terminal) gets the lines of one turn of the event loop in one
  // write: a write per tag wakes the process reading the pipe (Jenkins' agent, a runner) once per
  // tag, and a no-op of 24,000 tags wrote 24,000 times.
  let pending = '';
  const flush = (): void => {
    if (!pending) return;
    const text = pending;
    pending = '';
    options.err.write(text);
  };
  // A message may quote what a server or a file said: no control character reaches the terminal,
  // and no line reads as a workflow command when the CLI runs in a workflow step (escape.ts).
  const say = (line: string): void => {
    if (live) {
      clear();
      options.err.write(`${logLine(line)}\n`);
      return;
    }
    if (!pending) setImmediate(flush);
    pending += `${logLine(line)}\n`;
  };
  const draw = (): void => {
    clear();
    options.err.write(progress.line());
    shown = true;
  };
  const tick = live ? draw : () => !options.quiet && say(progress.line());
  const timer = setInterval(tick, live ? 500 : (options.intervalMs ?? 10_000));
  timer.unref();
  const json = (value: unknown): void => {
    options.out.write(`${jsonLine(value)}\n`);
  };
  const logger: Logger = {
    info: (m) => !options.quiet && say(m),
    warn: (m) => !options.quiet && say(`warning: ${m}`),
    // An error is written at once: the process may be about to end.
    error: (m) => {
      say(`error: ${m}`);
      flush();
    },
    debug: () => undefined,
    event: (e: SyncEvent) => {
      progress.onEvent(e);
      if (e.type === 'done') {
        const line = itemLine(e.item, e.dryRun);
        logger[line.level](line.text);
      }
      // A dry run's events say so: a pipeline must not take a plan for a copy.
      if (options.json && e.type === 'done') json({ event: 'tag', ...(e.dryRun && { dryRun: true }), ...e.item });
      if (options.json && e.type === 'discovered') json({ event: 'discovered' });
    },
  };
  return {
    logger,
    stop: ({ progressLine = true } = {}) => {
      clearInterval(timer);
      flush();
      clear();
      if (progressLine && !options.quiet && !options.json) options.err.write(`${progress.line()}\n`);
    },
  };
}

/** The part of @actions/core the Actions display needs (so it is testable without a runner). */
export interface ActionsLog {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  startGroup(name: string): void;
  endGroup(): void;
}

/** Actions log: each interval's per-tag lines fold into a group whose title is the progress line,
 * so the collapsed log reads as a progress report. */
export function actionsDisplay(core: ActionsLog, intervalMs = 10_000): Display {
  const progress = new Progress();
  core.startGroup('harbor-sync: starting');
  const timer = setInterval(() => {
    core.endGroup();
    core.startGroup(progress.line());
  }, intervalMs);
  timer.unref();
  // core.info writes its text raw: a value with a newline and `::error::` in it would be a
  // command. Every message goes through logLine here, the one place this display writes.
  const logger: Logger = {
    info: (m) => core.info(logLine(m)),
    warn: (m) => core.warning(logLine(m)),
    error: (m) => core.error(logLine(m)),
    debug: (m) => core.debug(logLine(m)),
    event: (e) => {
      progress.onEvent(e);
      // Plain lines, not annotations: GitHub shows 10 per step, first come first served, so a
      // tag each would crowd out the grouped ones the action writes at the end (annotations.ts).
      if (e.type === 'done') logger.info(itemLine(e.item, e.dryRun).text);
    },
  };
  return {
    logger,
    stop: ({ progressLine = true } = {}) => {
      clearInterval(timer);
      core.endGroup();
      if (progressLine) core.info(progress.line());
    },
  };
}
