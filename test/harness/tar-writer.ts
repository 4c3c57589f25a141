// Hand-made tar archives, for what GNU tar will not write on request (a pax path that differs from
// the header's name, a file and a directory at one path) and for synthetic archives of any size
// (bench/tar-index.ts). ustar headers with octal sizes; pax records for anything longer.

const BLOCK = 512;

export interface TarHeader {
  name: string;
  /** '0' file, '5' directory, 'x' pax, … */
  type?: string;
  /** A number is written in octal; a Buffer is the 12-byte field as it stands (base-256, junk). */
  size?: number | Buffer;
  linkName?: string;
  /** ustar's prefix field: the full name is `prefix/name`. */
  prefix?: string;
  /** The magic: POSIX ustar unless given, GNU's, or none (v7). */
  format?: 'ustar' | 'gnu' | 'v7';
  /** A checksum one off, as a damaged header has. */
  badChecksum?: boolean;
}

export function tarHeader(h: TarHeader): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  b.write(h.type === '5' ? '0000755\0' : '0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  if (Buffer.isBuffer(h.size)) h.size.copy(b, 124);
  else b.write(`${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('14000000000\0', 136, 'latin1');
  b.write(h.type ?? '0', 156, 'latin1');
  if (h.linkName) b.write(h.linkName, 157, 100, 'utf8');
  if (h.format !== 'v7') b.write(h.format === 'gnu' ? 'ustar  \0' : 'ustar\x0000', 257, 'latin1');
  if (h.prefix) b.write(h.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  if (h.badChecksum) sum += 1;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

/** Content padded to whole blocks. */
export function tarContent(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([bytes, Buffer.alloc((BLOCK - (bytes.length % BLOCK)) % BLOCK)]);
}

/** Pax records, `<length> key=value\n` each, the length counting itself. */
export function paxRecords(records: [string, string][]): Buffer {
  return Buffer.concat(
    records.map(([k, v]) => {
      const body = ` ${k}=${v}\n`;
      let length = Buffer.byteLength(body) + 1;
      while (String(length).length + Buffer.byteLength(body) !== length)
        length = String(length).length + Buffer.byteLength(body);
      return Buffer.from(`${length}${body}`);
    }),
  );
}

/** A pax extended header ('x') carrying these records, for the entry after it. */
export function paxHeader(records: [string, string][]): Buffer {
  const data = paxRecords(records);
  return Buffer.concat([tarHeader({ name: 'PaxHeaders/x', type: 'x', size: data.length }), tarContent(data)]);
}

/** A regular file entry: header and content; a name past 100 bytes goes in a pax header. */
export function tarFile(name: string, data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  const long = Buffer.byteLength(name) > 100;
  return Buffer.concat([
    ...(long ? [paxHeader([['path', name]])] : []),
    tarHeader({ name: long ? name.slice(0, 100) : name, size: bytes.length }),
    tarContent(bytes),
  ]);
}

export function tarDirectory(name: string): Buffer {
  const long = Buffer.byteLength(name) > 100;
  return Buffer.concat([
    ...(long ? [paxHeader([['path', name]])] : []),
    tarHeader({ name: long ? name.slice(0, 100) : name, type: '5' }),
  ]);
}

/** The end-of-archive marker. */
export const TAR_END = Buffer.alloc(2 * BLOCK);
