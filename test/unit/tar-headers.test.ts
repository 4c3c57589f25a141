// The tar header reader on hand-made headers (ustar, GNU, pax; sizes in octal and base-256; any
// chunking), the entry rules, and the archive check on files, cross-checked with GNU tar's own
// archives.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TarFormatError, TarHeaderReader, type TarEntry } from '../../src/registry/storage/tar-headers.js';
import { checkArchive, entryProblem } from '../../src/registry/storage/tar-check.js';
import { StorageError } from '../../src/errors/base.js';
import { paxRecords, TAR_END, tarContent, tarHeader } from '../harness/tar-writer.ts';

/** An extended header block ('x', 'g', 'L', 'K') and its data. */
function meta(type: string, data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([tarHeader({ name: '././@LongLink', type, size: bytes.length }), tarContent(bytes)]);
}

function scan(archive: Buffer, chunk = archive.length): TarEntry[] {
  const entries: TarEntry[] = [];
  const reader = new TarHeaderReader((e) => entries.push(e));
  for (let i = 0; i < archive.length && !reader.done; i += chunk) reader.push(archive.subarray(i, i + chunk));
  reader.end();
  return entries;
}

describe('reading headers', () => {
  it('reads names, types and sizes, and passes over content that looks like a header, at any chunking', () => {
    // A file whose content is itself a symlink header: it is data, not an entry.
    const decoy = tarHeader({ name: 'evil', type: '2', linkName: '/etc/passwd' });
    const archive = Buffer.concat([
      tarHeader({ name: 'docker/', type: '5' }),
      tarHeader({ name: 'docker/data', size: decoy.length + 3 }),
      tarContent(Buffer.concat([decoy, Buffer.from('abc')])),
      tarHeader({ name: 'docker/z', size: 0 }),
      TAR_END,
    ]);
    for (const chunk of [1, 7, 511, 512, 513, 100_000]) {
      expect(scan(archive, chunk).map((e) => [e.name, e.type, e.size])).toEqual([
        ['docker/', '5', 0],
        ['docker/data', '0', 515],
        ['docker/z', '0', 0],
      ]);
    }
  });

  it('joins the POSIX ustar prefix; a GNU header keeps other data there', () => {
    expect(
      scan(Buffer.concat([tarHeader({ name: 'data', prefix: 'docker/registry/v2/blobs' }), TAR_END]))[0]!.name,
    ).toBe('docker/registry/v2/blobs/data');
    expect(scan(Buffer.concat([tarHeader({ name: 'data', prefix: 'ignored', format: 'gnu' }), TAR_END]))[0]!.name).toBe(
      'data',
    );
  });

  it('takes a GNU long name (L) and long link name (K) for the next entry', () => {
    const long = `${'d/'.repeat(80)}file`;
    const entries = scan(
      Buffer.concat([
        meta('L', `${long}\0`),
        meta('K', 'target/of/link\0'),
        tarHeader({ name: long.slice(0, 99), type: '2' }),
        TAR_END,
      ]),
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ name: long, type: '2', linkName: 'target/of/link' });
    expect(entries[0]!.aliases).toContain(long.slice(0, 99));
  });

  it('takes a pax path, linkpath and size for the next entry, and only that one', () => {
    const long = `${'p/'.repeat(90)}file`;
    const data = Buffer.alloc(1500, 7);
    const archive = Buffer.concat([
      meta(
        'x',
        paxRecords([
          ['path', long],
          ['size', String(data.length)],
          ['mtime', '1.5'],
        ]),
      ),
      tarHeader({ name: 'short', size: 0 }),
      tarContent(data),
      tarHeader({ name: 'next', size: 0 }),
      TAR_END,
    ]);
    const entries = scan(archive, 100);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      [long, 1500],
      ['next', 0],
    ]);
    expect(entries[0]!.aliases).toEqual(['short']);
  });

  it('reads GNU base-256 sizes', () => {
    const field = Buffer.alloc(12);
    field[0] = 0x80;
    field.writeUInt32BE(1024, 8);
    const archive = Buffer.concat([
      tarHeader({ name: 'big', size: field }),
      tarContent(Buffer.alloc(1024)),
      tarHeader({ name: 'after' }),
      TAR_END,
    ]);
    expect(scan(archive).map((e) => [e.name, e.size])).toEqual([
      ['big', 1024],
      ['after', 0],
    ]);
  });

  it('stops at two zero blocks; a lone zero block does not hide what follows', () => {
    expect(
      scan(Buffer.concat([tarHeader({ name: 'a' }), TAR_END, Buffer.from('trailing garbage')])).map((e) => e.name),
    ).toEqual(['a']);
    const lone = Buffer.concat([
      tarHeader({ name: 'a' }),
      Buffer.alloc(512),
      tarHeader({ name: 'b', type: '2', linkName: '/' }),
      TAR_END,
    ]);
    expect(scan(lone).map((e) => e.name)).toEqual(['a', 'b']);
  });

  it.each([
    ['a bad checksum', Buffer.concat([tarHeader({ name: 'a', badChecksum: true }), TAR_END]), /fails its checksum/],
    [
      'an archive cut short',
      Buffer.concat([tarHeader({ name: 'a', size: 2000 }), Buffer.alloc(600)]),
      /ends in the middle of an entry/,
    ],
    ['a partial header', Buffer.from('not a tar at all'), /ends in the middle of an entry/],
    [
      'a size that is not octal',
      Buffer.concat([tarHeader({ name: 'a', size: Buffer.from('12x45678901\0') }), TAR_END]),
      /not octal/,
    ],
    [
      'a negative base-256 size',
      Buffer.concat([tarHeader({ name: 'a', size: Buffer.alloc(12, 0xff) }), TAR_END]),
      /negative/,
    ],
    [
      'a malformed pax record',
      Buffer.concat([meta('x', '99 path=x\n'), tarHeader({ name: 'a' }), TAR_END]),
      /pax header .* malformed/,
    ],
    [
      'a global pax path',
      Buffer.concat([meta('g', paxRecords([['path', 'x']])), tarHeader({ name: 'a' }), TAR_END]),
      /global pax header .* sets path/,
    ],
    [
      'a huge long name',
      Buffer.concat([tarHeader({ name: '././@LongLink', type: 'L', size: 2 * 1024 * 1024 })]),
      /more than/,
    ],
    ['an extended header with no entry', Buffer.concat([meta('L', 'name\0')]), /without the entry/],
  ])('refuses %s', (_what, archive, message) => {
    expect(() => scan(archive)).toThrow(TarFormatError);
    expect(() => scan(archive)).toThrow(message);
  });
});

describe('which entries may be extracted', () => {
  const entry = (e: Partial<TarEntry>): TarEntry => ({
    name: 'docker/registry/v2/x',
    aliases: [],
    type: '0',
    linkName: '',
    size: 0,
    ...e,
  });

  it('allows regular files and directories', () => {
    expect(entryProblem(entry({ size: 10 }))).toBeUndefined();
    expect(entryProblem(entry({ type: '7', size: 10 }))).toBeUndefined();
    expect(entryProblem(entry({ type: '5', name: 'docker/' }))).toBeUndefined();
  });

  it.each([
    [{ type: '2', linkName: '/etc/passwd' }, 'is a symbolic link (to "/etc/passwd")'],
    [{ type: '1', linkName: 'docker/other' }, 'is a hard link (to "docker/other")'],
    [{ type: '3' }, 'is a character device'],
    [{ type: '4' }, 'is a block device'],
    [{ type: '6' }, 'is a FIFO'],
    [{ type: 'S' }, 'has tar entry type "S"'],
    [{ name: '/etc/cron.d/x' }, 'has an absolute path'],
    [{ name: 'docker/../../etc/x' }, 'has a ".." component'],
    [{ name: '..' }, 'has a ".." component'],
    [{ name: 'ok', aliases: ['../evil'] }, 'has a ".." component'],
    [{ type: '5', size: 512 }, 'is a directory that carries content'],
    [{ name: 'docker/', size: 512 }, 'is a directory that carries content'],
    [{ name: '' }, 'has an empty name'],
  ])('refuses %o', (fields, problem) => {
    expect(entryProblem(entry(fields))).toContain(problem);
  });
});

describe('checking an archive file', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hs-tar-check-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function check(name: string, bytes: Buffer, gzip = false): Promise<Error | undefined> {
    const file = join(work, name);
    await writeFile(file, gzip ? gzipSync(bytes) : bytes);
    return await checkArchive(file, gzip, file).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  }

  it('refuses at the first bad entry, through gunzip too, naming it with control characters escaped', async () => {
    const archive = Buffer.concat([
      tarHeader({ name: 'docker/', type: '5' }),
      meta('x', paxRecords([['path', 'docker/\u001b[31mred']])),
      tarHeader({ name: 'docker/plain', type: '2', linkName: '/etc/shadow' }),
      tarHeader({ name: 'docker/second', type: '1', linkName: 'docker/' }),
      TAR_END,
    ]);
    for (const gzip of [false, true]) {
      const error = await check(`first-bad${gzip ? '.tar.gz' : '.tar'}`, archive, gzip);
      expect(error).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
      expect(error).toBeInstanceOf(StorageError);
      expect(error?.message).toContain('entry "docker/\\x1b[31mred" is a symbolic link (to "/etc/shadow")');
      expect(error?.message).not.toContain('\u001b');
      expect(error?.message).not.toContain('docker/second');
    }
  });

  it('refuses a file that is not a tar archive', async () => {
    const error = await check('not-a-tar.tar', Buffer.from('x'.repeat(2000)));
    expect(error).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    expect(error).toBeInstanceOf(StorageError);
    expect(error?.message).toMatch(/not a tar archive/);
  });

  it('refuses a gzip file that is damaged, without hanging', async () => {
    const bytes = gzipSync(Buffer.concat([tarHeader({ name: 'a', size: 10 }), tarContent('0123456789'), TAR_END]));
    const file = join(work, 'damaged.tar.gz');
    await writeFile(file, bytes.subarray(0, bytes.length - 12));
    await expect(checkArchive(file, true, file)).rejects.toThrow(
      /cannot be read as a gzip-compressed tar archive|ends in the middle/,
    );
  });

  describe("GNU tar's own archives", () => {
    // Past 100 characters: GNU writes an L header, pax an x header, ustar splits into prefix/name.
    const longDir = `docker/registry/v2/${'repositories/team/'.repeat(5)}app`;
    beforeAll(async () => {
      await mkdir(join(work, 'tree', longDir), { recursive: true });
      await writeFile(join(work, 'tree', longDir, `${'l'.repeat(60)}-link`), 'sha256:abc');
    });

    it.each(['gnu', 'pax', 'ustar'])('a clean tree in %s format passes, long names and all', async (format) => {
      const archive = join(work, `clean-${format}.tar.gz`);
      execFileSync('tar', [`--format=${format}`, '-czf', archive, '-C', join(work, 'tree'), 'docker']);
      await expect(checkArchive(archive, true, archive)).resolves.toBeUndefined();
    });

    it.each(['gnu', 'pax', 'ustar'])(
      'a symlink with a long name in %s format is refused by that name',
      async (format) => {
        const tree = join(work, `with-link-${format}`);
        await mkdir(join(tree, longDir), { recursive: true });
        await symlink('/etc/passwd', join(tree, longDir, `${'d'.repeat(60)}-data`));
        const archive = join(work, `with-link-${format}.tar`);
        execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', tree, 'docker']);
        await expect(checkArchive(archive, false, archive)).rejects.toThrow(
          `entry "${longDir}/${'d'.repeat(60)}-data" is a symbolic link (to "/etc/passwd")`,
        );
      },
    );
  });
});
