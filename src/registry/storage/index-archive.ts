// The one pass over a plain tar that reading it in place needs: its headers, and nothing else.
// Each header says how much content follows, so the reader jumps over it (a 2 GiB layer costs one
// small read of the headers after it); small files (link files) come many to a read. Every entry is
// checked as it is met (tar-check.ts) and put in the index (tar-index.ts) with its content's
// offset and size.
import type { FileHandle } from 'node:fs/promises';
import { unusable } from './errors.js';
import { checkEntry, isDirectoryEntry, readError, refused, type PassOptions } from './tar-check.js';
import { TarHeaderReader, type TarEntry } from './tar-headers.js';
import { TarIndex, TarIndexRefusal } from './tar-index.js';

/** Reads grow to this in runs of small files (link files)... */
const CHUNK = 64 * 1024;
/** ...and start again from this after a jump, which lands on a few headers (a blob's directories,
 * its data file's) followed by more content to jump over. */
const AFTER_JUMP = 4 * 1024;

/** Indexes the plain tar open as `handle` (`size` bytes); `name` shows it in messages. */
export async function indexArchive(
  handle: FileHandle,
  size: number,
  name: string,
  { progress, signal }: PassOptions = {},
): Promise<TarIndex> {
  const index = new TarIndex();
  const reader = new TarHeaderReader(indexer(index, name));
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  let want = CHUNK;
  try {
    while (!reader.done) {
      if (signal?.aborted) throw unusable('ARCHIVE_UNREADABLE', `reading ${name} stopped: the run was interrupted`);
      const { bytesRead } = await handle.read(buffer, 0, want, position);
      if (bytesRead === 0) break;
      reader.push(buffer.subarray(0, bytesRead));
      position += bytesRead;
      // The rest of a file's content is jumped over; past the end of the file it is cut short.
      const jump = Math.min(reader.skipping, size - position);
      reader.passOver(jump);
      position += jump;
      want = jump > 0 ? AFTER_JUMP : Math.min(want * 2, CHUNK);
      progress?.update(position);
    }
    reader.end();
  } catch (error) {
    const failure = readError(error, reader, name, undefined);
    if (failure) throw failure;
  }
  return index;
}

/** Checks each entry and adds it to `index`: for a pass over a plain tar, or over a compressed one
 * as it is decompressed. */
export function indexer(index: TarIndex, name: string): (entry: TarEntry, offset: number) => void {
  return (entry, offset) => {
    checkEntry(name, entry);
    try {
      index.add(entry.name, isDirectoryEntry(entry) ? 'directory' : 'file', offset, entry.size);
    } catch (error) {
      if (error instanceof TarIndexRefusal) throw refused(name, error.message);
      throw error;
    }
  };
}
