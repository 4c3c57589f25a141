// Where a storage source's bytes come from, apart from what the registry's layout means
// (storage-client.ts): a directory on disk (dir-tree.ts, read through safe-read.ts) or a tar archive
// read in place (tar-tree.ts). Paths are the tree's own, joined below `top` with node:path; a
// tree shows them to users its own way (an archive as `registry.tar:docker/registry/v2/…`).
import type { Readable } from 'node:stream';

export type NodeKind = 'directory' | 'file' | 'symlink' | 'other';

export interface TreeEntry {
  name: string;
  kind: NodeKind;
}

/** A regular file, opened: what is read is what was checked. */
export interface TreeFile {
  /** Its size when opened. */
  readonly size: number;
  /** Up to `max` bytes from its start, never more whatever the file claims. */
  read(max: number, what: string, request: string): Promise<Buffer>;
  /** Its content; the file is closed when the stream ends or is destroyed. Read errors carry the
   * fs error's message. */
  stream(): Readable;
  close(): Promise<void>;
}

export interface StorageTree {
  /** The tree's top directory, as a path to join below. */
  readonly top: string;
  /** How messages show a path of this tree. */
  show(path: string): string;
  /** What is at `path`, nothing followed; undefined when something on the way is missing. A
   * symbolic link on the way fails naming it. `what` names the thing in messages. */
  stat(path: string, what: string, request: string): Promise<NodeKind | undefined>;
  /** A regular file's size; undefined when missing; anything else there fails naming it. */
  fileSize(path: string, what: string, request: string): Promise<number | undefined>;
  /** A directory's entries, unsorted; undefined when it is missing. */
  list(dir: string, request: string): Promise<TreeEntry[] | undefined>;
  /** Opens a regular file; undefined when missing; anything else there fails naming it. */
  open(path: string, what: string, request: string): Promise<TreeFile | undefined>;
  /** Whether `dir` holds a storage layout (repositories/ or blobs/). */
  isLayoutRoot(dir: string): Promise<boolean>;
  /** Releases the tree (an archive's file, a decompressed copy); idempotent. */
  close(): Promise<void>;
}
