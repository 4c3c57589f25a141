// A tar archive's headers, read as data before anything is read from it (ustar, GNU and pax): fed
// chunk by chunk, it hands each entry and the offset of its content to a callback and passes over
// file contents without keeping them, so a multi-gigabyte archive costs a 512-byte buffer. A
// reader of a plain file can skip those contents instead of feeding them (passOver). Anything it
// cannot read with certainty is an error: no entry is used that this reader did not see.

const BLOCK = 512;
/** GNU long names and pax headers are a few hundred bytes; more is not a storage tree. */
const META_LIMIT = 1024 * 1024;

export interface TarEntry {
  /** The name the extractor uses (pax path, else GNU long name, else ustar prefix/name). */
  name: string;
  /** Every other name the headers gave it: all are checked, since extractors differ on which wins. */
  aliases: string[];
  /** The typeflag, `0` for regular files (`\0` is folded into it). */
  type: string;
  linkName: string;
  /** Bytes of content that follow the header. */
  size: number;
  /** A pax header described it as sparse (GNU.sparse.*): its content is a map, not the file. */
  sparse?: true;
}

export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

interface Pending {
  longName?: string;
  longLink?: string;
  pax: [string, string][];
}

export class TarHeaderReader {
  private readonly onEntry: (entry: TarEntry, dataOffset: number) => void;
  private readonly header = Buffer.alloc(BLOCK);
  private filled = 0;
  /** Content (and padding) still to pass over. */
  private skip = 0;
  /** A GNU long name or pax header being collected. */
  private meta: { type: string; data: Buffer; filled: number } | undefined;
  private pending: Pending = { pax: [] };
  private zeroBlocks = 0;
  private ended = false;
  /** Bytes consumed, for messages. */
  private offset = 0;

  /** `dataOffset`: where the entry's content starts, counted from the first byte pushed. */
  constructor(onEntry: (entry: TarEntry, dataOffset: number) => void) {
    this.onEntry = onEntry;
  }

  /** Bytes read so far (after the end marker: where the archive's content ends). */
  get position(): number {
    return this.offset;
  }

  /** Content still to pass over before the next header: a reader of a file may skip it. */
  get skipping(): number {
    return this.skip;
  }

  /** Counts `bytes` (at most `skipping`) as passed over without pushing them. */
  passOver(bytes: number): void {
    const n = Math.min(bytes, this.skip);
    this.skip -= n;
    this.offset += n;
  }

  /** True once the end-of-archive marker (two zero blocks) was read; the rest is ignored. */
  get done(): boolean {
    return this.ended;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.ended) {
      const available = chunk.length - pos;
      if (this.skip > 0) {
        const n = Math.min(this.skip, available);
        this.skip -= n;
        this.offset += n;
        pos += n;
      } else if (this.meta) {
        const meta = this.meta;
        const n = Math.min(meta.data.length - meta.filled, available);
        chunk.copy(meta.data, meta.filled, pos, pos + n);
        meta.filled += n;
        this.offset += n;
        pos += n;
        if (meta.filled === meta.data.length) this.finishMeta();
      } else {
        const n = Math.min(BLOCK - this.filled, available);
        chunk.copy(this.header, this.filled, pos, pos + n);
        this.filled += n;
        this.offset += n;
        pos += n;
        if (this.filled === BLOCK) {
          this.filled = 0;
          this.readHeader();
        }
      }
    }
  }

  /** At the end of the input: an archive cut short is an error. */
  end(): void {
    if (this.ended) return;
    if (this.filled > 0 || this.skip > 0 || this.meta)
      throw new TarFormatError(
        `the archive ends in the middle of an entry (after ${this.offset} bytes): cut short, or not a tar archive`,
      );
    if (this.pending.longName !== undefined || this.pending.longLink !== undefined || this.pending.pax.length > 0) {
      throw new TarFormatError('the archive ends after an extended header, without the entry it describes');
    }
  }

  private readHeader(): void {
    const at = this.offset - BLOCK;
    if (this.header.every((b) => b === 0)) {
      // GNU tar stops at two zero blocks; a lone one is passed over, and what follows is read too.
      if (++this.zeroBlocks >= 2) this.ended = true;
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumMatches(this.header))
      throw new TarFormatError(`not a tar archive, or damaged: the header at byte ${at} fails its checksum`);
    const type = this.header[156] === 0 ? '0' : String.fromCharCode(this.header[156]!);
    const headerSize = numeric(this.header.subarray(124, 136), at);
    if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
      if (headerSize > META_LIMIT)
        throw new TarFormatError(`the extended header at byte ${at} is ${headerSize} bytes, more than ${META_LIMIT}`);
      this.meta = { type, data: Buffer.alloc(headerSize), filled: 0 };
      if (headerSize === 0) this.finishMeta();
      return;
    }
    const entry = this.entry(type, headerSize, at);
    this.pending = { pax: [] };
    this.onEntry(entry, this.offset);
    this.skip = padded(entry.size);
  }

  private entry(type: string, headerSize: number, at: number): TarEntry {
    const h = this.header;
    const rawName = text(h.subarray(0, 100));
    // POSIX ustar ("ustar\0") splits long names into prefix/name; GNU ("ustar  ") keeps other data there.
    const ustar = h.toString('latin1', 257, 263) === 'ustar\0';
    const prefix = ustar ? text(h.subarray(345, 500)) : '';
    const headerName = prefix ? `${prefix}/${rawName}` : rawName;
    const paxPaths = this.paxValues('path', 'GNU.sparse.name');
    const paxSize = this.paxValues('size').at(-1);
    const name = paxPaths.at(-1) ?? this.pending.longName ?? headerName;
    const aliases = [...paxPaths, this.pending.longName, headerName, rawName].filter(
      (n): n is string => n !== undefined && n !== name,
    );
    const linkName = this.paxValues('linkpath').at(-1) ?? this.pending.longLink ?? text(h.subarray(157, 257));
    const size = paxSize === undefined ? headerSize : paxNumber(paxSize, at);
    const sparse = this.pending.pax.some(([k]) => k.startsWith('GNU.sparse.'));
    return { name, aliases: [...new Set(aliases)], type, linkName, size, ...(sparse && { sparse }) };
  }

  private paxValues(...keys: string[]): string[] {
    return this.pending.pax.filter(([k, v]) => keys.includes(k) && v !== '').map(([, v]) => v);
  }

  private finishMeta(): void {
    const meta = this.meta!;
    this.meta = undefined;
    this.skip = padded(meta.data.length) - meta.data.length;
    const at = this.offset - meta.data.length - BLOCK;
    if (meta.type === 'L') this.pending.longName = text(meta.data);
    else if (meta.type === 'K') this.pending.longLink = text(meta.data);
    else if (meta.type === 'x') this.pending.pax.push(...paxRecords(meta.data, at));
    else {
      // A global header applies to every entry after it; one that renames or resizes them is refused.
      const risky = paxRecords(meta.data, at).find(([k]) =>
        ['path', 'linkpath', 'size', 'GNU.sparse.name'].includes(k),
      );
      if (risky)
        throw new TarFormatError(`the global pax header at byte ${at} sets ${risky[0]} for every entry after it`);
    }
  }
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/** A NUL-terminated header field. */
function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end === -1 ? field.length : end);
}

/** Octal ASCII, or GNU base-256 when the high bit of the first byte is set. */
function numeric(field: Buffer, at: number): number {
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new TarFormatError(`the header at byte ${at} holds a negative size`);
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) {
      value = value * 256 + byte;
      if (value > Number.MAX_SAFE_INTEGER)
        throw new TarFormatError(`the header at byte ${at} holds a size too large to be real`);
    }
    return value;
  }
  const digits = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarFormatError(`the header at byte ${at} holds a number that is not octal`);
  return parseInt(digits, 8);
}

function paxNumber(value: string, at: number): number {
  if (!/^\d{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER)
    throw new TarFormatError(`the pax header before byte ${at} holds a size that is not a number`);
  return Number(value);
}

/** The checksum counts the checksum field as spaces; old tars summed signed bytes. */
function checksumMatches(header: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  const digits = header
    .toString('latin1', 148, 156)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]+$/.test(digits)) return false;
  const stored = parseInt(digits, 8);
  return stored === unsigned || stored === signed;
}

/** `<length> <key>=<value>\n` records; anything else is refused, not guessed at. */
function paxRecords(data: Buffer, at: number): [string, string][] {
  const records: [string, string][] = [];
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0 && data.subarray(pos).every((b) => b === 0)) break; // NUL padding
    const space = data.indexOf(0x20, pos);
    const length = space === -1 ? NaN : Number(data.toString('latin1', pos, space));
    const end = pos + length;
    if (
      !Number.isInteger(length) ||
      space - pos > 20 ||
      end <= space + 1 ||
      end > data.length ||
      data[end - 1] !== 0x0a
    ) {
      throw new TarFormatError(`the pax header at byte ${at} is malformed`);
    }
    const record = data.subarray(space + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError(`the pax header at byte ${at} is malformed`);
    records.push([record.toString('utf8', 0, eq), record.toString('utf8', eq + 1)]);
    pos = end;
  }
  return records;
}
