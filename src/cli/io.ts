// What the CLI writes: stdout carries only what it means to print (cli.ts sends everything else to
// stderr), stderr one line per message; control characters never reach the terminal.
import { writeDirect } from '../redact/output.js';
import { escapeControl } from '../redact/text.js';

export function out(text: string): void {
  writeDirect(process.stdout, escapeControl(text));
}

/** `harbor-sync: <message>` on stderr. */
export function fail(message: string): void {
  process.stderr.write(`harbor-sync: ${escapeControl(message)}\n`);
}
