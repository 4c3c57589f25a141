// An archive is data: before anything is read from it or extracted, every header is read and the
// archive is refused at the first entry that is not a directory or a regular file inside the
// archive's top directory. distribution's filesystem driver writes nothing else, so a symlink,
// hard link, device, FIFO, sparse file, absolute path or `..` has no business there. The pass
// over a compressed archive also measures it: the bytes it decompresses to, up to the end marker.
import { createReadStream } from 'node:fs';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { printable } from '../../redact/text.js';
import { TarFormatError, TarHeaderReader, type TarEntry } from './tar-headers.js';
import { unusable } from './errors.js';
import { isHarborSyncError, type StorageError } from '../../errors/base.js';
import type { Progress } from './pass-progress.js';

const TYPES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
};
/** Regular files ('7' is "contiguous", extracted as regular) and directories. */
const ALLOWED = new Set(['0', '7', '5']);

export type Compression = 'gzip' | 'zstd';

/** Why the entry may not be read, or undefined. */
export function entryProblem(entry: TarEntry): string | undefined {
  for (const name of [entry.name, ...entry.aliases]) {
    if (name === '') return 'has an empty name';
    // Backslashes count too: some extractors treat them as separators.
    if (/^[/\\]/.test(name) || /^[a-zA-Z]:/.test(name)) return 'has an absolute path';
    if (name.split(/[/\\]/).includes('..')) return 'has a ".." component, which leads outside the extraction directory';
  }
  const kind = TYPES[entry.type];
  if (kind) {
    const target = entry.type === '1' || entry.type === '2' ? ` (to "${printable(entry.linkName)}")` : '';
    return `is ${kind}${target}`;
  }
  if (!ALLOWED.has(entry.type))
    return `has tar entry type "${printable(entry.type)}", which a storage tree never holds`;
  // Its content is a map of holes and data, not the file: read in place it would be wrong bytes.
  if (entry.sparse) return 'is a sparse file (pax GNU.sparse records)';
  // Extractors disagree on whether a directory's size counts: no directory may have any.
  if (entry.size > 0 && isDirectoryEntry(entry)) return 'is a directory that carries content';
  return undefined;
}

/** Old tars mark a directory by a trailing slash on a regular-file entry. */
export function isDirectoryEntry(entry: TarEntry): boolean {
  return entry.type === '5' || entry.name.endsWith('/');
}

/** The error that refuses an archive; `name` is how the archive is shown (a path, or a URL
 * without its query). */
export function refused(name: string, why: string): StorageError {
  return unusable(
    'ARCHIVE_UNSAFE',
    `${name} is refused before extracting or reading anything from it: ${why}; a registry storage tree holds only directories and regular files`,
  );
}

/** Throws the refusal naming an entry that may not be read. */
export function checkEntry(name: string, entry: TarEntry): void {
  const problem = entryProblem(entry);
  if (problem) throw refused(name, `entry "${printable(entry.name)}" ${problem}`);
}

/** Bigger chunks than zlib's 16 KiB: fewer writes of a decompressed copy. */
const DECOMPRESSED_CHUNK = 128 * 1024;

export function decompressor(compression: Compression): Transform {
  const options = { chunkSize: DECOMPRESSED_CHUNK };
  return compression === 'gzip' ? createGunzip(options) : createZstdDecompress(options);
}

const COMPRESSED: Record<Compression, string> = { gzip: 'a gzip-compressed', zstd: 'a zstd-compressed' };

/** Throws a StorageError (ARCHIVE_UNSAFE) naming the first entry that may not be read. */
export async function checkArchive(file: string, gzip: boolean, name: string): Promise<void> {
  await scanArchive(file, gzip ? 'gzip' : undefined, name);
}

export interface PassOptions {
  /** Counts the bytes of the archive file read. */
  progress?: Progress;
  signal?: AbortSignal;
}

/** One streaming pass over the archive, every header checked; the bytes it holds (decompressed)
 * up to its end marker. */
export async function scanArchive(
  file: string,
  compression: Compression | undefined,
  name: string,
  { progress, signal }: PassOptions = {},
): Promise<number> {
  const reader = new TarHeaderReader((entry) => checkEntry(name, entry));
  const source = createReadStream(file);
  const scan = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of chunks) {
      reader.push(chunk);
      progress?.update(source.bytesRead);
      // Past the end marker no reader looks.
      if (reader.done) return;
    }
    reader.end();
  };
  try {
    const options = signal ? { signal } : {};
    if (compression) await pipeline(source, decompressor(compression), scan, options);
    else await pipeline(source, scan, options);
  } catch (error) {
    const failure = readError(error, reader, name, compression);
    if (failure) throw failure;
  }
  return reader.position;
}

/** What a failed pass over an archive throws; undefined when it only stopped at the end marker. */
export function readError(
  error: unknown,
  reader: TarHeaderReader,
  name: string,
  compression: Compression | undefined,
): unknown {
  if (isHarborSyncError(error)) return error;
  // Stopping at the end marker aborts the streams before their end: that is no failure.
  if (reader.done) return undefined;
  if ((error as { name?: unknown }).name === 'AbortError')
    return unusable('ARCHIVE_UNREADABLE', `reading ${name} stopped: the run was interrupted`);
  if (error instanceof TarFormatError) return refused(name, error.message);
  return unusable(
    'ARCHIVE_UNREADABLE',
    `${name} cannot be read as ${compression ? COMPRESSED[compression] : 'a'} tar archive: ${(error as Error).message}`,
  );
}
