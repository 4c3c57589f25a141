// The write side of the redaction point: process.stdout and process.stderr are wrapped once, at
// the start of an entry point, so every byte the process writes there is scrubbed, including what
// libraries print (@actions/core's commands, @actions/exec's `[command]` lines). Files the tool
// writes (report, summary) go through writeScrubbed.
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { scrub } from './secrets.js';

type Write = NodeJS.WriteStream['write'];
const installed = new WeakSet<NodeJS.WriteStream>();

/** Makes `stream.write` scrub every chunk. `divert`, when given, receives the chunks instead of
 * the stream (the CLI's --json keeps stdout for its own JSON and sends the rest to stderr). */
export function guardStream(stream: NodeJS.WriteStream, divert?: (text: string) => void): void {
  if (installed.has(stream)) return;
  installed.add(stream);
  const original = stream.write.bind(stream) as Write;
  const guarded = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString('utf8')
          : String(chunk);
    if (divert) {
      divert(text);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (original as (chunk: string, ...args: unknown[]) => boolean)(scrub(text), ...rest);
  };
  stream.write = guarded as Write;
  /** The unguarded writer, for the JSON events the CLI itself scrubs. */
  rawWriters.set(stream, (text: string) => original(scrub(text)));
}

const rawWriters = new WeakMap<NodeJS.WriteStream, (text: string) => boolean>();

/** Writes to a guarded stream past its diversion (still scrubbed). */
export function writeDirect(stream: NodeJS.WriteStream, text: string): void {
  const raw = rawWriters.get(stream);
  if (raw) raw(text);
  else stream.write(scrub(text));
}

/** Writes a file the tool produces (report, summary), scrubbed, making its missing folders (as
 * users expect of `--report-file reports/run.json`). Text in pieces (a report, one item each) is
 * scrubbed piece by piece and written in batches: it never exists whole in memory. A secret is
 * never split across pieces: each is one whole JSON value or line. */
export async function writeScrubbed(path: string, text: string | Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'w');
  try {
    let batch = '';
    for (const piece of typeof text === 'string' ? [text] : text) {
      batch += scrub(piece);
      if (batch.length >= WRITE_BATCH) {
        await file.write(batch);
        batch = '';
      }
    }
    if (batch) await file.write(batch);
  } finally {
    await file.close();
  }
}

const WRITE_BATCH = 256 * 1024;
