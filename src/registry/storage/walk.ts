// The catalog as distribution builds it: every directory under repositories/ that holds
// `_manifests` is a repository; other `_` directories are its internals and are not entered.
// Names nest (`a/b` and `a/b/c` can both be repositories). A symlink is never entered: it is
// listed as the repository it would be, so reading that repository fails naming the link
// instead of the repository silently vanishing from the catalog.
import { join } from 'node:path';
import { repositoriesDir } from './layout.js';
import type { StorageTree } from './tree.js';

const REQUEST = 'GET /v2/_catalog';

/** `root`: the v2 directory, a path of the tree. */
export async function listRepositoryNames(tree: StorageTree, root: string): Promise<string[]> {
  const top = repositoriesDir(root);
  if ((await tree.stat(top, 'repositories directory', REQUEST)) !== 'directory') return [];
  const names = new Set<string>();
  const visit = async (dir: string, prefix: string[]): Promise<void> => {
    const entries = (await tree.list(dir, REQUEST)) ?? [];
    for (const entry of entries) {
      const link = entry.kind === 'symlink';
      if (!link && entry.kind !== 'directory') continue;
      if (entry.name === '_manifests') names.add(prefix.join('/'));
      else if (entry.name.startsWith('_')) continue;
      else if (link) names.add([...prefix, entry.name].join('/'));
      else await visit(join(dir, entry.name), [...prefix, entry.name]);
    }
  };
  await visit(top, []);
  return [...names].filter((n) => n !== '').sort();
}
