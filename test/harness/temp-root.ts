// Each test file works in a temporary root of its own: $TMPDIR points there while the file runs,
// so every directory the harness and the tests make with tmpdir() (registries' storage, images,
// reports, extracted tarballs) lands under it, and the root is removed when the file ends, passed
// or failed (test/harness/setup.ts). Without it a run of the suite left dozens of directories in
// the system's temporary directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from '../../src/registry/storage/temp-dir.ts';

/** The system's temporary directory, as it was before any test file pointed $TMPDIR elsewhere
 * (a worker process may run several files in turn). */
const SYSTEM_TMPDIR = 'HS_SYSTEM_TMPDIR';

export function systemTempDir(): string {
  process.env[SYSTEM_TMPDIR] ??= tmpdir();
  return process.env[SYSTEM_TMPDIR];
}

/** A new, empty root under the system's temporary directory. */
export function createTempRoot(): string {
  return mkdtempSync(join(systemTempDir(), 'hs-test-'));
}

/** Makes `root` the temporary directory of this process (and of the children that inherit its
 * environment) until restoreTempDir. */
export function useTempRoot(root: string): void {
  systemTempDir();
  process.env.TMPDIR = root;
}

export function restoreTempDir(): void {
  process.env.TMPDIR = systemTempDir();
}

/** Removes the root and all in it, read-only directories included (tests chmod a-w storage). */
export async function removeTempRoot(root: string): Promise<void> {
  await removeTree(root);
}
