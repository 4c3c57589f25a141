// A repository of 200,000 tags on the real registry: distribution sends every tag in one answer
// when no `n` is asked, and discovery once failed on it with "Maximum call stack size exceeded"
// (an array spread of the page). The storage is written straight to disk in distribution's layout:
// one real image, and 200,000 tag directories whose current/link points at its manifest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, linkSync, mkdirSync, statfsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { LayoutBuilder } from '../harness/storage-helpers.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

const TAGS = 200_000;
const REPO = 'big/tags';
let storage: string;
let source: RunningRegistry;
let harbor: HarborDouble;
let digest: string;

beforeAll(async () => {
  // 400,000 directories: a tmpfs writes and removes them in seconds, a disk under load can take
  // minutes. /dev/shm when it has the inodes to spare (a container's may be small).
  const base = existsSync('/dev/shm') && statfsSync('/dev/shm').ffree > 2 * TAGS + 100_000 ? '/dev/shm' : tmpdir();
  storage = await mkdtemp(join(base, 'hs-200k-'));
  const layout = new LayoutBuilder(storage);
  const image = await layout.image(REPO, 't-0', ['the one layer of 200,000 tags']);
  digest = image.digest;
  // Every further tag's link is a hard link to t-0's: the same bytes, without writing them 200,000 times.
  const first = layout.tagLink(REPO, 't-0');
  const tags = join(layout.root, 'repositories', REPO, '_manifests', 'tags');
  for (let i = 1; i < TAGS; i++) {
    const tag = join(tags, `t-${i}`);
    mkdirSync(tag);
    mkdirSync(join(tag, 'current'));
    linkSync(first, join(tag, 'current', 'link'));
  }
  source = await startRegistry({ storageDir: storage });
  harbor = await startHarborDouble();
}, 180_000);

afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
  if (storage) await rm(storage, { recursive: true, force: true });
}, 180_000);

describe('a repository of 200,000 tags', () => {
  it('is discovered whole, and a tag filter copies only the tag it selects', async () => {
    const run = await sync(syncInputs(source.url, harbor, { images: REPO, tags: 't-199999' }));
    expect(run.result.fatal).toBeUndefined();
    expect(run.item(`${REPO}:t-199999`)).toMatchObject({ status: 'migrated', digest });
    expect(run.byStatus('failed')).toEqual([]);
    // Every other tag was listed and left out by the filter, one by one.
    expect(run.byStatus('skipped')).toHaveLength(TAGS - 1);
    expect(run.item(`${REPO}:t-0`)).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('filtered out'),
    });
    expect(harbor.tagDigest(REPO, 't-199999')).toBe(digest);
    expect(harbor.tagDigest(REPO, 't-0')).toBeUndefined();
  });
});
