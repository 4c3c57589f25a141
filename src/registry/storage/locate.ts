// Finds the `docker/registry/v2` directory from what the user pointed at: the filesystem driver's
// rootdirectory (/var/lib/registry), `docker/registry`, or `v2` itself (archive.ts searches a
// tarball the same way, a few levels down). `dir` is a real path (the one place a symlink is
// resolved); below it none is followed.
import { unusable } from './errors.js';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

/** lstat, not stat: a symlink where the layout should be is refused, naming it. */
async function isDirectory(path: string): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    throw unusable(
      'STORAGE_UNSAFE',
      `${path} is a symbolic link: harbor-sync follows none below the directory named (a registry's storage holds none); name the directory it points to instead`,
    );
  }
  return info?.isDirectory() ?? false;
}

/** A v2 directory holds `repositories/` (and `blobs/` once anything was pushed). */
export async function isLayoutRoot(dir: string): Promise<boolean> {
  return (await isDirectory(join(dir, 'repositories'))) || (await isDirectory(join(dir, 'blobs')));
}

/** The v2 directory for `dir` as given, or undefined. */
export async function locateRoot(dir: string): Promise<string | undefined> {
  for (const parts of [['docker', 'registry', 'v2'], ['registry', 'v2'], ['v2'], []]) {
    if ((await isDirectoryPath(dir, parts)) && (await isLayoutRoot(join(dir, ...parts)))) return join(dir, ...parts);
  }
  return undefined;
}

/** Every component of `parts` below `dir` is a directory (and none a symlink). */
async function isDirectoryPath(dir: string, parts: string[]): Promise<boolean> {
  let current = dir;
  for (const part of parts) {
    current = join(current, part);
    if (!(await isDirectory(current))) return false;
  }
  return true;
}

export function expectedLayout(dir: string): string {
  return `no distribution storage under ${dir}: expected ${join(dir, 'docker/registry/v2')} with repositories/ and blobs/ (the registry's filesystem rootdirectory, e.g. /var/lib/registry), or that v2 directory itself`;
}
