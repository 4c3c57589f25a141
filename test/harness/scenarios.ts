// Source registries in the states users really meet, produced the real way (no hand-made storage).
//
// A stale or incomplete tag is what a distribution pull-through cache leaves behind when it is
// later served as a normal registry: the proxy stores every manifest and tag it was asked for, but
// a blob only once it was fetched through it, and only in the repository it was fetched through.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SOURCE_USER, startRegistry, type RunningRegistry } from './registry.ts';
import {
  buildImage,
  buildIndex,
  getBlob,
  getManifest,
  headBlob,
  listTags,
  pushImage,
  pushIndex,
  seededBytes,
  toBlob,
  type BlobData,
  type BuiltImage,
  type BuiltIndex,
  type Target,
} from './images.ts';

// ---- stale / incomplete source -----------------------------------------------------------------

export const STALE_REPO = 'cache/stale';
export const PARTIAL_REPO = 'cache/partial';
export const STALE_TAG = '1';

export interface StaleScenarioOptions {
  /** Which blob of cache/partial:1 to fetch through the proxy: index into `blobs` (0 = config). Default 0. */
  partialFetchedIndex?: number;
}

export interface StaleScenario {
  /** Normal registry (htpasswd, SOURCE_USER) on the storage the proxy left behind. */
  source: RunningRegistry;
  /** The registry the proxy cached from; still holds everything, no auth. */
  upstream: RunningRegistry;
  images: {
    /** cache/stale:1: docker schema2, config + 2 layers; manifest and tag present, no blob. */
    stale: BuiltImage;
    /** cache/partial:1: OCI, config + 3 layers; manifest and tag present, one blob. */
    partial: BuiltImage;
    /** The one blob of `partial` present on the source. */
    partialFetched: BlobData;
    /** The blobs of `partial` missing on the source. */
    partialMissing: BlobData[];
  };
  /** Basic-auth target for the source. */
  sourceTarget: Target;
  stop(): Promise<void>;
}

export async function startSourceWithStale(options: StaleScenarioOptions = {}): Promise<StaleScenario> {
  const stale = buildImage('scenario/stale', { format: 'docker', layerSizes: [3000, 5000] });
  const partial = buildImage('scenario/partial', { format: 'oci', layerSizes: [2000, 4000, 6000] });
  const fetchedIndex = options.partialFetchedIndex ?? 0;
  const partialFetched = partial.blobs[fetchedIndex];
  if (!partialFetched)
    throw new Error(`partialFetchedIndex ${fetchedIndex} out of range (0..${partial.blobs.length - 1})`);
  const partialMissing = partial.blobs.filter((b) => b !== partialFetched);

  const upstream = await startRegistry();
  const started: RunningRegistry[] = [upstream];
  try {
    await pushImage({ url: upstream.url }, STALE_REPO, STALE_TAG, stale);
    await pushImage({ url: upstream.url }, PARTIAL_REPO, STALE_TAG, partial);
    const storageDir = await fillThroughProxy(upstream.url, partialFetched);
    const source = await startRegistry({ storageDir, htpasswd: true });
    started.push(source);
    const sourceTarget: Target = { url: source.url, auth: SOURCE_USER };
    const images = { stale, partial, partialFetched, partialMissing };
    await verifyStaleSource(sourceTarget, images);
    return { source, upstream, images, sourceTarget, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

/** Pulls the two manifests and one blob through a proxy; returns the storage dir it leaves. */
async function fillThroughProxy(upstreamUrl: string, partialFetched: BlobData): Promise<string> {
  const proxy = await startRegistry({ proxy: { remoteUrl: upstreamUrl } });
  try {
    const target: Target = { url: proxy.url };
    for (const repo of [STALE_REPO, PARTIAL_REPO]) {
      const got = await getManifest(target, repo, STALE_TAG);
      if (got.status !== 200)
        throw new Error(`proxy GET manifest ${repo}:${STALE_TAG}: HTTP ${got.status} ${got.bytes.toString()}`);
    }
    const blob = await getBlob(target, PARTIAL_REPO, partialFetched.digest);
    if (blob.status !== 200 || !blob.bytes.equals(partialFetched.data)) {
      throw new Error(
        `proxy GET blob ${PARTIAL_REPO}@${partialFetched.digest}: HTTP ${blob.status}, ${blob.bytes.length} bytes`,
      );
    }
    // The proxy stores the blob in a background copy after serving it; wait for its repository
    // link, written whole, so stopping the proxy cannot cut that copy short.
    await waitForLink(layerLink(proxy.storageDir, PARTIAL_REPO, partialFetched.digest), partialFetched.digest, 10_000);
    return proxy.storageDir;
  } finally {
    await proxy.stop();
  }
}

function layerLink(storageDir: string, repo: string, digest: string): string {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return join(storageDir, 'docker/registry/v2/repositories', repo, '_layers', algorithm, hex, 'link');
}

/** Waits until the link file holds `digest` whole: distribution truncates and then writes a link
 * file (not atomically, docs/harbor.md §9), so a link that merely exists may still be empty, and a
 * proxy stopped then leaves a link that answers 500 ("invalid checksum digest format"). */
async function waitForLink(path: string, digest: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text === digest) return;
    if (Date.now() > deadline) throw new Error(`${path} did not hold ${digest} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Throws, listing every difference, unless the source shows exactly the stale/partial state. */
export async function verifyStaleSource(target: Target, images: StaleScenario['images']): Promise<void> {
  const problems: string[] = [];
  const expectBlob = async (repo: string, blob: BlobData, want: number): Promise<void> => {
    const got = await headBlob(target, repo, blob.digest);
    if (got !== want) problems.push(`HEAD ${repo}@${blob.digest}: ${got}, expected ${want}`);
  };
  for (const [repo, image] of [
    [STALE_REPO, images.stale],
    [PARTIAL_REPO, images.partial],
  ] as const) {
    const tags = await listTags(target, repo);
    if (!tags.includes(STALE_TAG))
      problems.push(`tags/list ${repo}: ${JSON.stringify(tags)}, expected to include ${STALE_TAG}`);
    const manifest = await getManifest(target, repo, STALE_TAG);
    if (manifest.status !== 200) problems.push(`GET manifest ${repo}:${STALE_TAG}: ${manifest.status}`);
    else if (!manifest.bytes.equals(image.manifest))
      problems.push(`GET manifest ${repo}:${STALE_TAG}: bytes differ from what was pushed upstream`);
  }
  for (const blob of images.stale.blobs) await expectBlob(STALE_REPO, blob, 404);
  await expectBlob(PARTIAL_REPO, images.partialFetched, 200);
  for (const blob of images.partialMissing) await expectBlob(PARTIAL_REPO, blob, 404);
  if (problems.length > 0) throw new Error(`stale source is not in the expected state:\n  ${problems.join('\n  ')}`);
}

async function stopAll(registries: RunningRegistry[]): Promise<void> {
  await Promise.allSettled(registries.map((r) => r.stop()));
}

// ---- ordinary sample images ----------------------------------------------------------------------

export interface SampleRef {
  repo: string;
  tag: string;
  mediaType: string;
  digest: string;
  manifest: Buffer;
}

export interface SampleImages {
  /** 8 KiB layer shared by both worker tags and both team-b/multi children. */
  baseLayer: BlobData;
  /** team-a/tools/worker:1.2, docker schema2, base + 1 layer. */
  worker12: BuiltImage;
  /** team-a/tools/worker:1.3, docker schema2, base + 2 layers. */
  worker13: BuiltImage;
  /** alpine:3.19, OCI, 1 layer of its own. */
  alpine: BuiltImage;
  /** team-b/multi:1.0, OCI index of linux/amd64 and linux/arm64/v8 (OCI children, base + 1 layer). */
  multi: BuiltIndex;
  /** Every tag seedSamples pushes, with what its manifest must be. */
  refs: SampleRef[];
}

/** The sample set, built (deterministic) but not pushed. */
export function buildSamples(): SampleImages {
  const baseLayer = toBlob(seededBytes('samples/base-layer', 8192));
  const shared = [baseLayer.data];
  const worker12 = buildImage('samples/worker/1.2', { format: 'docker', sharedLayers: shared, layerSizes: [4096] });
  const worker13 = buildImage('samples/worker/1.3', {
    format: 'docker',
    sharedLayers: shared,
    layerSizes: [4096, 1024],
  });
  const alpine = buildImage('samples/alpine/3.19', { format: 'oci', layerSizes: [6144] });
  const amd64 = { os: 'linux', architecture: 'amd64' };
  const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
  const multi = buildIndex(
    'samples/multi/1.0',
    [
      {
        image: buildImage('samples/multi/amd64', {
          format: 'oci',
          sharedLayers: shared,
          layerSizes: [3072],
          platform: amd64,
        }),
        platform: amd64,
      },
      {
        image: buildImage('samples/multi/arm64', {
          format: 'oci',
          sharedLayers: shared,
          layerSizes: [3072],
          platform: arm64,
        }),
        platform: arm64,
      },
    ],
    'oci',
  );
  const ref = (repo: string, tag: string, m: BuiltImage | BuiltIndex): SampleRef => ({
    repo,
    tag,
    mediaType: m.mediaType,
    digest: m.digest,
    manifest: m.manifest,
  });
  const refs = [
    ref('team-a/tools/worker', '1.2', worker12),
    ref('team-a/tools/worker', '1.3', worker13),
    ref('alpine', '3.19', alpine),
    ref('team-b/multi', '1.0', multi),
  ];
  return { baseLayer, worker12, worker13, alpine, multi, refs };
}

/** Pushes the sample set (sequentially: shared blobs are never uploaded concurrently). */
export async function seedSamples(target: Target): Promise<SampleImages> {
  const samples = buildSamples();
  await pushImage(target, 'team-a/tools/worker', '1.2', samples.worker12);
  await pushImage(target, 'team-a/tools/worker', '1.3', samples.worker13);
  await pushImage(target, 'alpine', '3.19', samples.alpine);
  await pushIndex(target, 'team-b/multi', '1.0', samples.multi);
  return samples;
}
