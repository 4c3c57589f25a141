// Offline source (issue 6): a registry that exists only as its storage directory, or a tarball
// of it, read directly and pushed to Harbor with no registry server in between.
//   dir:///var/lib/registry          the filesystem driver's rootdirectory (or docker/registry[/v2])
//   file:///backup/registry.tar.gz   a tarball of such a directory (.tar, .tar.gz, .tgz, .tar.zst)
//   https://host/registry.tar.gz     the same, downloaded first (with the source credentials)
// The path named is resolved once (it may be a symlink, as /var/lib/registry often is); below it
// the tree is read as data: no symlink followed, only regular files read (safe-read.ts). A plain
// tarball is read in place; a compressed one through one decompressed copy in work-dir
// (archive.ts). Which URL names which (dir://, file://, an http(s) URL of a tarball) is the source
// kinds' business (src/sources); this opens what they parsed.
import { unusable } from './errors.js';
import { realpath, stat } from 'node:fs/promises';
import { openArchive, searchRoot } from './archive.js';
import { StorageClient, type StorageSource } from './storage-client.js';
import { DirectoryTree } from './dir-tree.js';
import { downloadArchive, shownUrl, type DownloadOptions } from './download.js';
import { LazyStorageSource } from './lazy.js';
import { expectedLayout, locateRoot } from './locate.js';
import type { StorageLog } from './pass-progress.js';
import { workDirOf } from './temp-dir.js';

export type { StorageSource } from './storage-client.js';
export type { StorageLog } from './pass-progress.js';

/** Where the storage is: a local directory (`dir`), a local path that may be a tarball or a
 * directory (`file`), or the http(s) URL of a tarball to download first (`download`). */
export interface StorageLocation {
  kind: 'dir' | 'file' | 'download';
  /** An absolute local path; for `download`, the URL. */
  path: string;
}

export interface StorageSourceOptions extends DownloadOptions {
  /** How messages name the work-dir option (`work-dir`, `--work-dir`). */
  workDirOption?: string;
  /** What is done with an archive and how far along, one line at a time (the run's logger). */
  log?: StorageLog;
  /** Between progress lines of a long pass over an archive. */
  progressIntervalMs?: number;
}

/** Opens the source now: throws when the path holds no storage layout or the archive is refused
 * or cannot be extracted. */
export async function openStorageSource(
  location: StorageLocation,
  options: StorageSourceOptions = {},
): Promise<StorageSource> {
  const { kind, path } = location;
  if (kind === 'download') {
    const download = await downloadArchive(path, options);
    try {
      return await openArchiveSource(download.file, shownUrl(path), options, download.cleanup);
    } catch (error) {
      await download.cleanup();
      throw error;
    }
  }
  // No `cause` on these: preflight reports an error's root cause, and this message is the useful one.
  const real = await realpath(path).catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    throw unusable(
      'STORAGE_MISSING',
      code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read: ${(error as Error).message}`,
    );
  });
  const info = await stat(real).catch((error: unknown) => {
    throw unusable('STORAGE_MISSING', `${path} cannot be read: ${(error as Error).message}`);
  });
  if (info.isDirectory()) {
    const root = await locateRoot(real);
    if (!root) throw unusable('STORAGE_MISSING', expectedLayout(path));
    return new StorageClient({ tree: new DirectoryTree(root), root, host: path });
  }
  if (kind === 'dir')
    throw unusable('STORAGE_MISSING', `${path} is a file, not a directory; name an archive with file://${path}`);
  if (!info.isFile())
    throw unusable(
      'STORAGE_MISSING',
      `${path} is not a regular file: name a tarball (.tar, .tar.gz) of a registry's storage`,
    );
  return await openArchiveSource(real, path, options);
}

/** `download`: removes the downloaded file; the caller runs it when this throws. */
async function openArchiveSource(
  file: string,
  name: string,
  options: StorageSourceOptions,
  download?: () => Promise<void>,
): Promise<StorageSource> {
  const { tree, copied } = await openArchive(file, name, {
    workDir: workDirOf(options.workDir),
    workDirOption: options.workDirOption ?? 'work-dir',
    ...(options.log && { log: options.log }),
    ...(options.progressIntervalMs !== undefined && { progressIntervalMs: options.progressIntervalMs }),
    ...(options.signal && { signal: options.signal }),
  });
  let root: string | undefined;
  try {
    root = await searchRoot(tree);
    if (!root)
      throw unusable(
        'STORAGE_MISSING',
        `${name} holds no distribution storage: expected docker/registry/v2 with repositories/ and blobs/ inside the archive`,
      );
  } catch (error) {
    await tree.close();
    throw error;
  }
  // A download decompressed into its copy is not read again: its space comes back now.
  if (copied) await download?.();
  return new StorageClient({ tree, root, host: name, ...(download && !copied && { cleanup: download }) });
}

/** The same source, opened on first use; for code that creates clients synchronously. */
export function createStorageSource(location: StorageLocation, options: StorageSourceOptions = {}): StorageSource {
  const { kind, path } = location;
  return new LazyStorageSource(kind === 'download' ? shownUrl(path) : path, () => openStorageSource(location, options));
}
