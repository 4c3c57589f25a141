// A tarball of a storage directory is extracted once into a temp dir and read from there: a
// .tar.gz cannot be read at random offsets, and the engine reads blobs in any order. Before
// extracting, every header is checked (tar-check.ts): only directories and regular files, inside
// the extraction directory. @actions/tool-cache does the extracting; the extractor stays a
// parameter so tests can watch it.
// Loaded on first use: most runs read no archive, and the module tree costs start-up memory.
const toolCache = () => import('@actions/tool-cache');
import { unusable } from './errors.js';
import { open } from 'node:fs/promises';
import { checkArchive } from './tar-check.js';
import { makeTempDir, removeTree } from './temp-dir.js';

/** Extracts `archive` into the existing directory `dest`. */
export type Extractor = (archive: string, dest: string, gzip: boolean) => Promise<void>;

export interface Extracted {
  /** The extraction directory, as a real path. */
  dir: string;
  cleanup(): Promise<void>;
}

export const toolCacheTar: Extractor = async (archive, dest, gzip) => {
  try {
    await (await toolCache()).extractTar(archive, dest, gzip ? 'xz' : 'x');
  } catch (error) {
    // No `cause`: preflight shows the root cause, and tar's own message is the useful part.
    throw unusable('ARCHIVE_UNREADABLE', `extracting ${archive} failed: ${(error as Error).message}`);
  }
};

/** Checks, then extracts `archive` into a new temp dir; `name` shows the archive in messages. On
 * any failure nothing is left behind. */
export async function extractArchive(
  archive: string,
  name: string,
  extractor: Extractor = toolCacheTar,
): Promise<Extracted> {
  const gzip = await isGzip(archive);
  await checkArchive(archive, gzip, name);
  const dir = await makeTempDir('storage');
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
