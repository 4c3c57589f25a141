// A compressed tarball cannot be read at random offsets, and the engine reads blobs in any order:
// it is decompressed once into work-dir, as one plain tar file, and read in place from there
// (tar-tree.ts). Never a tree of files: no file is created under a name from the archive.
//   1. One pass checks every header and measures the decompressed size (gzip's trailer holds it
//      modulo 4 GiB only), and that size is compared with work-dir's free space: an archive that
//      cannot fit is refused before a byte is written.
//   2. A second pass decompresses into the copy, checking every header again (the archive may
//      have changed in between) and indexing it as it goes.
// The copy is unlinked as soon as it is created: its space comes back when the fd is closed, at
// the end of the run or whenever the process ends, however it ends.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isHarborSyncError } from '../../errors/base.js';
import { unusable } from './errors.js';
import { indexer } from './index-archive.js';
import { formatBytes } from '../../units.js';
import { Progress, secondsSince, type StorageLog } from './pass-progress.js';
import { decompressor, readError, scanArchive, type Compression } from './tar-check.js';
import { TarHeaderReader } from './tar-headers.js';
import { TarIndex } from './tar-index.js';
import { forgetAtExit, removeAtExit } from './temp-dir.js';

/** Left free beside the copy, for the report, logs and whatever else the runner writes. */
const HEADROOM = 32 * 1024 * 1024;

export interface DecompressOptions {
  /** An existing directory. */
  workDir: string;
  /** How the work-dir option is named to the user (`work-dir`, `--work-dir`). */
  workDirOption: string;
  log?: StorageLog;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface Decompressed {
  /** The plain tar, open for reading. */
  handle: FileHandle;
  index: TarIndex;
  /** After the handle is closed: removes the copy if it could not be unlinked at once. */
  release(): Promise<void>;
}

const TOOL: Record<Compression, { name: string; command: string }> = {
  gzip: { name: 'gzip-compressed', command: 'gunzip -k' },
  zstd: { name: 'zstd-compressed', command: 'zstd -d' },
};

/** Checks, measures, and decompresses `file` into work-dir; `name` shows it in messages. */
export async function decompressArchive(
  file: string,
  compression: Compression,
  name: string,
  options: DecompressOptions,
): Promise<Decompressed> {
  const { workDir, log, signal } = options;
  const bytes = await scanArchive(file, compression, name, {
    progress: new Progress(log, `Checking ${name}`, (await stat(file)).size, options.progressIntervalMs),
    ...(signal && { signal }),
  });
  const free = await freeSpace(workDir);
  if (bytes + HEADROOM > free) throw tooBig(name, compression, bytes, free, options);
  log?.(
    `Decompressing ${name} into ${workDir} (${formatBytes(bytes)}; ${formatBytes(free)} free there): it is read from that copy, which goes at the end of the run`,
  );
  const path = join(workDir, `harbor-sync-${randomBytes(6).toString('hex')}.tar`);
  const handle = await open(path, 'wx+', 0o600);
  // Unlinked at once where the system allows (the fd keeps the data); else removed at the end.
  const unlinked = await unlink(path).then(
    () => true,
    () => false,
  );
  if (!unlinked) removeAtExit(path);
  const release = async (): Promise<void> => {
    if (unlinked) return;
    await unlink(path).catch(() => undefined);
    forgetAtExit(path);
  };
  try {
    const started = Date.now();
    const index = await decompressInto(handle, file, compression, name, bytes, options);
    log?.(`Decompressed ${name} in ${secondsSince(started)} s`);
    return { handle, index, release };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await release();
    throw error;
  }
}

/** The second pass: the archive decompressed into `handle` up to its end marker, and indexed. */
async function decompressInto(
  handle: FileHandle,
  file: string,
  compression: Compression,
  name: string,
  expected: number,
  options: DecompressOptions,
): Promise<TarIndex> {
  const index = new TarIndex();
  const reader = new TarHeaderReader(indexer(index, name));
  const progress = new Progress(options.log, `Decompressing ${name}`, expected, options.progressIntervalMs);
  const write = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of chunks) {
      const start = reader.position;
      reader.push(chunk);
      // Past the end marker nothing is read: not written either.
      const length = reader.position - start;
      if (reader.position > expected)
        throw unusable('ARCHIVE_UNREADABLE', `${name} changed while it was being read: it grew past the size measured`);
      await writeAll(handle, chunk, length, start);
      progress.update(reader.position);
      if (reader.done) return;
    }
    reader.end();
  };
  try {
    await pipeline(createReadStream(file), decompressor(compression), write, {
      ...(options.signal && { signal: options.signal }),
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOSPC')
      throw unusable(
        'ARCHIVE_NO_SPACE',
        `${options.workDir} ran out of space while ${name} was being decompressed there (${formatBytes(expected)} needed, free when it began)`,
      );
    if (isHarborSyncError(error)) throw error;
    const failure = readError(error, reader, name, compression);
    if (failure) throw failure;
  }
  return index;
}

async function writeAll(handle: FileHandle, chunk: Buffer, length: number, position: number): Promise<void> {
  let written = 0;
  while (written < length) {
    const { bytesWritten } = await handle.write(chunk, written, length - written, position + written);
    written += bytesWritten;
  }
}

async function freeSpace(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}

function tooBig(
  name: string,
  compression: Compression,
  bytes: number,
  free: number,
  options: DecompressOptions,
): Error {
  const tool = TOOL[compression];
  const once = name.includes('://') ? 'download it once, decompress it' : 'decompress it once';
  return unusable(
    'ARCHIVE_NO_SPACE',
    `${name} is ${tool.name} and must be decompressed to be read: it holds ${formatBytes(bytes)}, but ${options.workDir} has ${formatBytes(free)} free (${formatBytes(HEADROOM)} of it kept spare); nothing was copied`,
    undefined,
    `set ${options.workDirOption} to a directory with room; or better, ${once} (${tool.command} ${basename(name)}) and name the .tar with file://…: a plain tar is read in place, without a copy`,
  );
}
