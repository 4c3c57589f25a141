// A storage directory on disk as a StorageTree: every read goes through safe-read.ts (no symlink
// followed, only regular files opened, reads bounded), below the v2 directory found at open.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { corrupt, isMissing } from './errors.js';
import { isLayoutRoot } from './locate.js';
import { lstatBelow, openBelow, readAtMost, regularFileBelow, type OpenedFile } from './safe-read.js';
import type { NodeKind, StorageTree, TreeEntry, TreeFile } from './tree.js';

export class DirectoryTree implements StorageTree {
  /** The v2 directory, as a real path: paths below it are checked component by component. */
  readonly top: string;

  constructor(root: string) {
    this.top = root;
  }

  show(path: string): string {
    return path;
  }

  async stat(path: string, what: string, request: string): Promise<NodeKind | undefined> {
    const info = await lstatBelow(this.top, path, what, request);
    if (!info) return undefined;
    return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : info.isSymbolicLink() ? 'symlink' : 'other';
  }

  async fileSize(path: string, what: string, request: string): Promise<number | undefined> {
    return (await regularFileBelow(this.top, path, what, request))?.size;
  }

  async list(dir: string, request: string): Promise<TreeEntry[] | undefined> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw corrupt(`cannot list ${dir}: ${(error as Error).message}`, request, error);
    });
    return entries?.map((e) => ({ name: e.name, kind: kindOf(e) }));
  }

  async open(path: string, what: string, request: string): Promise<TreeFile | undefined> {
    const file = await openBelow(this.top, path, what, request);
    return file && new OpenedTreeFile(file, path);
  }

  isLayoutRoot(dir: string): Promise<boolean> {
    return isLayoutRoot(dir);
  }

  async close(): Promise<void> {
    // Nothing held: each file is opened and closed by its reader.
  }
}

class OpenedTreeFile implements TreeFile {
  readonly size: number;
  private readonly file: OpenedFile;
  private readonly path: string;

  constructor(file: OpenedFile, path: string) {
    this.file = file;
    this.size = file.size;
    this.path = path;
  }

  read(max: number, what: string, request: string): Promise<Buffer> {
    return readAtMost(this.file, max, what, this.path, request);
  }

  stream(): Readable {
    // autoClose (the default) closes the fd when the stream ends or is destroyed; it reads the fd
    // that was opened and checked, so the file streamed is the one that was checked.
    return this.file.handle.createReadStream();
  }

  close(): Promise<void> {
    return this.file.handle.close();
  }
}

function kindOf(entry: Dirent): NodeKind {
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  return entry.isSymbolicLink() ? 'symlink' : 'other';
}
