// The storage source reads its tree as data: what the URL may say, and on hand-built layouts, that
// no symlink is followed, no FIFO opened, link files are read with a small bound and never echoed,
// and a blob streams from the very file that was checked.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { openStorageSource, type StorageSource } from '../../src/registry/storage/open-storage.js';
import { INPUT_NAMING } from '../../src/model/config.js';
import { DEFAULT_RETRY_POLICY } from '../../src/registry/retry.js';
import { openSource, sourceKindOf, SourceUrlError } from '../../src/sources/source-kinds.js';
import { storageLocation } from '../../src/sources/storage.js';
import { isHarborSyncError } from '../../src/errors/base.js';
import { LayoutBuilder } from '../harness/storage-helpers.ts';

describe('storage URLs', () => {
  function refusal(url: string): Error {
    try {
      sourceKindOf(url).check(url);
    } catch (error) {
      expect(error).toBeInstanceOf(SourceUrlError);
      expect((error as Error).name).toBe('SourceUrlError');
      return error as Error;
    }
    throw new Error(`${url} was accepted`);
  }

  it.each([
    'dir://u:hunter2pw@/var/lib/registry',
    'dir://u:hunter2pw@localhost/var/lib/registry',
    'file://u:hunter2pw@localhost/backup/r.tar.gz',
    'https://u:hunter2pw@backups.example.com/r.tar.gz',
  ])('refuses user-info in %s without echoing it', (url) => {
    const error = refusal(url);
    expect(error.message).toContain('source-registry must not carry a user name or password in the URL');
    expect(error.message).not.toContain('hunter2pw');
    expect(error.message).not.toContain('u:');
  });

  it.each([
    ['dir://var/lib/registry', 'dir:///var/lib/registry'],
    ['file://backup-host/registry.tar.gz', 'file:///backup-host/registry.tar.gz'],
    ['dir://localhost:8080/x', 'three slashes'],
  ])('refuses a host in %s, saying to use three slashes', (url, fix) => {
    expect(refusal(url).message).toContain(fix);
  });

  it('takes localhost or no host, and an http(s) tarball with a query string', () => {
    expect(storageLocation('file://localhost/backup/r.tar')).toEqual({ kind: 'file', path: '/backup/r.tar' });
    expect(storageLocation('DIR:///var/lib/registry')).toEqual({ kind: 'dir', path: '/var/lib/registry' });
    expect(storageLocation('https://b.example.com/r.tar.gz?sig=x').kind).toBe('download');
  });

  it('opening the source refuses the same way, where the clients are created', () => {
    const open = () =>
      openSource({
        source: { url: 'dir://var/lib/registry' },
        harbor: { url: 'https://harbor.example.com' },
        connection: { userAgent: 'test', retry: DEFAULT_RETRY_POLICY, stallTimeoutSeconds: 5, connections: 1 },
        naming: INPUT_NAMING,
      });
    expect(open).toThrow(SourceUrlError);
  });
});

describe('reading the tree', () => {
  let layout: LayoutBuilder;
  let source: StorageSource;
  const outside = () => join(layout.dir, 'outside');

  beforeAll(async () => {
    layout = await LayoutBuilder.create();
    await mkdir(outside());
    source = await openStorageSource(storageLocation(`dir://${layout.dir}`));
  });
  afterAll(async () => {
    await source?.close();
    await rm(layout.dir, { recursive: true, force: true });
  });

  async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHarborSyncError(error), `expected a HarborSyncError, got ${String(error)}`).toBe(true);
    return error as { code?: string; message: string };
  }

  it('a link file longer than a digest fails by its size; its content is never echoed', async () => {
    await layout.image('r/long', '1', ['l1']);
    const link = layout.tagLink('r/long', '1');
    await writeFile(link, `sha256:${'a'.repeat(64)}${' '.repeat(300)}SECRET-TAIL`);
    const error = await rejection(source.headManifest('r/long', '1'));
    expect(error.code).toBe('STORAGE_UNSAFE');
    expect(error.message).toContain(`${link}: it is 382 bytes, more than a digest`);
    await writeFile(link, 'SECRET-CONTENT');
    const garbage = await rejection(source.headManifest('r/long', '1'));
    expect(garbage.message).toContain(link);
    expect(garbage.message).not.toContain('SECRET');
  });

  it('a manifest data file that is a symlink is refused, even to a file with the right bytes', async () => {
    const image = await layout.image('r/manifest-link', '1', ['m1']);
    const data = layout.blobPath(image.digest);
    const copy = join(outside(), 'manifest');
    await rename(data, copy);
    await symlink(copy, data);
    const error = await rejection(source.getManifest('r/manifest-link', '1'));
    expect(error.message).toContain(`manifest data file ${data} is a symbolic link`);
  });

  it('a blob data file that is a FIFO is refused at once, by HEAD and GET', async () => {
    const image = await layout.image('r/fifo', '1', ['f1']);
    const data = layout.blobPath(image.blobs[1]!);
    await rm(data);
    execFileSync('mkfifo', [data]);
    expect((await rejection(source.headBlob('r/fifo', image.blobs[1]!))).message).toContain(
      `blob data file ${data} is a FIFO, not a regular file`,
    );
    expect((await rejection(source.getBlob('r/fifo', image.blobs[1]!))).message).toContain('is a FIFO');
  });

  it('a symlinked _layers directory fails the blob, naming the link', async () => {
    const image = await layout.image('r/layers-link', '1', ['x1']);
    const layers = join(layout.root, 'repositories', 'r', 'layers-link', '_layers');
    await rename(layers, join(outside(), 'layers'));
    await symlink(join(outside(), 'layers'), layers);
    expect((await rejection(source.headBlob('r/layers-link', image.blobs[1]!))).message).toContain(
      `is reached through the symbolic link ${layers}`,
    );
  });

  it('streams the file it checked: a file renamed over it afterwards changes nothing', async () => {
    const image = await layout.image('r/swap', '1', ['original-content']);
    const data = layout.blobPath(image.blobs[1]!);
    const got = await source.getBlob('r/swap', image.blobs[1]!);
    const other = join(dirname(data), 'other');
    await writeFile(other, 'replaced-content-of-other-length');
    await rename(other, data);
    expect(got.size).toBe('original-content'.length);
    expect(await text(got.body)).toBe('original-content');
  });

  it('listings do not enter symlinks: a symlinked revisions/sha256 fails, a symlinked revision is listed and fails when read', async () => {
    const image = await layout.image('r/revs', '1', ['v1']);
    const revision = dirname(layout.revisionLink('r/revs', image.digest));
    await rename(revision, join(outside(), 'revision'));
    await symlink(join(outside(), 'revision'), revision);
    expect(await source.listRevisions('r/revs')).toEqual([image.digest]);
    expect((await rejection(source.getManifest('r/revs', image.digest))).message).toContain(
      `reached through the symbolic link ${revision}`,
    );

    const algorithm = dirname(revision);
    await rename(algorithm, join(outside(), 'algorithm'));
    await symlink(join(outside(), 'algorithm'), algorithm);
    expect((await rejection(source.listRevisions('r/revs'))).message).toContain(`${algorithm} is a symbolic link`);
  });

  it('the catalog lists a symlinked repository (it then fails naming the link) without entering it', async () => {
    await layout.image('real/inner', '1', ['c1']);
    await symlink(join(layout.root, 'repositories', 'real'), join(layout.root, 'repositories', 'aliased'));
    const names = await source.listRepositories();
    expect(names).toContain('aliased');
    expect(names).not.toContain('aliased/inner');
    expect((await rejection(source.listTags('aliased/inner'))).message).toContain(
      `is reached through the symbolic link ${join(layout.root, 'repositories', 'aliased')}`,
    );
  });
});
