// An archive is data: before it is extracted, every header is read (streaming, through gunzip
// when compressed) and the archive is refused at the first entry that is not a directory or a
// regular file inside the extraction directory. distribution's filesystem driver writes nothing
// else, so a symlink, hard link, device, FIFO, absolute path or `..` has no business there.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { printable } from '../../redact/text.js';
import { TarFormatError, TarHeaderReader, type TarEntry } from './tar-headers.js';
import { unusable } from './errors.js';
import { isHarborSyncError } from '../../errors/base.js';

const TYPES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
};
/** Regular files ('7' is "contiguous", extracted as regular) and directories. */
const ALLOWED = new Set(['0', '7', '5']);

/** Why the entry may not be extracted, or undefined. */
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
  // Extractors disagree on whether a directory's size counts: no directory may have any.
  if (entry.size > 0 && (entry.type === '5' || entry.name.endsWith('/'))) return 'is a directory that carries content';
  return undefined;
}

/** Throws a StorageError (ARCHIVE_UNSAFE) naming the first entry that may not be extracted. `name` is how the
 * archive is shown in messages (a path, or a URL without its query). */
export async function checkArchive(file: string, gzip: boolean, name: string): Promise<void> {
  const refuse = (why: string) =>
    unusable(
      'ARCHIVE_UNSAFE',
      `${name} is refused before extracting: ${why}; a registry storage tree holds only directories and regular files`,
    );
  const reader = new TarHeaderReader((entry) => {
    const problem = entryProblem(entry);
    if (problem) throw refuse(`entry "${printable(entry.name)}" ${problem}`);
  });
  const scan = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      reader.push(chunk);
      // Past the end marker the extractor reads nothing more either.
      if (reader.done) return;
    }
    reader.end();
  };
  try {
    if (gzip) await pipeline(createReadStream(file), createGunzip(), scan);
    else await pipeline(createReadStream(file), scan);
  } catch (error) {
    if (isHarborSyncError(error)) throw error;
    // Stopping at the end marker aborts the streams before their end: that is no failure.
    if (reader.done) return;
    if (error instanceof TarFormatError) throw refuse(error.message);
    throw unusable(
      'ARCHIVE_UNREADABLE',
      `${name} cannot be read as ${gzip ? 'a gzip-compressed' : 'a'} tar archive: ${(error as Error).message}`,
    );
  }
}
