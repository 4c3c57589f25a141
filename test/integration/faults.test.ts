// Faults a nightly job meets, injected by our own proxy between harbor-sync and the real
// registries: each scenario asserts the final state in Harbor (byte-identical per skopeo, nothing
// partial, nothing deleted) and what the report says.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { seedSamples, type SampleImages } from '../harness/scenarios.ts';
import { buildImage, pushImage, type BuiltImage } from '../harness/images.ts';
import { startHarborDouble, type HarborDouble, type HarborDoubleOptions } from '../harness/harbor-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts';
import { skopeoCopy, skopeoInspectRaw } from '../harness/skopeo.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { stopAfterEach } from '../harness/stop-after-each.ts';
import { sync } from './helpers.ts';

let source: RunningRegistry;
let samples: SampleImages;
let big: BuiltImage;
const BIG_LAYER_BYTES = 4_500_000;
const own = stopAfterEach();

beforeAll(async () => {
  source = await startRegistry();
  samples = await seedSamples({ url: source.url });
  // Over 4 MiB: a layer that streams through the spent-chunk counter (src/transfer/spent-buffers.ts),
  // so every fault below also goes through it, and the digest check on a retry after it.
  big = buildImage('faults/big', { format: 'docker', layerSizes: [BIG_LAYER_BYTES] });
  await pushImage({ url: source.url }, 'faults/big', '1', big);
});
afterAll(async () => {
  await source?.stop();
});
const harborDouble = async (options: HarborDoubleOptions = {}): Promise<HarborDouble> =>
  own(await startHarborDouble(options));
const proxy = async (target: string): Promise<FaultProxy> => own(await startFaultProxy(target));

/** A sync into `harbor` (as its admin) reached at `harborUrl`: a proxy in front of it, or itself. */
function inputs(
  sourceUrl: string,
  harbor: HarborDouble,
  harborUrl = harbor.url,
  extra: Record<string, string> = {},
): Record<string, string> {
  return syncInputs(sourceUrl, { url: harborUrl, admin: harbor.admin }, { 'retry-max-wait': '2', ...extra });
}

const bigLayer = () => big.blobs[1]!.digest;

/** skopeo copies the tag out of Harbor into a directory, checking every blob's digest. */
async function expectIntactInHarbor(harbor: HarborDouble, repoTag: string, image: BuiltImage): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hs-oracle-'));
  await skopeoCopy(`${harbor.host}/${repoTag}`, `dir:${dir}`, { srcCreds: harbor.admin, preserveDigests: true });
  const manifest = await readFile(join(dir, 'manifest.json'));
  expect(manifest.equals(image.manifest)).toBe(true);
  for (const blob of image.blobs) {
    const data = await readFile(join(dir, blob.digest.replace('sha256:', '')));
    expect(`sha256:${createHash('sha256').update(data).digest('hex')}`).toBe(blob.digest);
  }
}

describe('retries', () => {
  it('429 with Retry-After and a burst of 503 are retried and counted on the tag', async () => {
    const harbor = await harborDouble();
    const src = await proxy(source.url);
    const front = await proxy(harbor.url);
    src.setFaults([
      {
        method: 'GET',
        path: /\/v2\/alpine\/manifests\/3\.19/,
        times: 1,
        action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      },
    ]);
    front.setFaults([
      {
        method: 'PUT',
        path: /\/v2\/library\/alpine\/blobs\/uploads\//,
        times: 2,
        action: { kind: 'status', status: 503 },
      },
    ]);
    const started = Date.now();
    const run = await sync(inputs(src.url, harbor, front.url, { images: 'alpine:3.19' }));
    const item = run.item('alpine:3.19');
    expect(item.status).toBe('migrated');
    expect(item.retries).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    await expectIntactInHarbor(harbor, 'library/alpine:3.19', samples.alpine);
  });

  it('a reset, a truncated and a stalled blob body are each started over from the first byte', async () => {
    const harbor = await harborDouble();
    const src = await proxy(source.url);
    const path = new RegExp(`/blobs/${bigLayer()}`);
    src.setFaults([
      { method: 'GET', path, times: 1, action: { kind: 'reset', afterBytes: 300_000 } },
      { method: 'GET', path, times: 1, action: { kind: 'truncate', afterBytes: 200_000 } },
      { method: 'GET', path, times: 1, action: { kind: 'stall', afterBytes: 100_000 } },
    ]);
    const run = await sync(inputs(src.url, harbor, harbor.url, { images: 'faults/big:1', 'stall-timeout': '1' }));
    const item = run.item('faults/big:1');
    expect(item.status).toBe('migrated');
    expect(item.retries).toBe(3);
    expect(src.hits.filter((h) => h.method === 'GET' && path.test(h.path)).map((h) => h.fault)).toEqual([
      'reset',
      'truncate',
      'stall',
      undefined,
    ]);
    await expectIntactInHarbor(harbor, 'faults/big:1', big);
  });

  it('a corrupted byte once is retried from the source; corrupted every time fails with both digests and nothing is committed', async () => {
    const harbor = await harborDouble();
    const src = await proxy(source.url);
    const path = new RegExp(`/blobs/${bigLayer()}`);
    src.setFaults([{ method: 'GET', path, times: 1, action: { kind: 'corrupt', offset: 1000 } }]);
    const once = await sync(inputs(src.url, harbor, harbor.url, { images: 'faults/big:1' }));
    expect(once.item('faults/big:1')).toMatchObject({ status: 'migrated', retries: 1 });

    const other = await harborDouble();
    src.setFaults([{ method: 'GET', path, times: Infinity, action: { kind: 'corrupt', offset: 1000 } }]);
    const always = await sync(inputs(src.url, other, other.url, { images: 'faults/big:1' }));
    const item = always.item('faults/big:1');
    expect(item).toMatchObject({ status: 'failed', retries: 1, error: { step: 'blob', errorCode: 'DIGEST_MISMATCH' } });
    expect(item.error?.message).toContain(`does not match the expected ${bigLayer()}`);
    expect(item.error?.message).toMatch(
      new RegExp(`content digest sha256:[0-9a-f]{64} \\(${BIG_LAYER_BYTES} bytes\\)`),
    );
    expect(other.tagDigest('faults/big', '1')).toBeUndefined();
    const head = await fetch(`${other.url}/v2/faults/big/blobs/${bigLayer()}`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${other.admin.username}:${other.admin.password}`).toString('base64')}`,
      },
    });
    expect(head.status).toBe(404);
  });

  it('Harbor refusing connections while it restarts: the run waits it out', async () => {
    const harbor = await harborDouble();
    const src = await proxy(source.url);
    const front = await proxy(harbor.url);
    src.setFaults([
      { method: 'GET', path: /\/blobs\//, times: Infinity, action: { kind: 'throttle', bytesPerSecond: 1_000_000 } },
    ]);
    // Restart while the big layer streams (it takes about 1.5 s at this rate).
    const restart = (async () => {
      while (!front.hits.some((h) => h.method === 'PUT' && h.path.includes('/blobs/uploads/')))
        await new Promise((r) => setTimeout(r, 20));
      await front.pause(1500);
    })();
    const run = await sync(
      inputs(src.url, harbor, front.url, {
        images: 'faults/big:1, team-a/tools/worker:1.2, alpine:3.19',
        concurrency: '2',
      }),
    );
    await restart;
    expect(run.result.items.map((i) => i.status)).toEqual(['migrated', 'migrated', 'migrated']);
    expect(run.result.items.reduce((n, i) => n + (i.retries ?? 0), 0)).toBeGreaterThan(0);
    await expectIntactInHarbor(harbor, 'faults/big:1', big);
  });

  it('tokens that expire every 2 seconds are refreshed, also across a long upload', async () => {
    const harbor = await harborDouble({ tokenTtlSeconds: 2 });
    const src = await proxy(source.url);
    src.setFaults([
      {
        method: 'GET',
        path: new RegExp(`/blobs/${bigLayer()}`),
        times: Infinity,
        action: { kind: 'throttle', bytesPerSecond: 500_000 },
      },
    ]);
    const run = await sync(
      inputs(src.url, harbor, harbor.url, { images: 'faults/big:1, team-b/multi:1.0, team-a/tools/worker:1.2' }),
    );
    expect(run.result.items.map((i) => [i.source, i.status])).toEqual(
      expect.arrayContaining([
        ['faults/big:1', 'migrated'],
        ['team-b/multi:1.0', 'migrated'],
        ['team-a/tools/worker:1.2', 'migrated'],
      ]),
    );
    expect(harbor.requests.filter((r) => r.kind === 'token').length).toBeGreaterThan(3);
    await expectIntactInHarbor(harbor, 'faults/big:1', big);
  });
});

describe('keeping going', () => {
  it('a source that disappears mid-run fails the remaining tags with a clear reason instead of hanging', async () => {
    const harbor = await harborDouble();
    const src = await proxy(source.url);
    // What was copied before stays copied.
    const before = await sync(inputs(src.url, harbor, harbor.url, { images: 'alpine:3.19' }));
    expect(before.item('alpine:3.19').status).toBe('migrated');
    // The source goes away once the run has read its first manifest: every tag still needs blobs
    // from it, and each fails, naming why, within the retries.
    src.hits.length = 0;
    const gone = (async () => {
      while (!src.hits.some((h) => h.path.includes('/manifests/'))) await new Promise((r) => setTimeout(r, 10));
      await src.disappear();
    })();
    const run = await sync(
      inputs(src.url, harbor, harbor.url, {
        images: 'team-a/tools/worker:1.2\nteam-a/tools/worker:1.3\nteam-b/multi:1.0',
        concurrency: '1',
        retries: '1',
      }),
    );
    await gone;
    const failed = run.byStatus('failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const item of failed) expect(item.error?.message).toMatch(/ECONNREFUSED/);
    expect(run.result.items).toHaveLength(3);
  });

  it('immutable tags and read-only mode are reported with what to do, and nothing in Harbor is deleted', async () => {
    const harbor = await harborDouble();
    const first = await sync(inputs(source.url, harbor, harbor.url, { images: 'team-a/tools/worker:1.2' }));
    expect(first.item('team-a/tools/worker:1.2').status).toBe('migrated');
    harbor.setImmutable('team-a', /.*/);
    const moved = buildImage('faults/moved', { format: 'docker', layerSizes: [1000] });
    const other = own(await startRegistry());
    await pushImage({ url: other.url }, 'team-a/tools/worker', '1.2', moved);
    const blocked = await sync(inputs(other.url, harbor, harbor.url, { images: 'team-a/tools/worker:1.2' }));
    expect(blocked.item('team-a/tools/worker:1.2')).toMatchObject({
      status: 'failed',
      error: {
        step: 'manifest',
        status: 412,
        code: 'PRECONDITION',
        hint: expect.stringContaining('immutability rule'),
      },
    });
    expect(harbor.tagDigest('team-a/tools/worker', '1.2')).toBe(samples.worker12.digest);

    harbor.setImmutable('team-a', null);
    harbor.setReadOnly(true);
    const readOnly = await sync(inputs(other.url, harbor, harbor.url, { images: 'team-a/tools/worker:1.2' }));
    expect(readOnly.item('team-a/tools/worker:1.2').error).toMatchObject({
      status: 403,
      code: 'DENIED',
      hint: expect.stringContaining('read-only mode'),
    });
    const still = await skopeoInspectRaw(`${harbor.host}/team-a/tools/worker:1.2`, { creds: harbor.admin });
    expect(still.equals(samples.worker12.manifest)).toBe(true);
  });
});

describe('round trips on the source', () => {
  // The GETs held open are bounded (two per tag slot: each holds a source connection); with 8
  // slots every new blob of these four tags fits, so none needs a HEAD first.
  it('a blob the run uploads is read once, and its GET is the presence check (no HEAD before it)', async () => {
    const harbor = await harborDouble();
    const watched = await proxy(source.url);
    const run = await sync(
      inputs(watched.url, harbor, harbor.url, {
        images: 'team-a/tools/worker\nalpine:3.19\nteam-b/multi:1.0',
        concurrency: '8',
      }),
    );
    expect(run.byStatus('migrated')).toHaveLength(4);
    const blobGets = watched.hits.filter((h) => h.method === 'GET' && /\/blobs\/sha256:/.test(h.path));
    const digests = blobGets.map((h) => h.path.replace(/.*\/blobs\//, ''));
    expect(new Set(digests).size).toBe(digests.length); // each blob crossed the wire once
    const heads = new Set(watched.hits.filter((h) => h.method === 'HEAD').map((h) => h.path));
    expect(blobGets.filter((h) => heads.has(h.path))).toEqual([]);
    const uploaded = run.result.items.reduce((n, i) => n + (i.blobs?.uploaded ?? 0), 0);
    expect(blobGets).toHaveLength(uploaded);
  });

  it('a nightly re-run of 40 tags reuses its connections: one HEAD per tag, not one connection per HEAD', async () => {
    const image = buildImage('faults/many', { format: 'oci', layerSizes: [200] });
    const tags = Array.from({ length: 40 }, (_, i) => `1.${i}`);
    for (const tag of tags) await pushImage({ url: source.url }, 'faults/many', tag, image);
    const harbor = await harborDouble();
    const first = await sync(inputs(source.url, harbor, harbor.url, { images: 'faults/many' }));
    expect(first.byStatus('migrated')).toHaveLength(40);
    const watched = await proxy(source.url);
    // Concurrency 1: four tags looked at at once, so a few connections serve every request.
    const again = await sync(inputs(watched.url, harbor, harbor.url, { images: 'faults/many', concurrency: '1' }));
    expect(again.byStatus('skipped')).toHaveLength(40);
    expect(watched.hits.filter((h) => h.method === 'HEAD' && h.path.includes('/manifests/'))).toHaveLength(40);
    // undici would close the connection after every HEAD unless told not to: a connection per
    // request. Kept alive, each serves several (the tag list, the HEADs, the referrers lookups).
    expect(watched.connections() * 3).toBeLessThanOrEqual(watched.hits.length);
  });
});
