// Issue 27: a tarball read in place. The index of a plain tar (paths, same-path rules), reading
// through it exactly what the directory holds in every tar format GNU tar writes, what a hostile
// or changed archive gets, progress lines, and the compressed forms (gzip, zstd; xz refused).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { buildConfig } from '../../src/config/inputs.js';
import { openStorageSource, type StorageSource } from '../../src/registry/storage/open-storage.js';
import { sourceKind } from '../../src/sources/source-kinds.js';
import { storageLocation } from '../../src/sources/storage.js';
import { TarIndex, TarIndexRefusal } from '../../src/registry/storage/tar-index.js';
import { LayoutBuilder, digestOf } from '../harness/storage-helpers.ts';
import { TAR_END, paxHeader, tarDirectory, tarFile, tarHeader } from '../harness/tar-writer.ts';

let layout: LayoutBuilder;
let work: string;
let image: { digest: string };
let other: { digest: string };
const LONG_REPO = `team/${'very-long-component-'.repeat(4)}x/app`;

beforeAll(async () => {
  layout = await LayoutBuilder.create();
  image = await layout.image('team/app', '1', ['layer one', '']);
  other = await layout.image('team/app', '2', ['layer two']);
  await layout.image(LONG_REPO, 'v1.0', ['long layer']);
  work = await mkdtemp(join(tmpdir(), 'hs-tar-in-place-'));
});
afterAll(async () => {
  await rm(layout.dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

/** Everything a sync reads, as text: equal for two sources means they read the same. */
async function everything(source: StorageSource): Promise<string[]> {
  const out: string[] = [];
  for (const repo of await source.listRepositories()) {
    out.push(`repo ${repo}`);
    for (const tag of await source.listTags(repo)) {
      const m = await source.getManifest(repo, tag);
      out.push(`tag ${repo}:${tag} ${m.digest} ${m.mediaType} ${m.bytes.toString('base64')}`);
      const body = JSON.parse(m.bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
      for (const digest of [body.config.digest, ...body.layers.map((l) => l.digest)]) {
        const blob = await source.getBlob(repo, digest);
        out.push(`blob ${digest} ${blob.size} ${await source.headBlob(repo, digest)} ${await text(blob.body)}`);
      }
    }
    out.push(`revisions ${(await source.listRevisions(repo)).join(',')}`);
  }
  return out;
}

async function tarOf(name: string, args: string[] = []): Promise<string> {
  const archive = join(work, name);
  execFileSync('tar', [...args, '-cf', archive, '-C', layout.dir, 'docker']);
  return archive;
}

async function refusal(archive: string): Promise<Error> {
  return await openStorageSource(storageLocation(`file://${archive}`)).then(
    async (s) => {
      await s.close();
      throw new Error('not refused');
    },
    (e: unknown) => e as Error,
  );
}

describe('the index', () => {
  it('takes ./ prefixes, doubled and trailing slashes as the same path, and implies parent directories', () => {
    const index = new TarIndex();
    index.add('./docker//registry/v2/blobs/data', 'file', 1024, 10);
    index.add('docker/registry/', 'directory');
    expect(index.kindOf('docker')).toBe('directory');
    expect(index.kindOf('/docker/registry/v2/blobs/')).toBe('directory');
    expect(index.file('docker/registry/v2/blobs/data')).toEqual({ offset: 1024, size: 10 });
    expect(index.list('docker/registry')).toEqual([{ name: 'v2', kind: 'directory' }]);
    expect(index.kindOf('docker/other')).toBeUndefined();
    expect(index.file('docker/registry')).toBeUndefined();
  });

  it('a file named twice is the later one, as tar extracts it; a directory named twice is one directory', () => {
    const index = new TarIndex();
    index.add('a/link', 'file', 512, 71);
    index.add('a/', 'directory');
    index.add('a', 'directory');
    index.add('a/link', 'file', 4096, 72);
    expect(index.file('a/link')).toEqual({ offset: 4096, size: 72 });
    expect(index.list('a')).toEqual([{ name: 'link', kind: 'file' }]);
    expect(index.entries).toBe(4);
  });

  it('refuses a path that is a file in one entry and a directory in another, either way round', () => {
    const fileFirst = new TarIndex();
    fileFirst.add('a/b', 'file', 512, 1);
    expect(() => fileFirst.add('a/b/c', 'file', 1024, 1)).toThrow(TarIndexRefusal);
    expect(() => fileFirst.add('a/b/', 'directory')).toThrow('"a/b" is a file in one entry and a directory in another');
    const dirFirst = new TarIndex();
    dirFirst.add('a/b/', 'directory');
    expect(() => dirFirst.add('a/b', 'file', 512, 1)).toThrow(
      '"a/b" is a directory in one entry and a file in another',
    );
    expect(() => new TarIndex().add('./', 'file', 512, 1)).toThrow(TarIndexRefusal);
  });

  it('is bounded: entries past its cap, and a name component past 255 bytes, are refused', () => {
    const index = new TarIndex(3);
    for (const n of [1, 2, 3]) index.add(`a/${n}`, 'file', n * 512, 1);
    expect(() => index.add('a/4', 'file', 2048, 1)).toThrow('it holds more than 3 entries');
    expect(() => new TarIndex().add(`a/${'x'.repeat(256)}/link`, 'file', 512, 1)).toThrow(
      "an entry's name has a component of 256 bytes",
    );
    expect(() => new TarIndex().add(`a/${'x'.repeat(255)}/link`, 'file', 512, 1)).not.toThrow();
  });

  it('holds many paths under one parent, and finds each', () => {
    const index = new TarIndex();
    for (let i = 0; i < 5000; i++) index.add(`r/_manifests/tags/t${i}/current/link`, 'file', i * 1024, 71);
    expect(index.list('r/_manifests/tags')).toHaveLength(5000);
    expect(index.file('r/_manifests/tags/t4321/current/link')).toEqual({ offset: 4321 * 1024, size: 71 });
  });
});

describe('a plain tar, read in place', () => {
  it.each(['gnu', 'pax', 'ustar', 'oldgnu'])(
    'reads exactly what the directory holds (%s format, names past 100 bytes, an empty blob)',
    async (format) => {
      const direct = await openStorageSource(storageLocation(`dir://${layout.dir}`));
      const archive = await tarOf(`layout-${format}.tar`, [`--format=${format}`]);
      const inPlace = await openStorageSource(storageLocation(`file://${archive}`));
      try {
        expect(await inPlace.listRepositories()).toEqual(['team/app', LONG_REPO]);
        expect(await everything(inPlace)).toEqual(await everything(direct));
      } finally {
        await inPlace.close();
        await direct.close();
      }
    },
  );

  it('takes the pax path over the header name, as tar extracts it', async () => {
    const link = 'docker/registry/v2/repositories/team/app/_manifests/tags/1/current/link';
    const archive = join(work, 'pax-path.tar');
    const plain = await readFile(await tarOf('pax-base.tar'));
    // The base archive without its end marker, then tag 1's link again, pointing at tag 2's
    // manifest, under a decoy header name.
    await writeFile(
      archive,
      Buffer.concat([
        plain.subarray(0, lastEntryEnd(plain)),
        paxHeader([['path', link]]),
        tarHeader({ name: 'decoy/link', size: 71 }),
        Buffer.from(other.digest.padEnd(512, '\0')),
        TAR_END,
      ]),
    );
    const source = await openStorageSource(storageLocation(`file://${archive}`));
    expect((await source.getManifest('team/app', '1')).digest).toBe(other.digest);
    expect(await source.listRepositories()).toEqual(['team/app', LONG_REPO]);
    await source.close();
  });

  it('a tag link appended again (tar -r) is read as the later one', async () => {
    const archive = await tarOf('appended.tar');
    const before = await openStorageSource(storageLocation(`file://${archive}`));
    expect((await before.getManifest('team/app', '1')).digest).toBe(image.digest);
    await before.close();
    const link = layout.tagLink('team/app', '1');
    const saved = await readFile(link);
    await writeFile(link, other.digest);
    try {
      execFileSync('tar', ['-rf', archive, '-C', layout.dir, link.slice(layout.dir.length + 1)]);
    } finally {
      await writeFile(link, saved);
    }
    const source = await openStorageSource(storageLocation(`file://${archive}`));
    expect((await source.getManifest('team/app', '1')).digest).toBe(other.digest);
    await source.close();
  });

  it('refuses a path that is a file and a directory, naming it, before reading anything', async () => {
    const archive = join(work, 'file-and-dir.tar');
    await writeFile(
      archive,
      Buffer.concat([
        tarFile('docker/registry/v2/repositories/x', 'sha256:00'),
        tarDirectory('docker/registry/v2/repositories/x/'),
        TAR_END,
      ]),
    );
    const error = await refusal(archive);
    expect(error).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    expect(error.message).toContain(
      `${archive} is refused before extracting or reading anything from it: "docker/registry/v2/repositories/x" is a file in one entry and a directory in another`,
    );
  });

  it.each([
    ['pax', /entry "docker\/sparse" is a sparse file/],
    ['gnu', /entry "docker\/sparse" has tar entry type "S"/],
  ])('refuses a sparse file (%s format)', async (format, message) => {
    const dir = join(work, `sparse-${format}`);
    await mkdir(join(dir, 'docker'), { recursive: true });
    await writeFile(join(dir, 'docker', 'sparse'), 'start');
    await truncate(join(dir, 'docker', 'sparse'), 4 * 1024 * 1024);
    await appendFile(join(dir, 'docker', 'sparse'), 'end');
    const archive = join(work, `sparse-${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '--sparse', '-cf', archive, '-C', dir, 'docker']);
    const error = await refusal(archive);
    expect(error).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    expect(error.message).toMatch(message);
  });

  it('refuses a name component longer than a filesystem allows, without echoing it', async () => {
    const archive = join(work, 'long-component.tar');
    await writeFile(archive, Buffer.concat([tarFile(`docker/registry/v2/${'n'.repeat(300)}`, 'x'), TAR_END]));
    const error = await refusal(archive);
    expect(error).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    expect(error.message).toContain("an entry's name has a component of 300 bytes");
    expect(error.message).not.toContain('nnnnnnnn');
  });

  it('refuses an archive cut short in the middle of a file, without reading its content', async () => {
    const archive = await tarOf('cut.tar');
    const bytes = await readFile(archive);
    const at = bytes.indexOf('layer one');
    await writeFile(archive, bytes.subarray(0, at + 3));
    const error = await refusal(archive);
    expect(error).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    expect(error.message).toMatch(/ends in the middle of an entry/);
  });

  it('a blob changed in the archive after it was indexed fails its tag, naming archive and entry', async () => {
    const archive = await tarOf('changed.tar');
    const source = await openStorageSource(storageLocation(`file://${archive}`));
    const digest = digestOf('layer one');
    const bytes = await readFile(archive);
    const file = await open(archive, 'r+');
    await file.write(Buffer.from('LAYER'), 0, 5, bytes.indexOf('layer one'));
    await file.close();
    const blob = await source.getBlob('team/app', digest);
    const shown = `${archive}:docker/registry/v2/blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}/data`;
    await expect(text(blob.body)).rejects.toThrow(`blob data file ${shown} is truncated or damaged`);
    // Cut short after indexing: the read ends early and says how far it got.
    await truncate(archive, bytes.indexOf('layer one') + 4);
    const again = await source.getBlob('team/app', digest);
    await expect(text(again.body)).rejects.toThrow(/ended after 4 of 9 bytes/);
    await source.close();
  });

  it('a directory where a data file belongs fails naming it', async () => {
    const digest = digestOf('layer one');
    const data = `docker/registry/v2/blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}/data`;
    const archive = join(work, 'data-dir.tar');
    await writeFile(
      archive,
      Buffer.concat([
        tarFile(`docker/registry/v2/repositories/team/app/_layers/sha256/${digest.slice(7)}/link`, digest),
        tarDirectory(`${data}/`),
        TAR_END,
      ]),
    );
    const source = await openStorageSource(storageLocation(`file://${archive}`));
    await expect(source.headBlob('team/app', digest)).rejects.toThrow(
      `blob data file ${archive}:${data} is a directory, not a regular file`,
    );
    await source.close();
  });

  it('says what it did in one line, and how far along every interval', async () => {
    const archive = await tarOf('progress.tar');
    const lines: string[] = [];
    const source = await openStorageSource(storageLocation(`file://${archive}`), {
      log: (m) => lines.push(m),
      progressIntervalMs: 0,
    });
    await source.close();
    expect(lines.at(-1)).toMatch(
      new RegExp(`^Reading ${archive} in place \\(.* kB\\): [\\d,]+ entries indexed in [\\d.]+ s, nothing extracted$`),
    );
    expect(lines.slice(0, -1).length).toBeGreaterThan(0);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^Indexing .*progress\.tar: .* of .* kB \(\d+%\)$/);
  });
});

describe('a compressed tar', () => {
  it.each([
    ['gzip', gzipSync],
    ['zstd', zstdCompressSync],
  ])(
    '(%s, told by content whatever its name) is decompressed into work-dir and read the same',
    async (_kind, compress) => {
      const archive = join(work, `compressed-${_kind}.backup`);
      await writeFile(archive, compress(await readFile(await tarOf(`for-${_kind}.tar`))));
      const workDir = join(work, `work-${_kind}`);
      await mkdir(workDir);
      const lines: string[] = [];
      const direct = await openStorageSource(storageLocation(`dir://${layout.dir}`));
      const source = await openStorageSource(storageLocation(`file://${archive}`), {
        workDir,
        log: (m) => lines.push(m),
      });
      try {
        expect(await everything(source)).toEqual(await everything(direct));
        expect(lines.filter((l) => l.startsWith('Decompressing '))).toEqual([
          expect.stringMatching(new RegExp(`^Decompressing ${archive} into ${workDir} \\(.* kB; .* free there\\)`)),
        ]);
        // The copy is unlinked from the start: held open, never listed.
        expect(await readdir(workDir)).toEqual([]);
      } finally {
        await source.close();
        await direct.close();
      }
    },
  );

  it('an http(s) URL of a .tar.zst names a tarball to download, as of a .tar.gz', () => {
    expect(sourceKind('https://backups.example.com/registry.tar.zst')?.name).toBe('storage archive');
    expect(sourceKind('https://backups.example.com/registry.tzst?sig=1')?.name).toBe('storage archive');
  });

  it('an xz one is refused, saying how to decompress it', async () => {
    const archive = join(work, 'registry.tar.xz');
    await writeFile(archive, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]));
    const error = await refusal(archive);
    expect(error).toMatchObject({ code: 'ARCHIVE_UNREADABLE' });
    expect(error.message).toContain(
      'is xz-compressed, which harbor-sync does not read: decompress it once (xz -dk registry.tar.xz)',
    );
  });
});

describe('work-dir', () => {
  const inputs = (workDir: string) => (name: string) =>
    ({
      'source-registry': 'file:///backup/registry.tar.gz',
      'harbor-url': 'https://harbor.example.com',
      'harbor-username': 'admin',
      'harbor-password': 'secret',
      images: 'team/app',
      'work-dir': workDir,
    })[name];

  it('is taken as an absolute path to an existing directory', async () => {
    expect((await buildConfig(inputs(work))).workDir).toBe(work);
  });

  it('that does not exist, or is a file, stops the run at the configuration, naming it', async () => {
    await expect(buildConfig(inputs(join(work, 'nowhere')))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^work-dir ".*nowhere" does not exist: name an existing directory/),
    });
    const file = join(work, 'a-file');
    await writeFile(file, '');
    await expect(buildConfig(inputs(file))).rejects.toThrow(`work-dir "${file}" is not a directory`);
  });
});

/** Where the last entry of a GNU tar archive ends (before its end-of-archive zero blocks). */
function lastEntryEnd(archive: Buffer): number {
  let end = archive.length;
  while (end >= 512 && archive.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  return end;
}
