// Finds the `docker/registry/v2` directory from what the user pointed at: the filesystem driver's
// rootdirectory (/var/lib/registry), `docker/registry`, or `v2` itself. For an extracted tarball,
// also a few levels down, since tars are made from many working directories (`var/lib/registry/…`).
// `dir` is a real path (the one place a symlink is resolved); below it none is followed.
import { unusable } from './errors.js';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SEARCH_DEPTH = 4;

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

/** Breadth-first below `dir` (an extracted archive): the shallowest layout wins. */
export async function searchRoot(dir: string, depth = SEARCH_DEPTH): Promise<string | undefined> {
  let level = [dir];
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const next: string[] = [];
    for (const current of level) {
      const found = await locateRoot(current);
      if (found) return found;
      const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory()) next.push(join(current, e.name));
    }
    level = next.sort();
  }
  return undefined;
}

export function expectedLayout(dir: string): string {
  return `no distribution storage under ${dir}: expected ${join(dir, 'docker/registry/v2')} with repositories/ and blobs/ (the registry's filesystem rootdirectory, e.g. /var/lib/registry), or that v2 directory itself`;
}
