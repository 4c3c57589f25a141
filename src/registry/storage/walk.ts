// The catalog as distribution builds it: every directory under repositories/ that holds
// `_manifests` is a repository; other `_` directories are its internals and are not entered.
// Names nest (`a/b` and `a/b/c` can both be repositories). A symlink is never entered: it is
// listed as the repository it would be, so reading that repository fails naming the link
// instead of the repository silently vanishing from the catalog.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { corrupt, isMissing } from './errors.js';
import { repositoriesDir } from './layout.js';
import { lstatBelow } from './safe-read.js';

export async function listRepositoryNames(root: string): Promise<string[]> {
  const top = repositoriesDir(root);
  if (!(await lstatBelow(root, top, 'repositories directory', 'GET /v2/_catalog'))?.isDirectory()) return [];
  const names = new Set<string>();
  const visit = async (dir: string, prefix: string[]): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw corrupt(`cannot list ${dir}: ${(error as Error).message}`, 'GET /v2/_catalog', error);
    });
    for (const entry of entries) {
      const link = entry.isSymbolicLink();
      if (!link && !entry.isDirectory()) continue;
      if (entry.name === '_manifests') names.add(prefix.join('/'));
      else if (entry.name.startsWith('_')) continue;
      else if (link) names.add([...prefix, entry.name].join('/'));
      else await visit(join(dir, entry.name), [...prefix, entry.name]);
    }
  };
  await visit(top, []);
  return [...names].filter((n) => n !== '').sort();
}
