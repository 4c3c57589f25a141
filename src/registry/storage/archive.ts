// A tarball of a storage directory is extracted once into a temp dir and read from there: a
// .tar.gz cannot be read at random offsets, and the engine reads blobs in any order.
// @actions/tool-cache does the extracting (and, for an https:// archive, the downloading, with
// its retries); the extractor stays a parameter so tests can watch it.
// Loaded on first use: most runs read no archive, and the module tree costs start-up memory.
const toolCache = () => import('@actions/tool-cache');
import { chmod, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Extracts `archive` into the existing directory `dest`. */
export type Extractor = (archive: string, dest: string, gzip: boolean) => Promise<void>;

export interface Extracted {
  dir: string;
  cleanup(): Promise<void>;
}

export const toolCacheTar: Extractor = async (archive, dest, gzip) => {
  try {
    await (await toolCache()).extractTar(archive, dest, gzip ? 'xz' : 'x');
  } catch (error) {
    // No `cause`: preflight shows the root cause, and tar's own message is the useful part.
    throw new Error(`extracting ${archive} failed: ${(error as Error).message}`);
  }
};

/** Downloads an archive named by an http(s) URL into a new temp dir; the caller removes it. */
export async function downloadArchive(url: string): Promise<Extracted & { file: string }> {
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'harbor-sync-download-'));
  const file = join(dir, 'registry.tar');
  try {
    await (await toolCache()).downloadTool(url, file);
  } catch (error) {
    await removeTree(dir);
    throw new Error(`downloading ${new URL(url).origin}${new URL(url).pathname} failed: ${(error as Error).message}`);
  }
  return { dir, file, cleanup: () => removeTree(dir) };
}

export async function extractArchive(archive: string, extractor: Extractor = toolCacheTar): Promise<Extracted> {
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
