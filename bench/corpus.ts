// Deterministic benchmark corpus: the same parameters always give the same repositories, tags,
// manifests and blob bytes. Layer bytes come from AES-128-CTR over zeros keyed by a hash of the
// layer's seed (fast, incompressible, reproducible) and are streamed in 1 MiB chunks, so no layer
// and never the whole corpus sits in memory.
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import pLimit from 'p-limit';
import { Agent, request } from 'undici';

/** Bumped whenever the bytes for the same parameters change: part of the .tmp cache key. */
export const GENERATOR_VERSION = 2;

export const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  list: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface CorpusParams {
  /** Changes every byte of the corpus. */
  seed: string;
  repositories: number;
  /** Tags per repository, `latest` included; a fraction spreads evenly (5.03 × 200 = 1,006 tags). */
  tagsPerRepository: number;
  /** Harbor projects (`team-NN`); repository i goes to team i mod teams. */
  teams: number;
  /** Share of repositories with three path levels (`team-NN/tools/job-i`), the rest have two (`team-NN/svc-i`). */
  nestedShare: number;
  /** Distinct base images; repository i builds on base i mod baseImages. Every image of a base shares its layers. */
  baseImages: number;
  /** Byte sizes of each base image's layers (per architecture). */
  baseLayerSizes: number[];
  /** Mean byte sizes of each image's own layers. */
  ownLayerSizes: number[];
  /** Each own layer's size is drawn uniformly in mean × [1 − jitter, 1 + jitter]. */
  jitter: number;
  /** Share of images built as a manifest list of linux/amd64 + linux/arm64 (arm64 has its own base layers). */
  multiArchShare: number;
  /** A repository's last tag is `latest`, pointing at the same manifest as its newest version tag. */
  latestAlias: boolean;
}

export const PRESETS: Record<string, CorpusParams> = {
  // Quick end-to-end check: 20 repositories, 60 tags, ~8 MB unique.
  small: {
    seed: 'harbor-sync-bench/small/v1',
    repositories: 20,
    tagsPerRepository: 3,
    teams: 4,
    nestedShare: 0.3,
    baseImages: 2,
    baseLayerSizes: [1_000_000, 250_000],
    ownLayerSizes: [64_000],
    jitter: 0.5,
    multiArchShare: 0.25,
    latestAlias: true,
  },
  // 200 repositories, 1,006 tags, 2,008 unique blobs, ~969 MB unique; copying every tag whole would be ~25 GB.
  medium: {
    seed: 'harbor-sync-bench/medium/v1',
    repositories: 200,
    tagsPerRepository: 5.03,
    teams: 20,
    nestedShare: 0.3,
    baseImages: 2,
    baseLayerSizes: [12_000_000, 5_000_000, 2_100_000],
    ownLayerSizes: [878_300],
    jitter: 0.5,
    multiArchShare: 0.2383,
    latestAlias: true,
  },
  // Many repositories, tiny layers: listing and per-tag overhead dominate.
  'large-catalog': {
    seed: 'harbor-sync-bench/large-catalog/v1',
    repositories: 2000,
    tagsPerRepository: 3,
    teams: 40,
    nestedShare: 0.3,
    baseImages: 4,
    baseLayerSizes: [4096],
    ownLayerSizes: [1024],
    jitter: 0.5,
    multiArchShare: 0,
    latestAlias: true,
  },
  // 12k tags of tiny images: a catalog half the size of catalog-24k (issue 30's nightly figures).
  'catalog-12k': {
    seed: 'harbor-sync-bench/catalog-12k/v1',
    repositories: 4000,
    tagsPerRepository: 3,
    teams: 40,
    nestedShare: 0.3,
    baseImages: 4,
    baseLayerSizes: [4096],
    ownLayerSizes: [1024],
    jitter: 0.5,
    multiArchShare: 0,
    latestAlias: true,
  },
  // ~24k tags of tiny images, the size of a real registry's catalog: memory per tag and the
  // nightly's cost per repository show here (skopeo runs on a slice).
  'catalog-24k': {
    seed: 'harbor-sync-bench/catalog-24k/v1',
    repositories: 8000,
    tagsPerRepository: 3,
    teams: 80,
    nestedShare: 0.3,
    baseImages: 4,
    baseLayerSizes: [4096],
    ownLayerSizes: [1024],
    jitter: 0.5,
    multiArchShare: 0,
    latestAlias: true,
  },
  // Seed scale, for storage migrations (issue 27): 5,000 tags over 1,000 repositories (latest
  // included), ~1.6 GB unique; by default read from the registry's storage as a .tar and a .tar.gz.
  seed: {
    seed: 'harbor-sync-bench/seed/v1',
    repositories: 1000,
    tagsPerRepository: 5,
    teams: 50,
    nestedShare: 0.3,
    baseImages: 4,
    baseLayerSizes: [12_000_000, 5_000_000, 2_100_000],
    ownLayerSizes: [300_000],
    jitter: 0.5,
    multiArchShare: 0.2,
    latestAlias: true,
  },
  // --big-layer: one image with one 2 GiB layer, to watch peak RSS.
  'big-layer': {
    seed: 'harbor-sync-bench/big-layer/v1',
    repositories: 1,
    tagsPerRepository: 1,
    teams: 1,
    nestedShare: 0,
    baseImages: 0,
    baseLayerSizes: [],
    ownLayerSizes: [2 * 1024 ** 3],
    jitter: 0,
    multiArchShare: 0,
    latestAlias: false,
  },
};

// ---- the plan: structure only (names, seeds, sizes), no bytes -------------------------------

export interface LayerPlan {
  seed: string;
  size: number;
}

export interface ImagePlan {
  arch: 'amd64' | 'arm64';
  layers: LayerPlan[];
  /** Distinguishes the config (and so the manifest) of every image. */
  label: string;
}

export interface TagPlan {
  tag: string;
  /** One image, or a manifest list of several (multi-arch). */
  images: ImagePlan[];
  /** This tag re-uses the manifest of another tag in the repository (`latest`). */
  aliasOf?: string;
}

export interface RepoPlan {
  name: string;
  project: string;
  tags: TagPlan[];
}

/** Deterministic number in [0, 1) from a string. */
function unit(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

function countIn(i: number, perItem: number): number {
  return Math.floor((i + 1) * perItem + 1e-9) - Math.floor(i * perItem + 1e-9);
}

export function planCorpus(p: CorpusParams): RepoPlan[] {
  const repos: RepoPlan[] = [];
  let imageIndex = 0;
  const width = String(Math.max(p.repositories, 10) - 1).length;
  for (let i = 0; i < p.repositories; i++) {
    const team = `team-${String(i % p.teams).padStart(2, '0')}`;
    const id = String(i).padStart(width, '0');
    const name =
      p.repositories === 1 && p.ownLayerSizes[0]! > 1e9
        ? `${team}/big-layer`
        : unit(`${p.seed}/nested/${i}`) < p.nestedShare
          ? `${team}/tools/job-${id}`
          : `${team}/svc-${id}`;
    const base = p.baseImages > 0 ? i % p.baseImages : -1;
    const baseLayers = (arch: string): LayerPlan[] =>
      base < 0 ? [] : p.baseLayerSizes.map((size, l) => ({ seed: `${p.seed}/base/${base}/${arch}/${l}`, size }));
    const n = countIn(i, p.tagsPerRepository);
    const versions = p.latestAlias && n >= 2 ? n - 1 : n;
    const tags: TagPlan[] = [];
    for (let v = 0; v < versions; v++) {
      const tag = `1.${Math.floor(v / 10)}.${v % 10}`;
      const multi = countIn(imageIndex, p.multiArchShare) === 1;
      imageIndex++;
      const arches: ('amd64' | 'arm64')[] = multi ? ['amd64', 'arm64'] : ['amd64'];
      const images = arches.map((arch) => {
        const label = `${name}:${tag}/${arch}`;
        const own = p.ownLayerSizes.map((mean, l) => {
          const seed = `${p.seed}/own/${label}/${l}`;
          const size = Math.max(1, Math.round(mean * (1 - p.jitter + 2 * p.jitter * unit(`${seed}/size`))));
          return { seed, size };
        });
        return { arch, layers: [...baseLayers(arch), ...own], label };
      });
      tags.push({ tag, images });
    }
    if (versions < n)
      tags.push({ tag: 'latest', images: tags[tags.length - 1]!.images, aliasOf: tags[tags.length - 1]!.tag });
    repos.push({ name, project: team, tags });
  }
  return repos;
}

// ---- bytes -----------------------------------------------------------------------------------

// Layers are real gzip streams (deflate "stored" blocks around pseudo-random bytes), as image layers
// are: a copier that checks compression (skopeo does) then leaves them as they are, as it would
// for real images, instead of gzipping them itself and changing every digest. `size` is the size
// of the whole gzip stream.
const BLOCK = 65535; // payload of one stored deflate block
const BLOCKS_PER_CHUNK = 16;
const ZEROS = Buffer.alloc(BLOCK * BLOCKS_PER_CHUNK);
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
export const MIN_LAYER_SIZE = 10 + 5 + 8;

/** Stored-block count and payload bytes for a gzip stream of exactly `size` bytes. */
function gzipLayout(size: number): { blocks: number; payload: number } {
  if (size < MIN_LAYER_SIZE) throw new Error(`layer size ${size} < ${MIN_LAYER_SIZE}`);
  const blocks = Math.max(1, Math.ceil((size - 18) / (BLOCK + 5)));
  const payload = size - 18 - 5 * blocks;
  if (payload < 0 || payload > blocks * BLOCK) throw new Error(`no gzip layout for ${size} bytes`);
  return { blocks, payload };
}

/** The layer's bytes, about 1 MiB at a time. */
export function* layerChunks(layer: LayerPlan): Generator<Buffer> {
  const key = createHash('sha256').update(layer.seed).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  const { blocks, payload } = gzipLayout(layer.size);
  let crc = 0;
  let left = payload;
  let first = true;
  for (let b = 0; b < blocks; b += BLOCKS_PER_CHUNK) {
    const parts: Buffer[] = first ? [GZIP_HEADER] : [];
    first = false;
    const n = Math.min(BLOCKS_PER_CHUNK, blocks - b);
    // The last block takes the remainder; earlier ones are full (payload > (blocks − 1) × BLOCK
    // only fails for tiny sizes, where everything is one block anyway).
    for (let i = 0; i < n; i++) {
      const last = b + i === blocks - 1;
      const len = last ? left : Math.min(BLOCK, left);
      const head = Buffer.alloc(5);
      head[0] = last ? 1 : 0;
      head.writeUInt16LE(len, 1);
      head.writeUInt16LE(~len & 0xffff, 3);
      const data = cipher.update(ZEROS.subarray(0, len));
      crc = crc32(data, crc);
      left -= len;
      parts.push(head, data);
    }
    if (b + n >= blocks) {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(payload % 2 ** 32, 4);
      parts.push(trailer);
    }
    yield Buffer.concat(parts);
  }
}

export function layerDigest(layer: LayerPlan): string {
  const h = createHash('sha256');
  for (const chunk of layerChunks(layer)) h.update(chunk);
  return `sha256:${h.digest('hex')}`;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface BuiltImage {
  arch: string;
  manifest: Buffer;
  digest: string;
  config: Buffer;
  configDigest: string;
  layers: (LayerPlan & { digest: string })[];
}

export interface BuiltTag {
  repo: string;
  tag: string;
  /** The bytes pushed under the tag: a manifest, or a manifest list. */
  manifest: Buffer;
  mediaType: string;
  digest: string;
  images: BuiltImage[];
  aliasOf?: string;
}

/** Digests of layers seen so far (base layers are hashed once per process). */
const digestMemo = new Map<string, string>();

export function buildTag(repo: string, t: TagPlan): BuiltTag {
  const images = t.images.map((img): BuiltImage => {
    const layers = img.layers.map((l) => {
      let digest = digestMemo.get(l.seed);
      if (!digest) {
        digest = layerDigest(l);
        if (l.seed.includes('/base/')) digestMemo.set(l.seed, digest);
      }
      return { ...l, digest };
    });
    const config = Buffer.from(
      JSON.stringify({
        architecture: img.arch,
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        config: { Labels: { 'harbor-sync.bench': img.label } },
      }),
    );
    const configDigest = sha256(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: { mediaType: MEDIA.config, size: config.length, digest: configDigest },
        layers: layers.map((l) => ({ mediaType: MEDIA.layer, size: l.size, digest: l.digest })),
      }),
    );
    return { arch: img.arch, manifest, digest: sha256(manifest), config, configDigest, layers };
  });
  if (images.length === 1) {
    const only = images[0]!;
    return {
      repo,
      tag: t.tag,
      manifest: only.manifest,
      mediaType: MEDIA.manifest,
      digest: only.digest,
      images,
      aliasOf: t.aliasOf,
    };
  }
  const list = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.list,
      manifests: images.map((img) => ({
        mediaType: MEDIA.manifest,
        size: img.manifest.length,
        digest: img.digest,
        platform: { architecture: img.arch, os: 'linux' },
      })),
    }),
  );
  return { repo, tag: t.tag, manifest: list, mediaType: MEDIA.list, digest: sha256(list), images, aliasOf: t.aliasOf };
}

// ---- what the benchmark needs to know about a pushed corpus -----------------------------------

export interface UniqueBlob {
  digest: string;
  size: number;
  /** The first repository holding it (where the copy floor reads and writes it). */
  repo: string;
}

export interface CorpusStats {
  repositories: number;
  projects: number;
  tags: number;
  /** Image manifests (multi-arch children counted), distinct. */
  manifests: number;
  multiArchTags: number;
  uniqueBlobs: number;
  uniqueBytes: number;
  /** Sum over tags of every blob the tag references: what copying each tag whole would move. */
  wholeCopyBytes: number;
}

export interface CorpusIndex {
  params: CorpusParams;
  stats: CorpusStats;
  /** repo → tag → digest Harbor must end up with. */
  tags: Record<string, Record<string, string>>;
  blobs: UniqueBlob[];
  /** repo → every blob its tags reference (digest → size), to work out slices. */
  repoBlobs: Record<string, Record<string, number>>;
}

/** Unique blobs and bytes of some repositories (each blob's first repository among them). */
export function uniqueFor(index: CorpusIndex, repos: string[]): { blobs: UniqueBlob[]; bytes: number } {
  const seen = new Map<string, UniqueBlob>();
  for (const repo of repos) {
    for (const [digest, size] of Object.entries(index.repoBlobs[repo] ?? {})) {
      if (!seen.has(digest)) seen.set(digest, { digest, size, repo });
    }
  }
  const blobs = [...seen.values()];
  return { blobs, bytes: blobs.reduce((n, b) => n + b.size, 0) };
}

// ---- pushing ---------------------------------------------------------------------------------

export interface PushOptions {
  /** Repositories pushed at once (each repository's tags go one after another). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Pushes the corpus into an auth-less registry. A blob digest is uploaded once (into the first
 * repository that needs it) and cross-repository mounted everywhere else, and pushes of one digest
 * into one repository never overlap (the registry races on that).
 */
export async function pushCorpus(
  registryUrl: string,
  params: CorpusParams,
  opts: PushOptions = {},
): Promise<CorpusIndex> {
  const plan = planCorpus(params);
  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
  const limit = pLimit(opts.concurrency ?? 4);
  const uploaded = new Map<string, Promise<string>>(); // digest → first repo holding it
  const inRepo = new Map<string, Promise<void>>(); // `${repo}@${digest}` → push
  const index: CorpusIndex = {
    params,
    stats: {
      repositories: plan.length,
      projects: new Set(plan.map((r) => r.project)).size,
      tags: 0,
      manifests: 0,
      multiArchTags: 0,
      uniqueBlobs: 0,
      uniqueBytes: 0,
      wholeCopyBytes: 0,
    },
    tags: {},
    blobs: [],
    repoBlobs: {},
  };
  const seenManifests = new Set<string>();

  const call = async (
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: Buffer | Readable,
    expect: number[] = [201],
  ) => {
    const res = await request(url, { method: method as 'GET', headers, body, dispatcher });
    const text = await res.body.text();
    if (!expect.includes(res.statusCode))
      throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${text.slice(0, 500)}`);
    return res;
  };

  const upload = async (repo: string, digest: string, size: number, body: () => Buffer | Readable): Promise<void> => {
    const start = await call('POST', `${registryUrl}/v2/${repo}/blobs/uploads/`, {}, undefined, [202]);
    const put = new URL(String(start.headers.location), `${registryUrl}/`);
    put.searchParams.set('digest', digest);
    await call(
      'PUT',
      put.toString(),
      { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body(),
    );
  };

  const pushBlob = (repo: string, digest: string, size: number, body: () => Buffer | Readable): Promise<void> => {
    const key = `${repo}@${digest}`;
    let p = inRepo.get(key);
    if (!p) {
      p = (async () => {
        let first = uploaded.get(digest);
        if (!first) {
          first = upload(repo, digest, size, body).then(() => repo);
          uploaded.set(digest, first);
          index.blobs.push({ digest, size, repo });
          index.stats.uniqueBlobs++;
          index.stats.uniqueBytes += size;
          await first;
          return;
        }
        const from = await first;
        if (from === repo) return;
        const mount = await call(
          'POST',
          `${registryUrl}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${from}`,
          {},
          undefined,
          [201, 202],
        );
        if (mount.statusCode === 202) await upload(repo, digest, size, body); // mount refused: upload
      })();
      inRepo.set(key, p);
    }
    return p;
  };

  const putManifest = (repo: string, ref: string, bytes: Buffer, mediaType: string) =>
    call('PUT', `${registryUrl}/v2/${repo}/manifests/${ref}`, { 'content-type': mediaType }, bytes);

  let done = 0;
  const total = plan.reduce((n, r) => n + r.tags.length, 0);
  try {
    await Promise.all(
      plan.map((repo) =>
        limit(async () => {
          const tags: Record<string, string> = {};
          const blobs: Record<string, number> = {};
          const built = new Map<string, BuiltTag>();
          for (const t of repo.tags) {
            const b = t.aliasOf ? { ...built.get(t.aliasOf)!, tag: t.tag, aliasOf: t.aliasOf } : buildTag(repo.name, t);
            built.set(t.tag, b);
            for (const img of b.images) {
              if (!t.aliasOf) {
                for (const l of img.layers)
                  await pushBlob(repo.name, l.digest, l.size, () => Readable.from(layerChunks(l)));
                await pushBlob(repo.name, img.configDigest, img.config.length, () => img.config);
                for (const l of img.layers) blobs[l.digest] = l.size;
                blobs[img.configDigest] = img.config.length;
                if (b.images.length > 1) await putManifest(repo.name, img.digest, img.manifest, MEDIA.manifest);
                if (!seenManifests.has(img.digest)) {
                  seenManifests.add(img.digest);
                  index.stats.manifests++;
                }
              }
              index.stats.wholeCopyBytes += img.config.length + img.layers.reduce((n, l) => n + l.size, 0);
            }
            await putManifest(repo.name, t.tag, b.manifest, b.mediaType);
            tags[t.tag] = b.digest;
            index.stats.tags++;
            if (b.images.length > 1) index.stats.multiArchTags++;
            opts.onProgress?.(++done, total);
          }
          index.tags[repo.name] = tags;
          index.repoBlobs[repo.name] = blobs;
        }),
      ),
    );
  } finally {
    await dispatcher.close();
  }
  return index;
}
