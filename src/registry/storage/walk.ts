// The catalog as distribution builds it: every directory under repositories/ that holds
// `_manifests` is a repository; other `_` directories are its internals and are not entered.
// Names nest (`a/b` and `a/b/c` can both be repositories).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissing } from './errors.js';

export async function listRepositoryNames(repositoriesDir: string): Promise<string[]> {
  const names: string[] = [];
  const visit = async (dir: string, prefix: string[]): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw new Error(`cannot list ${dir}: ${(error as Error).message}`, { cause: error });
    });
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      if (entry.name === '_manifests') names.push(prefix.join('/'));
      else if (!entry.name.startsWith('_')) await visit(join(dir, entry.name), [...prefix, entry.name]);
    }
  };
  await visit(repositoriesDir, []);
  return names.filter((n) => n !== '').sort();
}
