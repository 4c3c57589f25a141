// What the CLI writes: stdout carries only what it means to print (cli.ts sends everything else to
// stderr), stderr one line per message; control characters never reach the terminal, and in a
// workflow step no line reads as a workflow command (a runner reads both streams for them).
import { writeDirect } from '../redact/output.js';
import { logLine } from '../report/escape.js';

export function out(text: string): void {
  writeDirect(process.stdout, logLine(text));
}

/** `harbor-sync: <message>` on stderr. */
export function fail(message: string): void {
  process.stderr.write(`harbor-sync: ${logLine(message)}\n`);
}
