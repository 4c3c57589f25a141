// Repairing what a pull-through cache never fetched, from the registry it cached: an upstream
// registry, a cache in proxy mode in front of it, manifests fetched through the cache without
// their layers, then the cache served as a normal registry on the same storage.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { startSourceWithStale, type StaleScenario } from '../harness/scenarios.ts';
import { buildImage, buildIndex, getManifest, pushIndex, type BuiltIndex } from '../harness/images.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { skopeoCopy } from '../harness/skopeo.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

let scenario: StaleScenario;
let multiSource: RunningRegistry;
let multi: BuiltIndex;
const creds = { username: 'src-user', password: 's3cret-src' };

beforeAll(async () => {
  scenario = await startSourceWithStale();
  // A multi-arch tag whose cache holds only the index: its children are missing on the source.
  const amd64 = { os: 'linux', architecture: 'amd64' };
  const arm64 = { os: 'linux', architecture: 'arm64' };
  multi = buildIndex(
    'upstream/multi',
    [
      {
        image: buildImage('upstream/multi/amd64', { format: 'oci', platform: amd64, layerSizes: [4000] }),
        platform: amd64,
      },
      {
        image: buildImage('upstream/multi/arm64', { format: 'oci', platform: arm64, layerSizes: [4000] }),
        platform: arm64,
      },
    ],
    'oci',
  );
  await pushIndex({ url: scenario.upstream.url }, 'cache/multi', '2', multi);
  const proxy = await startRegistry({ proxy: { remoteUrl: scenario.upstream.url } });
  expect((await getManifest({ url: proxy.url }, 'cache/multi', '2')).status).toBe(200);
  await proxy.stop();
  multiSource = await startRegistry({ storageDir: proxy.storageDir });
});
afterAll(async () => {
  await multiSource?.stop();
  await scenario?.stop();
});

async function expectIntact(harbor: HarborDouble, ref: string, expected: string): Promise<void> {
  // skopeo copies the whole tag out of Harbor, checking every blob's digest on the way.
  const dir = await mkdtemp(join(tmpdir(), 'hs-upstream-'));
  await skopeoCopy(`${harbor.host}/${ref}`, `dir:${dir}`, { srcCreds: harbor.admin, all: true, preserveDigests: true });
  expect(harbor.tagDigest(ref.split(':')[0]!, ref.split(':')[1]!)).toBe(expected);
}

describe('upstream-registry', () => {
  let harbor: HarborDouble;
  beforeAll(async () => {
    harbor = await startHarborDouble();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('a dry run says what would be repaired and how many bytes would come from the upstream (HEAD only)', async () => {
    const run = await sync(
      syncInputs(
        scenario.source.url,
        harbor,
        { 'upstream-registry': scenario.upstream.url, images: 'cache/stale:1, cache/partial:1', 'dry-run': 'true' },
        { source: creds },
      ),
    );
    const stale = run.item('cache/stale:1');
    const bytes = scenario.images.stale.blobs.reduce((n, b) => n + b.size, 0);
    expect(stale).toMatchObject({ status: 'migrated', repaired: { blobs: 3, bytes, from: scenario.upstream.host } });
    expect(stale.reason).toContain(`repairing 3 blobs`);
    expect(run.item('cache/partial:1').repaired?.blobs).toBe(scenario.images.partialMissing.length);
    expect(run.result.upstreamRequests).toBe(3 + scenario.images.partialMissing.length);
    expect(harbor.projects()).toEqual([]);
  });

  it('every stale and incomplete tag arrives byte-identical, reported as repaired, with the upstream requests counted', async () => {
    const run = await sync(
      syncInputs(
        scenario.source.url,
        harbor,
        { 'upstream-registry': scenario.upstream.url, images: 'cache/stale:1, cache/partial:1' },
        { source: creds },
      ),
    );
    expect(run.item('cache/stale:1')).toMatchObject({
      status: 'migrated',
      digest: scenario.images.stale.digest,
      repaired: { blobs: 3 },
    });
    expect(run.item('cache/partial:1')).toMatchObject({
      status: 'migrated',
      digest: scenario.images.partial.digest,
      repaired: { blobs: scenario.images.partialMissing.length },
    });
    expect(run.result.upstreamRequests).toBeGreaterThan(0);
    await expectIntact(harbor, 'cache/stale:1', scenario.images.stale.digest);
    await expectIntact(harbor, 'cache/partial:1', scenario.images.partial.digest);
  });

  it('an index whose children the cache never fetched gets them from the upstream by digest', async () => {
    const run = await sync(
      syncInputs(multiSource.url, harbor, { 'upstream-registry': scenario.upstream.url, images: 'cache/multi:2' }),
    );
    expect(run.item('cache/multi:2')).toMatchObject({
      status: 'migrated',
      digest: multi.digest,
      repaired: { manifests: 2 },
    });
    await expectIntact(harbor, 'cache/multi:2', multi.digest);
  });

  it('a blob the upstream lacks too leaves the tag stale, saying it is missing on source and upstream', async () => {
    const gone = scenario.images.stale.blobs[1]!.digest;
    await rm(
      join(scenario.upstream.storageDir, 'docker/registry/v2/repositories/cache/stale/_layers/sha256', gone.slice(7)),
      { recursive: true },
    );
    const fresh = await startHarborDouble();
    try {
      const run = await sync(
        syncInputs(
          scenario.source.url,
          fresh,
          { 'upstream-registry': scenario.upstream.url, images: 'cache/stale:1' },
          { source: creds },
        ),
      );
      const item = run.item('cache/stale:1');
      expect(item).toMatchObject({ status: 'stale', missing: [gone] });
      expect(item.reason).toContain('1 of them missing on source and upstream');
      expect(fresh.tagDigest('cache/stale', '1')).toBeUndefined();
    } finally {
      await fresh.stop();
    }
  });
});
