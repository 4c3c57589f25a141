// Every file harbor-sync reads because a user named it (images file, config file, CA files, a
// docker config.json, the shard reports report-merge takes) goes through here: only a regular
// file is read, and never more than its kind's cap. A FIFO, a device or a directory is refused
// before a byte is read (`/dev/zero` would be read until memory runs out, a FIFO would block the
// run for ever); a file over its cap is refused from its size, unread. SECURITY.md, "Files
// harbor-sync reads", gives the caps and why.
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ConfigError } from '../errors/base.js';

const MiB = 1024 * 1024;

/** The kinds of file, each with the most a real one holds, with room to spare. */
export const FILE_LIMITS = {
  /** A few dozen lines of YAML. */
  'config-file': { bytes: MiB, what: 'a config file' },
  /** One reference a line: 5,000 lines of 100 characters are 0.5 MiB. */
  'images-file': { bytes: 16 * MiB, what: 'an images file' },
  /** A PEM bundle: the whole Mozilla CA set is about 0.2 MiB. */
  'ca-file': { bytes: MiB, what: 'a CA file' },
  /** docker's config.json: a few logins and helper names. */
  'docker-config': { bytes: MiB, what: 'a docker config' },
  /** A JSON report: about 300 bytes a tag, so a 200,000-tag sync is some 60 MiB. */
  report: { bytes: 256 * MiB, what: 'a report' },
  /** The metrics file the previous run wrote (its last success is carried over): a few dozen lines. */
  'metrics-file': { bytes: MiB, what: 'a metrics file' },
} as const;

export type FileKind = keyof typeof FILE_LIMITS;

/** Opening never waits for a FIFO's writer; the descriptor is checked again after the open. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** The file at `path` as UTF-8 text. Throws a ConfigError whose message says why (the caller names
 * the input and the path); the errors of open itself (ENOENT, EACCES) pass through with their code. */
export async function readBoundedFile(path: string, kind: FileKind): Promise<string> {
  const { bytes: limit, what } = FILE_LIMITS[kind];
  // stat first: a device is refused without being opened (opening one can have effects).
  checkKind(await stat(path), limit, what);
  const handle = await open(path, OPEN_FLAGS);
  try {
    const opened = await handle.stat();
    checkKind(opened, limit, what);
    // Read to the end, up to one byte past the cap: a file that grew past it is refused, not cut.
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      const chunk = Buffer.allocUnsafe(Math.min(limit + 1 - total, Math.max(opened.size - total + 1, 64 * 1024), MiB));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > limit) throw tooLarge(limit, what);
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

function checkKind(info: Stats, limit: number, what: string): void {
  if (!info.isFile()) throw new ConfigError(`it is ${typeOf(info)}, not a regular file`);
  if (info.size > limit) throw tooLarge(limit, what);
}

function tooLarge(limit: number, what: string): ConfigError {
  return new ConfigError(`it is larger than ${limit / MiB} MiB, more than ${what} can hold`);
}

function typeOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'an unknown kind of file';
}
