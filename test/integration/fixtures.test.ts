// Checks the test fixtures themselves against the real registry, with skopeo as the referee, so
// that later tests can trust what the fixtures claim about a source.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SOURCE_USER } from '../harness/registry.ts';
import {
  buildImage,
  buildIndex,
  getBlob,
  getManifest,
  headBlob,
  listTags,
  MEDIA,
  type Target,
} from '../harness/images.ts';
import {
  PARTIAL_REPO,
  STALE_REPO,
  STALE_TAG,
  buildSamples,
  seedSamples,
  startSourceWithStale,
  verifyStaleSource,
  type SampleImages,
  type StaleScenario,
} from '../harness/scenarios.ts';
import { skopeoCopy, skopeoDigest, skopeoInspectRaw } from '../harness/skopeo.ts';

describe('image builder', () => {
  it('is deterministic per seed and format', () => {
    expect(buildImage('a').digest).toBe(buildImage('a').digest);
    expect(buildImage('a').digest).not.toBe(buildImage('b').digest);
    expect(buildImage('a', { format: 'oci' }).mediaType).toBe(MEDIA.ociManifest);
    expect(buildSamples().refs.map((r) => r.digest)).toEqual(buildSamples().refs.map((r) => r.digest));
  });

  it('writes a config whose diff_ids match the layers, config first in blobs', () => {
    const image = buildImage('layers', {
      layerSizes: [10, 20, 30],
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    const manifest = JSON.parse(image.manifest.toString()) as {
      config: { digest: string };
      layers: { digest: string; size: number }[];
    };
    const config = JSON.parse(image.blobs[0]!.data.toString()) as {
      architecture: string;
      variant: string;
      rootfs: { diff_ids: string[] };
    };
    expect(manifest.config.digest).toBe(image.blobs[0]!.digest);
    expect(manifest.layers.map((l) => l.size)).toEqual([10, 20, 30]);
    expect(config.rootfs.diff_ids).toEqual(manifest.layers.map((l) => l.digest));
    expect([config.architecture, config.variant]).toEqual(['arm', 'v7']);
  });

  it('builds a Docker manifest list from its children', () => {
    const child = buildImage('child');
    const list = buildIndex('list', [{ image: child, platform: { os: 'linux', architecture: 'amd64' } }], 'docker');
    const body = JSON.parse(list.manifest.toString()) as {
      mediaType: string;
      manifests: { digest: string; size: number }[];
    };
    expect(body.mediaType).toBe(MEDIA.dockerList);
    expect(body.manifests).toMatchObject([{ digest: child.digest, size: child.manifest.length }]);
  });
});

describe('stale source scenario and samples (real registry, skopeo as oracle)', () => {
  let scenario: StaleScenario;
  let samples: SampleImages;
  let source: Target;
  const creds = SOURCE_USER;

  beforeAll(async () => {
    scenario = await startSourceWithStale();
    source = scenario.sourceTarget;
    samples = await seedSamples(source);
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('requires the source credentials', async () => {
    const res = await fetch(`${scenario.source.url}/v2/`);
    await res.arrayBuffer();
    expect(res.status).toBe(401);
    await expect(skopeoInspectRaw(`${scenario.source.host}/${STALE_REPO}:${STALE_TAG}`)).rejects.toThrow(
      /unauthorized|authentication required/i,
    );
  });

  it('lists the stale and partial tags and serves their manifests byte for byte', async () => {
    for (const [repo, image] of [
      [STALE_REPO, scenario.images.stale],
      [PARTIAL_REPO, scenario.images.partial],
    ] as const) {
      expect(await listTags(source, repo)).toEqual([STALE_TAG]);
      const raw = await skopeoInspectRaw(`${scenario.source.host}/${repo}:${STALE_TAG}`, { creds });
      expect(raw.equals(image.manifest)).toBe(true);
    }
  });

  it('has no blob of cache/stale:1', async () => {
    for (const blob of scenario.images.stale.blobs) expect(await headBlob(source, STALE_REPO, blob.digest)).toBe(404);
  });

  it('has exactly the fetched blob of cache/partial:1 (the config)', async () => {
    const { partial, partialFetched, partialMissing } = scenario.images;
    expect(partialFetched).toBe(partial.blobs[0]);
    const got = await getBlob(source, PARTIAL_REPO, partialFetched.digest);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(partialFetched.data)).toBe(true);
    expect(partialMissing).toHaveLength(3);
    for (const blob of partialMissing) expect(await headBlob(source, PARTIAL_REPO, blob.digest)).toBe(404);
  });

  it('leaves the upstream complete', async () => {
    const upstream: Target = { url: scenario.upstream.url };
    for (const blob of [...scenario.images.stale.blobs, ...scenario.images.partial.blobs]) {
      const repo = scenario.images.stale.blobs.includes(blob) ? STALE_REPO : PARTIAL_REPO;
      expect(await headBlob(upstream, repo, blob.digest)).toBe(200);
    }
  });

  it('serves every seeded sample so skopeo reads the built digest', async () => {
    for (const ref of samples.refs) {
      expect(
        await skopeoDigest(`${scenario.source.host}/${ref.repo}:${ref.tag}`, { creds }),
        `${ref.repo}:${ref.tag}`,
      ).toBe(ref.digest);
      const got = await getManifest(source, ref.repo, ref.tag);
      expect([got.status, got.mediaType, got.digest]).toEqual([200, ref.mediaType, ref.digest]);
    }
    expect(await listTags(source, 'team-a/tools/worker')).toEqual(['1.2', '1.3']);
  });

  it('serves the index children by digest, sharing the base layer across repositories', async () => {
    expect(samples.multi.children.map((c) => c.platform.architecture)).toEqual(['amd64', 'arm64']);
    for (const { image } of samples.multi.children) {
      const raw = await skopeoInspectRaw(`${scenario.source.host}/team-b/multi@${image.digest}`, { creds });
      expect(raw.equals(image.manifest)).toBe(true);
      expect(image.blobs[1]!.digest).toBe(samples.baseLayer.digest);
    }
    expect(samples.worker12.blobs[1]!.digest).toBe(samples.baseLayer.digest);
    expect(await headBlob(source, 'team-a/tools/worker', samples.baseLayer.digest)).toBe(200);
    expect(await headBlob(source, 'team-b/multi', samples.baseLayer.digest)).toBe(200);
  });

  it('keeps the stale state after seeding samples next to it', async () => {
    await expect(verifyStaleSource(source, scenario.images)).resolves.toBeUndefined();
  });

  it('copies an index with skopeo, digests preserved', async () => {
    const dst = `${scenario.upstream.host}/copied/multi:1.0`;
    await skopeoCopy(`${scenario.source.host}/team-b/multi:1.0`, dst, {
      srcCreds: creds,
      all: true,
      preserveDigests: true,
    });
    expect(await skopeoDigest(dst)).toBe(samples.multi.digest);
  });
});
