// Offline source (issue 6): a registry that exists only as its storage directory, or a tarball
// of it, read directly and pushed to Harbor with no registry server in between.
//   dir:///var/lib/registry          the filesystem driver's rootdirectory (or docker/registry[/v2])
//   file:///backup/registry.tar.gz   a tarball of such a directory (.tar, .tar.gz, .tgz)
//   https://host/registry.tar.gz     the same, downloaded first (with the source credentials)
// The path named is resolved once (it may be a symlink, as /var/lib/registry often is); below it
// the tree is read as data: no symlink followed, only regular files read (safe-read.ts).
import { unusable } from './errors.js';
import { realpath, stat } from 'node:fs/promises';
import { extractArchive, type Extractor } from './archive.js';
import { StorageClient, type StorageSource } from './client.js';
import { downloadArchive, shownUrl, type DownloadOptions } from './download.js';
import { LazyStorageSource } from './lazy.js';
import { expectedLayout, locateRoot, searchRoot } from './locate.js';
import { parseStorageUrl } from './url.js';

export type { StorageSource } from './client.js';
export type { Extractor } from './archive.js';
export { isStorageUrl, parseStorageUrl, StorageUrlError } from './url.js';

export interface StorageSourceOptions extends DownloadOptions {
  /** How a tarball is extracted; the system tar by default. */
  extractor?: Extractor;
}

/** Opens the source now: throws when the path holds no storage layout or the archive is refused
 * or cannot be extracted. */
export async function openStorageSource(url: string, options: StorageSourceOptions = {}): Promise<StorageSource> {
  const { kind, path } = parseStorageUrl(url);
  if (kind === 'download') {
    const download = await downloadArchive(path, options);
    try {
      return await openArchive(download.file, shownUrl(path), options, download.cleanup);
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
    return new StorageClient({ root, host: path });
  }
  if (kind === 'dir')
    throw unusable('STORAGE_MISSING', `${path} is a file, not a directory; name an archive with file://${path}`);
  if (!info.isFile())
    throw unusable(
      'STORAGE_MISSING',
      `${path} is not a regular file: name a tarball (.tar, .tar.gz) of a registry's storage`,
    );
  return await openArchive(real, path, options);
}

async function openArchive(
  file: string,
  name: string,
  options: StorageSourceOptions,
  alsoCleanup?: () => Promise<void>,
): Promise<StorageSource> {
  const extracted = await extractArchive(file, name, options.extractor);
  let root: string | undefined;
  try {
    root = await searchRoot(extracted.dir);
    if (!root)
      throw unusable(
        'STORAGE_MISSING',
        `${name} holds no distribution storage: expected docker/registry/v2 with repositories/ and blobs/ inside the archive`,
      );
  } catch (error) {
    await extracted.cleanup();
    throw error;
  }
  const cleanup = async (): Promise<void> => {
    await extracted.cleanup();
    await alsoCleanup?.();
  };
  return new StorageClient({ root, host: name, cleanup });
}

/** The same source, opened on first use; for code that creates clients synchronously. */
export function createStorageSource(url: string, options: StorageSourceOptions = {}): StorageSource {
  // Parsed now so a malformed URL fails where the client is created, not at first use.
  const { kind, path } = parseStorageUrl(url);
  return new LazyStorageSource(kind === 'download' ? shownUrl(path) : path, () => openStorageSource(url, options));
}
