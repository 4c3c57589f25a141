// A tarball of a storage directory, read as a StorageTree. A plain tar is read in place: one pass
// over its headers indexes it (index-archive.ts), then every file is read from its byte range in
// the archive; nothing is extracted or copied. A compressed one cannot be read at random offsets:
// it is decompressed once into work-dir (decompress.ts) and that copy is read the same way.
// Compression is told by content, not name: backups get renamed.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decompressArchive, type DecompressOptions } from './decompress.js';
import { unusable } from './errors.js';
import { indexArchive } from './index-archive.js';
import { formatBytes } from '../../units.js';
import { Progress, secondsSince } from './pass-progress.js';
import type { Compression } from './tar-check.js';
import { TarTree } from './tar-tree.js';
import type { StorageTree } from './tree.js';

/** Where a compressed archive is decompressed, and where progress goes. */
export type ArchiveOptions = DecompressOptions;

export interface OpenedArchive {
  tree: TarTree;
  /** Read from a decompressed copy in work-dir, not from the archive itself. */
  copied: boolean;
}

/** `file` is a regular file's real path; `name` shows the archive in messages. */
export async function openArchive(file: string, name: string, options: ArchiveOptions): Promise<OpenedArchive> {
  const handle = await openArchiveFile(file, name);
  try {
    const compression = await compressionOf(handle, name);
    if (compression) {
      await handle.close();
      const copy = await decompressArchive(file, compression, name, options);
      return { tree: new TarTree(copy.handle, copy.index, name, copy.release), copied: true };
    }
    const size = (await handle.stat()).size;
    const started = Date.now();
    const index = await indexArchive(handle, size, name, {
      progress: new Progress(options.log, `Indexing ${name}`, size, options.progressIntervalMs),
      ...(options.signal && { signal: options.signal }),
    });
    options.log?.(
      `Reading ${name} in place (${formatBytes(size)}): ${index.entries.toLocaleString('en')} entries indexed in ${secondsSince(started)} s, nothing extracted`,
    );
    return { tree: new TarTree(handle, index, name), copied: false };
  } catch (error) {
    // Closed already when it was compressed.
    await handle.close().catch(() => undefined);
    throw error;
  }
}

const SEARCH_DEPTH = 4;
const LAYOUTS = [['docker', 'registry', 'v2'], ['registry', 'v2'], ['v2'], []];

/** The v2 directory in an archive made from any working directory (`var/lib/registry/…`):
 * breadth-first, the shallowest wins. */
export async function searchRoot(tree: StorageTree): Promise<string | undefined> {
  const request = 'open';
  let level = [tree.top];
  for (let depth = 0; depth <= SEARCH_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      for (const parts of LAYOUTS) {
        const candidate = join(dir, ...parts);
        if ((await tree.stat(candidate, 'directory', request)) === 'directory' && (await tree.isLayoutRoot(candidate)))
          return candidate;
      }
      for (const e of (await tree.list(dir, request)) ?? []) if (e.kind === 'directory') next.push(join(dir, e.name));
    }
    level = next.sort();
  }
  return undefined;
}

/** The file opened is the regular file named: no symlink swapped in, no FIFO to block on. */
async function openArchiveFile(file: string, name: string): Promise<FileHandle> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (error: unknown) => {
      throw unusable('ARCHIVE_UNREADABLE', `${name} cannot be read: ${(error as Error).message}`);
    },
  );
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw unusable(
      'STORAGE_MISSING',
      `${name} is not a regular file: name a tarball (.tar, .tar.gz) of a registry's storage`,
    );
  }
  return handle;
}

const MAGIC: { bytes: number[]; compression?: Compression; other?: { name: string; command: string } }[] = [
  { bytes: [0x1f, 0x8b], compression: 'gzip' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], compression: 'zstd' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], other: { name: 'xz', command: 'xz -dk' } },
  { bytes: [0x42, 0x5a, 0x68], other: { name: 'bzip2', command: 'bunzip2 -k' } },
];

async function compressionOf(handle: FileHandle, name: string): Promise<Compression | undefined> {
  const head = Buffer.alloc(6);
  await handle.read(head, 0, head.length, 0);
  const found = MAGIC.find((m) => m.bytes.every((b, i) => head[i] === b));
  if (found?.other)
    throw unusable(
      'ARCHIVE_UNREADABLE',
      `${name} is ${found.other.name}-compressed, which harbor-sync does not read: decompress it once (${found.other.command} ${basename(name)}) and name the .tar, or recompress it with gzip or zstd`,
    );
  return found?.compression;
}
