// Reading below the storage root as data, never as a pointer elsewhere. distribution's filesystem
// driver writes only directories and regular files, so: every component from the root down is
// lstat'ed and a symlink anywhere fails, naming it; only regular files are opened, with
// O_NOFOLLOW|O_NONBLOCK (a FIFO swapped in after the lstat cannot block the run), and the open fd
// is checked again (same file, still regular; on Linux, reached by exactly this path).
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { corrupt, isMissing, unsafe } from './errors.js';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What the storage holds at `path` (below `root`, a real path); undefined when something on
 * the way is missing, as the registry would answer 404. `what` names the file in messages. */
export async function lstatBelow(
  root: string,
  path: string,
  what: string,
  request: string,
): Promise<Stats | undefined> {
  const rest = relative(root, path);
  // Paths come from layout.ts, which checks every name: this is a guard, not a feature.
  if (rest === '' || rest === '..' || rest.startsWith(`..${sep}`) || isAbsolute(rest))
    throw unsafe(`${what} ${path} is not below the storage root ${root}`, request);
  let current = root;
  let info: Stats | undefined;
  for (const part of rest.split(sep)) {
    current = join(current, part);
    info = await lstat(current).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw corrupt(`cannot read ${what} ${path}: ${(error as Error).message}`, request, error);
    });
    if (!info) return undefined;
    if (info.isSymbolicLink()) throw unsafe(symlinkMessage(what, path, current), request);
  }
  return info;
}

/** As lstatBelow, and the thing found must be a regular file. */
export async function regularFileBelow(
  root: string,
  path: string,
  what: string,
  request: string,
): Promise<Stats | undefined> {
  const info = await lstatBelow(root, path, what, request);
  if (info && !info.isFile()) throw unsafe(`${what} ${path} is ${typeOf(info)}, not a regular file`, request);
  return info;
}

export interface OpenedFile {
  handle: FileHandle;
  /** The opened file's size (fstat). */
  size: number;
}

/** Opens a regular file below the root; undefined when it is not there. The caller closes it. */
export async function openBelow(
  root: string,
  path: string,
  what: string,
  request: string,
): Promise<OpenedFile | undefined> {
  const info = await regularFileBelow(root, path, what, request);
  if (!info) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    if (isMissing(error)) return undefined;
    if ((error as { code?: unknown }).code === 'ELOOP') throw unsafe(symlinkMessage(what, path, path), request);
    throw corrupt(`cannot read ${what} ${path}: ${(error as Error).message}`, request, error);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw unsafe(`${what} ${path} is ${typeOf(opened)}, not a regular file`, request);
    if (opened.ino !== info.ino || opened.dev !== info.dev)
      throw unsafe(`${what} ${path} was replaced while it was being opened`, request);
    if (!(await reachedByPath(handle.fd, path)))
      throw unsafe(
        `${what} ${path} was reached through a symbolic link (the tree changed while it was being read)`,
        request,
      );
    return { handle, size: opened.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Up to `max` bytes from the start of the file: never more, whatever the file claims. */
export async function readAtMost(
  file: OpenedFile,
  max: number,
  what: string,
  path: string,
  request: string,
): Promise<Buffer> {
  const buffer = Buffer.alloc(max);
  let filled = 0;
  try {
    while (filled < max) {
      const { bytesRead } = await file.handle.read(buffer, filled, max - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (error) {
    throw corrupt(`cannot read ${what} ${path}: ${(error as Error).message}`, request, error);
  }
  return buffer.subarray(0, filled);
}

/** Linux says which path an fd was opened by: a directory swapped for a symlink between the lstat
 * walk and the open shows here. Where there is no /proc, the walk is the check. */
async function reachedByPath(fd: number, path: string): Promise<boolean> {
  const actual = await readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
  return actual === undefined || actual === path;
}

function symlinkMessage(what: string, path: string, link: string): string {
  const where = link === path ? 'is a symbolic link' : `is reached through the symbolic link ${link}`;
  return `${what} ${path} ${where}: a registry's storage holds no symbolic links, and harbor-sync follows none`;
}

function typeOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'an unknown kind of file';
}
