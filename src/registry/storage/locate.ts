// Finds the `docker/registry/v2` directory from what the user pointed at: the filesystem driver's
// rootdirectory (/var/lib/registry), `docker/registry`, or `v2` itself. For an extracted tarball,
// also a few levels down, since tars are made from many working directories (`var/lib/registry/…`).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const SEARCH_DEPTH = 4;

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** A v2 directory holds `repositories/` (and `blobs/` once anything was pushed). */
export async function isLayoutRoot(dir: string): Promise<boolean> {
  return (await isDirectory(join(dir, 'repositories'))) || (await isDirectory(join(dir, 'blobs')));
}

/** The v2 directory for `dir` as given, or undefined. */
export async function locateRoot(dir: string): Promise<string | undefined> {
  for (const candidate of [join(dir, 'docker', 'registry', 'v2'), join(dir, 'registry', 'v2'), join(dir, 'v2'), dir]) {
    if (await isLayoutRoot(candidate)) return candidate;
  }
  return undefined;
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
