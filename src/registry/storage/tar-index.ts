// Where each file and directory of a tar archive is, for reading it in place: a tree of path
// components kept in typed arrays (parent, name, kind, content offset and size per node), names
// stored once however many paths share them (a blob's hex names its directory under blobs/ and
// under every repository's _layers/), and children found through one open-addressing hash table
// of (parent, name). A 5,000-image archive has hundreds of thousands of entries: a Map of path
// strings to header objects would cost several times as much.
// Same-path rules, as GNU tar extracts: a directory named again, or implied by a deeper path, is
// the same directory; a file named again is replaced by the later one (`tar -r` appends updated
// files); a path that is a file in one entry and a directory in another is refused.
// Bounded: a real registry's storage has a few hundred thousand entries with names of at most 255
// bytes a component; an archive past either bound is refused, not indexed until memory runs out.

export type IndexKind = 'directory' | 'file';

export interface IndexedFile {
  offset: number;
  size: number;
}

/** Several times a 5,000-image registry (about 300,000 entries, a 30 MB index): at most some
 * 200 MB of index with real names (64-hex), 800 MB if every name were unique and 255 bytes long. */
export const MAX_ENTRIES = 2_000_000;
/** NAME_MAX of every Linux filesystem. */
const MAX_COMPONENT = 255;

const DIRECTORY = 1;
const FILE = 2;
const NONE = -1;

/** Why an entry cannot be indexed; the message reads after "the archive is refused: ". */
export class TarIndexRefusal extends Error {
  override readonly name = 'TarIndexRefusal';
}

export class TarIndex {
  private count = 1; // node 0: the archive's top
  private added = 0;
  private parent = new Int32Array(1024);
  private nameId = new Int32Array(1024);
  private kind = new Uint8Array(1024).fill(DIRECTORY, 0, 1);
  private firstChild = new Int32Array(1024).fill(NONE);
  private nextSibling = new Int32Array(1024).fill(NONE);
  private offset = new Float64Array(1024);
  private size = new Float64Array(1024);
  /** Node + 1 per slot, 0 when empty; keyed by (parent, name). */
  private slots = new Int32Array(2048);
  private readonly names: string[] = [''];
  private readonly nameIds = new Map<string, number>();
  private readonly maxEntries: number;

  constructor(maxEntries = MAX_ENTRIES) {
    this.maxEntries = maxEntries;
  }

  /** Entries and implied directories, the top included. */
  get nodes(): number {
    return this.count;
  }

  /** Entries added (a path named twice counts twice). */
  get entries(): number {
    return this.added;
  }

  /** Adds an entry by its archive name (`./` prefixes, `//` and a trailing `/` are the same path). */
  add(path: string, kind: IndexKind, offset = 0, size = 0): void {
    const parts = components(path);
    if (parts.length === 0 && kind === 'file') throw new TarIndexRefusal('a file entry names the top directory');
    if (this.added >= this.maxEntries)
      throw new TarIndexRefusal(
        `it holds more than ${this.maxEntries.toLocaleString('en')} entries, more than a registry's storage does`,
      );
    const long = parts.find((p) => Buffer.byteLength(p) > MAX_COMPONENT);
    if (long !== undefined)
      throw new TarIndexRefusal(
        `an entry's name has a component of ${Buffer.byteLength(long)} bytes, longer than any filesystem allows (${MAX_COMPONENT})`,
      );
    this.added++;
    let node = 0;
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const wanted = last && kind === 'file' ? FILE : DIRECTORY;
      const name = this.intern(parts[i]!);
      let child = this.child(node, name);
      if (child === NONE) child = this.create(node, name, wanted);
      else if (this.kind[child] !== wanted) {
        const shown = parts.slice(0, i + 1).join('/');
        throw new TarIndexRefusal(
          `"${shown}" is a ${this.kind[child] === FILE ? 'file' : 'directory'} in one entry and a ${wanted === FILE ? 'file' : 'directory'} in another`,
        );
      }
      node = child;
    }
    if (kind === 'file') {
      // The later entry wins, as extraction would leave it.
      this.offset[node] = offset;
      this.size[node] = size;
    }
  }

  /** What the path is, or undefined when the archive holds nothing there. */
  kindOf(path: string): IndexKind | undefined {
    const node = this.find(path);
    if (node === NONE) return undefined;
    return this.kind[node] === FILE ? 'file' : 'directory';
  }

  /** A regular file's content range, or undefined when the path is not a file. */
  file(path: string): IndexedFile | undefined {
    const node = this.find(path);
    if (node === NONE || this.kind[node] !== FILE) return undefined;
    return { offset: this.offset[node]!, size: this.size[node]! };
  }

  /** A directory's entries (unsorted), or undefined when the path is not a directory. */
  list(path: string): { name: string; kind: IndexKind }[] | undefined {
    const node = this.find(path);
    if (node === NONE || this.kind[node] !== DIRECTORY) return undefined;
    const entries: { name: string; kind: IndexKind }[] = [];
    for (let c = this.firstChild[node]!; c !== NONE; c = this.nextSibling[c]!)
      entries.push({ name: this.names[this.nameId[c]!]!, kind: this.kind[c] === FILE ? 'file' : 'directory' });
    return entries;
  }

  private find(path: string): number {
    let node = 0;
    for (const part of components(path)) {
      const name = this.nameIds.get(part);
      if (name === undefined) return NONE;
      node = this.child(node, name);
      if (node === NONE) return NONE;
    }
    return node;
  }

  private intern(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      // A copy of its own: a substring would keep the whole header name it was cut from alive.
      const own = Buffer.from(name, 'utf8').toString('utf8');
      this.names.push(own);
      this.nameIds.set(own, id);
    }
    return id;
  }

  private child(parent: number, name: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash(parent, name) & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot]!;
      if (stored === 0) return NONE;
      const node = stored - 1;
      if (this.parent[node] === parent && this.nameId[node] === name) return node;
    }
  }

  private create(parent: number, name: number, kind: number): number {
    if (this.count === this.parent.length) this.grow();
    const node = this.count++;
    this.parent[node] = parent;
    this.nameId[node] = name;
    this.kind[node] = kind;
    this.firstChild[node] = NONE;
    this.nextSibling[node] = this.firstChild[parent]!;
    this.firstChild[parent] = node;
    this.place(node);
    // Half full at most, so probes stay short.
    if (this.count * 2 > this.slots.length) this.rehash();
    return node;
  }

  private place(node: number): void {
    const mask = this.slots.length - 1;
    let slot = hash(this.parent[node]!, this.nameId[node]!) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = node + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let node = 1; node < this.count; node++) this.place(node);
  }

  private grow(): void {
    const n = this.parent.length * 2;
    const int32 = (a: Int32Array) => {
      const b = new Int32Array(n).fill(NONE);
      b.set(a);
      return b;
    };
    this.parent = int32(this.parent);
    this.nameId = int32(this.nameId);
    this.firstChild = int32(this.firstChild);
    this.nextSibling = int32(this.nextSibling);
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    this.kind = kind;
    const float = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.offset = float(this.offset);
    this.size = float(this.size);
  }
}

/** The path's components: `.` and empty ones dropped (`./a//b/` is `a/b`), as tar extracts;
 * `..` never gets here (the entry check refuses it). */
export function components(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

function hash(parent: number, name: number): number {
  return (Math.imul(parent, 0x9e3779b1) ^ Math.imul(name, 0x85ebca6b)) >>> 0;
}
