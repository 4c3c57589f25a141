// The temporary directories a tarball source works in (a download, an extraction): under
// $RUNNER_TEMP when set, private to us, and removed whatever happened.
import { chmod, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new directory `harbor-sync-<purpose>-…`, by its real path (the storage root is compared
 * against real paths, and $TMPDIR may itself be a symlink). */
export async function makeTempDir(purpose: string): Promise<string> {
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), `harbor-sync-${purpose}-`));
  try {
    return await realpath(dir);
  } catch (error) {
    await removeTree(dir);
    throw error;
  }
}

/** rm -rf that also works when the archive held read-only directories (a tar of a read-only
 * mount) and we are not root. */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await makeWritable(join(dir, e.name));
}
