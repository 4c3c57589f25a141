// A tar archive read in place as a StorageTree: the index (tar-index.ts) says where each file's
// content is, and a file is read from that byte range of the archive, through the one fd opened
// and checked before indexing. Nothing is extracted; the archive holds no symlinks or devices
// (refused while indexing), so nothing here can lead outside it. Sizes are the headers': a read
// that comes up short (the archive changed since) ends early, and the digest check names it.
import type { FileHandle } from 'node:fs/promises';
import { sep } from 'node:path';
import { Readable } from 'node:stream';
import { corrupt, unsafe } from './errors.js';
import type { IndexedFile, TarIndex } from './tar-index.js';
import type { NodeKind, StorageTree, TreeEntry, TreeFile } from './tree.js';

/** As fs streams read. */
const CHUNK = 64 * 1024;

export class TarTree implements StorageTree {
  readonly top = sep;
  private readonly handle: FileHandle;
  private readonly index: TarIndex;
  private readonly shown: string;
  private readonly release: (() => Promise<void>) | undefined;
  private readonly streams = new Set<Readable>();
  private closed: Promise<void> | undefined;

  /** `shown`: the archive as the user named it; `release` runs after the fd is closed. */
  constructor(handle: FileHandle, index: TarIndex, shown: string, release?: () => Promise<void>) {
    this.handle = handle;
    this.index = index;
    this.shown = shown;
    this.release = release;
  }

  show(path: string): string {
    return `${this.shown}:${key(path).replace(/^\/+/, '')}`;
  }

  async stat(path: string): Promise<NodeKind | undefined> {
    return this.index.kindOf(key(path));
  }

  async fileSize(path: string, what: string, request: string): Promise<number | undefined> {
    return this.regular(path, what, request)?.size;
  }

  async list(dir: string): Promise<TreeEntry[] | undefined> {
    return this.index.list(key(dir));
  }

  async open(path: string, what: string, request: string): Promise<TreeFile | undefined> {
    const range = this.regular(path, what, request);
    return range && new RangeFile(this, range, this.show(path));
  }

  async isLayoutRoot(dir: string): Promise<boolean> {
    return ['repositories', 'blobs'].some((d) => this.index.kindOf(`${key(dir)}/${d}`) === 'directory');
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      for (const stream of this.streams) stream.destroy();
      // Waits for reads in flight: the fd is not reused under them.
      await this.handle.close();
      await this.release?.();
    })();
    return this.closed;
  }

  /** Reads [position, position + length) of the archive into `buffer`; fewer bytes at its end. */
  async readAt(buffer: Buffer, length: number, position: number): Promise<number> {
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  }

  track(stream: Readable): void {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
  }

  private regular(path: string, what: string, request: string): IndexedFile | undefined {
    const k = key(path);
    const found = this.index.file(k);
    if (!found && this.index.kindOf(k) === 'directory')
      throw unsafe(`${what} ${this.show(path)} is a directory, not a regular file`, request);
    return found;
  }
}

class RangeFile implements TreeFile {
  readonly size: number;
  private readonly tree: TarTree;
  private readonly offset: number;
  private readonly shown: string;

  constructor(tree: TarTree, range: IndexedFile, shown: string) {
    this.tree = tree;
    this.offset = range.offset;
    this.size = range.size;
    this.shown = shown;
  }

  async read(max: number, what: string, request: string): Promise<Buffer> {
    const buffer = Buffer.alloc(Math.min(max, this.size));
    try {
      return buffer.subarray(0, await this.tree.readAt(buffer, buffer.length, this.offset));
    } catch (error) {
      throw corrupt(`cannot read ${what} ${this.shown}: ${(error as Error).message}`, request, error);
    }
  }

  stream(): Readable {
    const tree = this.tree;
    let position = this.offset;
    const end = this.offset + this.size;
    const stream = new Readable({
      highWaterMark: CHUNK,
      read() {
        const length = Math.min(CHUNK, end - position);
        if (length === 0) return void this.push(null);
        const buffer = Buffer.allocUnsafe(length);
        tree.readAt(buffer, length, position).then(
          (n) => {
            position += n;
            if (this.destroyed) return;
            if (n > 0) this.push(n === length ? buffer : buffer.subarray(0, n));
            // Short: the archive ends before the header's size; the reader's check names it.
            if (n < length) this.push(null);
          },
          (error: unknown) => this.destroy(error as Error),
        );
      },
    });
    tree.track(stream);
    return stream;
  }

  async close(): Promise<void> {
    // Nothing held: the archive's fd belongs to the tree.
  }
}

/** A tree path as the index's key: relative to the archive's top. */
function key(path: string): string {
  return sep === '/' ? path : path.replaceAll(sep, '/');
}
