// A tarball of a storage directory is extracted once into a temp dir and read from there: a
// .tar.gz cannot be read at random offsets, and the engine reads blobs in any order.
// The extractor is a parameter so @actions/tool-cache's extractTar can replace the system tar:
//   import { extractTar } from '@actions/tool-cache';
//   const toolCache: Extractor = (a, d, gzip) => extractTar(a, d, gzip ? 'xz' : 'x').then(() => undefined);
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Extracts `archive` into the existing directory `dest`. */
export type Extractor = (archive: string, dest: string, gzip: boolean) => Promise<void>;

export interface Extracted {
  dir: string;
  cleanup(): Promise<void>;
}

/** `tar` from PATH (GNU tar or bsdtar); ownership from the archive is not restored. */
export const systemTar: Extractor = (archive, dest, gzip) =>
  new Promise((resolve, reject) => {
    const args = [gzip ? '-xzf' : '-xf', archive, '-C', dest, '--no-same-owner'];
    execFile('tar', args, { maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      // No `cause`: preflight shows the root cause, and tar's own stderr is the useful part.
      if (error) reject(new Error(`tar ${args.join(' ')} failed: ${String(stderr).trim() || error.message}`));
      else resolve();
    });
  });

export async function extractArchive(archive: string, extractor: Extractor = systemTar): Promise<Extracted> {
  const gzip = await isGzip(archive);
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'harbor-sync-storage-'));
  const cleanup = () => removeTree(dir);
  try {
    await extractor(archive, dir, gzip);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { dir, cleanup };
}

/** By content, not name: backups get renamed. */
async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/** rm -rf that also works when the archive held read-only directories (a tar of a read-only
 * mount) and we are not root. */
async function removeTree(dir: string): Promise<void> {
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
