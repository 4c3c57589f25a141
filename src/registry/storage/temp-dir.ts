// The temporary files a tarball source works with (a download, a decompressed copy): under
// work-dir when given, else $RUNNER_TEMP, else the OS temp dir; private to us, and removed
// whatever happened: on close, and at process exit (the CLI exits at once on a second Ctrl-C).
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where temporary files go. */
export function workDirOf(workDir: string | undefined): string {
  return workDir || process.env.RUNNER_TEMP || tmpdir();
}

/** A new directory `harbor-sync-<purpose>-…` in `base`, by its real path (the storage root is
 * compared against real paths, and $TMPDIR may itself be a symlink). */
export async function makeTempDir(purpose: string, base = workDirOf(undefined)): Promise<string> {
  const dir = await mkdtemp(join(base, `harbor-sync-${purpose}-`));
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    await removeTree(dir);
    throw error;
  }
  removeAtExit(real);
  return real;
}

/** rm -rf that also works when the tree holds read-only directories and we are not root. */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
  leftAtExit.delete(dir);
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await makeWritable(join(dir, e.name));
}

const leftAtExit = new Set<string>();
let exitHandler = false;

/** Removes `path` (a file or a tree) when the process exits, unless removeTree ran first. Exit
 * handlers run synchronously, so this is rmSync. */
export function removeAtExit(path: string): void {
  if (!exitHandler) process.on('exit', removeLeftovers);
  exitHandler = true;
  leftAtExit.add(path);
}

/** For a file removed some other way. */
export function forgetAtExit(path: string): void {
  leftAtExit.delete(path);
}

function removeLeftovers(): void {
  for (const path of leftAtExit) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Exiting: nothing more can be done, and the exit must not fail.
    }
  }
  leftAtExit.clear();
}
