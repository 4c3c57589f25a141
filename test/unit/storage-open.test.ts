// Opening a storage source: URL forms, finding docker/registry/v2 from what was named, archives.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorageSource, openStorageSource } from '../../src/registry/storage/open-storage.js';
import { sourceKind } from '../../src/sources/source-kinds.js';
import { storageLocation } from '../../src/sources/storage.js';
import { LayoutBuilder } from '../harness/storage-helpers.ts';

let layout: LayoutBuilder;
let work: string;

beforeAll(async () => {
  layout = await LayoutBuilder.create();
  await layout.image('team/app', '1', ['layer']);
  work = await mkdtemp(join(tmpdir(), 'hs-storage-open-'));
});
afterAll(async () => {
  await rm(layout.dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('storage URLs', () => {
  it('tells storage URLs from registry URLs', () => {
    expect(sourceKind('dir:///var/lib/registry')?.name).toBe('storage directory');
    expect(sourceKind('file:///backup/r.tgz')?.name).toBe('storage archive');
    expect(sourceKind('https://registry.example.com')?.name).toBe('registry API');
  });

  it('takes absolute paths only, and says how to fix a two-slash URL', () => {
    expect(storageLocation('dir:///var/lib/my%20registry')).toEqual({ kind: 'dir', path: '/var/lib/my registry' });
    expect(() => storageLocation('dir://var/lib/registry')).toThrow('dir:///var/lib/registry');
  });
});

describe('finding the layout', () => {
  it.each([
    ['the rootdirectory', ''],
    ['docker/registry', 'docker/registry'],
    ['the v2 directory', 'docker/registry/v2'],
  ])('from %s', async (_what, sub) => {
    const source = await openStorageSource(storageLocation(`dir://${join(layout.dir, sub)}`));
    expect(source.root).toBe(layout.root);
    expect(await source.listRepositories()).toEqual(['team/app']);
    await source.close();
  });

  it('refuses a directory without the layout, naming what was expected', async () => {
    await expect(openStorageSource(storageLocation(`dir://${work}`))).rejects.toThrow(
      /no distribution storage under .*docker\/registry\/v2/,
    );
  });

  it('a lazily opened source reports the problem from ping, as preflight expects', async () => {
    const source = createStorageSource(storageLocation(`dir://${join(work, 'missing')}`));
    await expect(source.ping()).rejects.toThrow(/does not exist/);
    await source.close();
  });
});

describe('archives', () => {
  it.each([
    ['.tar', ['-cf']],
    ['.tar.gz', ['-czf']],
  ])(
    'reads a %s of the rootdirectory (made from a parent directory), and removes its copy on close',
    async (ext, flags) => {
      const archive = join(work, `registry${ext}`);
      execFileSync('tar', [...flags, archive, '-C', join(layout.dir, '..'), layout.dir.split('/').pop()!]);
      const source = await openStorageSource(storageLocation(`file://${archive}`));
      expect(source.root.endsWith('docker/registry/v2')).toBe(true);
      expect(source.root.startsWith(layout.dir)).toBe(false);
      expect(await source.listTags('team/app')).toEqual(['1']);
      await source.close();
      expect(existsSync(source.root)).toBe(false);
    },
  );

  it('an archive without the layout is refused and leaves nothing behind', async () => {
    const archive = join(work, 'other.tar');
    await writeFile(join(work, 'readme.txt'), 'hello');
    execFileSync('tar', ['-cf', archive, '-C', work, 'readme.txt']);
    const temp = join(work, 'runner-temp');
    await mkdir(temp);
    const saved = process.env.RUNNER_TEMP;
    process.env.RUNNER_TEMP = temp;
    try {
      await expect(openStorageSource(storageLocation(`file://${archive}`))).rejects.toThrow(
        /holds no distribution storage/,
      );
    } finally {
      if (saved === undefined) delete process.env.RUNNER_TEMP;
      else process.env.RUNNER_TEMP = saved;
    }
    expect(await readdir(temp)).toEqual([]);
  });

  it('reads a plain .tar in place: nothing is written to the temp dir', async () => {
    const archive = join(work, 'in-place.tar');
    execFileSync('tar', ['-cf', archive, '-C', layout.dir, 'docker']);
    const temp = join(work, 'runner-temp-in-place');
    await mkdir(temp);
    const saved = process.env.RUNNER_TEMP;
    process.env.RUNNER_TEMP = temp;
    try {
      const source = await openStorageSource(storageLocation(`file://${archive}`));
      expect(source.root).toBe(`${archive}:docker/registry/v2`);
      expect(await source.listRepositories()).toEqual(['team/app']);
      expect(await readdir(temp)).toEqual([]);
      await source.close();
    } finally {
      if (saved === undefined) delete process.env.RUNNER_TEMP;
      else process.env.RUNNER_TEMP = saved;
    }
  });
});
