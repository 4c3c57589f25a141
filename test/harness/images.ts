// Builds and pushes test images with Node builtins and global fetch only. This is deliberately an
// independent path from src/: a bug in the product's registry client must not hide in its fixtures.
import { createHash } from 'node:crypto';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** Every manifest type a client may accept; used as the Accept header. */
export const MANIFEST_ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex].join(', ');

export type ImageFormat = 'docker' | 'oci';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface BlobData {
  digest: string;
  size: number;
  data: Buffer;
}

export interface BuiltImage {
  manifest: Buffer;
  mediaType: string;
  digest: string;
  /** Config first, then layers in manifest order. */
  blobs: BlobData[];
}

export interface IndexChild {
  image: BuiltImage;
  platform: Platform;
}

export interface BuiltIndex {
  manifest: Buffer;
  mediaType: string;
  digest: string;
  children: IndexChild[];
}

export interface BuildImageOptions {
  format?: ImageFormat;
  /** Sizes of the image's own layers (after any shared ones); default one layer of 2 KiB. */
  layerSizes?: number[];
  /** Layers placed first, byte for byte, so several images can share a base layer. */
  sharedLayers?: Buffer[];
  platform?: Platform;
}

export interface Target {
  url: string;
  /** Basic auth, sent preemptively. */
  auth?: { username: string; password: string };
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function toBlob(data: Buffer): BlobData {
  return { digest: sha256(data), size: data.length, data };
}

/** Deterministic pseudo-random bytes: SHA-256 in counter mode over the seed. */
export function seededBytes(seed: string, size: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (let i = 0; total < size; i++) {
    const chunk = createHash('sha256').update(`${seed}\0${i}`).digest();
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks, total).subarray(0, size);
}

/** Serialises JSON once; the returned bytes are the bytes that get pushed and digested. */
function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function descriptor(mediaType: string, blob: BlobData): { mediaType: string; size: number; digest: string } {
  return { mediaType, size: blob.size, digest: blob.digest };
}

export function buildImage(seed: string, opts: BuildImageOptions = {}): BuiltImage {
  const format = opts.format ?? 'docker';
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const own = (opts.layerSizes ?? [2048]).map((size, i) => seededBytes(`${seed}/layer/${i}`, size));
  const layers = [...(opts.sharedLayers ?? []), ...own].map(toBlob);
  // Layers are not really gzip, so the diff_id is simply the digest of the bytes as stored.
  const config = toBlob(
    jsonBytes({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: { Labels: { 'harbor-sync.test.seed': seed } },
    }),
  );
  const mediaType = format === 'oci' ? MEDIA.ociManifest : MEDIA.dockerManifest;
  const layerType = format === 'oci' ? MEDIA.ociLayer : MEDIA.dockerLayer;
  const manifest = jsonBytes({
    schemaVersion: 2,
    mediaType,
    config: descriptor(format === 'oci' ? MEDIA.ociConfig : MEDIA.dockerConfig, config),
    layers: layers.map((l) => descriptor(layerType, l)),
  });
  return { manifest, mediaType, digest: sha256(manifest), blobs: [config, ...layers] };
}

/** A Docker manifest list or OCI index. The seed only shows in the bytes of an OCI index (annotation). */
export function buildIndex(seed: string, children: IndexChild[], format: ImageFormat): BuiltIndex {
  const mediaType = format === 'oci' ? MEDIA.ociIndex : MEDIA.dockerList;
  const manifests = children.map(({ image, platform }) => ({
    mediaType: image.mediaType,
    size: image.manifest.length,
    digest: image.digest,
    platform: {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
    },
  }));
  const body: Record<string, unknown> = { schemaVersion: 2, mediaType, manifests };
  if (format === 'oci') body.annotations = { 'harbor-sync.test.seed': seed };
  const manifest = jsonBytes(body);
  return { manifest, mediaType, digest: sha256(manifest), children };
}

// ---- pushing -------------------------------------------------------------------------------

function headers(target: Target, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ...extra };
  if (target.auth) {
    h.authorization = `Basic ${Buffer.from(`${target.auth.username}:${target.auth.password}`).toString('base64')}`;
  }
  return h;
}

/** A copy backed by a plain ArrayBuffer, which fetch's BodyInit type requires; bytes are unchanged. */
function bodyOf(data: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(data);
}

async function fail(what: string, res: Response): Promise<never> {
  const body = await res.text().catch(() => '');
  throw new Error(`${what}: HTTP ${res.status} ${res.statusText} ${body.slice(0, 2000)}`);
}

/** True when the repository already has the blob (HEAD 200); false on 404; throws otherwise. */
export async function blobExists(target: Target, repo: string, digest: string): Promise<boolean> {
  const res = await fetch(`${target.url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers: headers(target) });
  await res.arrayBuffer();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  return fail(`HEAD blob ${repo}@${digest}`, res);
}

export async function pushBlob(target: Target, repo: string, blob: BlobData): Promise<void> {
  if (await blobExists(target, repo, blob.digest)) return;
  const start = await fetch(`${target.url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: headers(target) });
  if (start.status !== 202) return fail(`POST upload ${repo}`, start);
  await start.arrayBuffer();
  const location = start.headers.get('location');
  if (!location) throw new Error(`POST upload ${repo}: 202 without Location`);
  // Location may be relative to the registry; URL() resolves both forms.
  const put = new URL(location, `${target.url}/`);
  put.searchParams.set('digest', blob.digest);
  const res = await fetch(put, {
    method: 'PUT',
    headers: headers(target, { 'content-type': 'application/octet-stream' }),
    body: bodyOf(blob.data),
  });
  if (res.status !== 201) return fail(`PUT blob ${repo}@${blob.digest}`, res);
  await res.arrayBuffer();
}

/** PUTs manifest bytes unchanged; checks the registry's digest matches ours. Returns that digest. */
export async function pushManifest(
  target: Target,
  repo: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
): Promise<string> {
  const res = await fetch(`${target.url}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: headers(target, { 'content-type': mediaType }),
    body: bodyOf(bytes),
  });
  if (res.status !== 201) return fail(`PUT manifest ${repo}:${reference}`, res);
  await res.arrayBuffer();
  const expected = sha256(bytes);
  const got = res.headers.get('docker-content-digest');
  if (got && got !== expected)
    throw new Error(`PUT manifest ${repo}:${reference}: registry says ${got}, bytes are ${expected}`);
  return expected;
}

/** Blobs one at a time (in order) so a registry never sees the same digest uploaded concurrently. */
export async function pushImage(target: Target, repo: string, tag: string, image: BuiltImage): Promise<void> {
  for (const blob of image.blobs) await pushBlob(target, repo, blob);
  await pushManifest(target, repo, tag, image.manifest, image.mediaType);
}

export async function pushIndex(target: Target, repo: string, tag: string, index: BuiltIndex): Promise<void> {
  for (const { image } of index.children) {
    for (const blob of image.blobs) await pushBlob(target, repo, blob);
    await pushManifest(target, repo, image.digest, image.manifest, image.mediaType);
  }
  await pushManifest(target, repo, tag, index.manifest, index.mediaType);
}

// ---- reading back (small conveniences for assertions) ----------------------------------------

export interface FetchedManifest {
  status: number;
  bytes: Buffer;
  mediaType: string | null;
  digest: string | null;
}

/** GET a manifest with every known type accepted; does not throw on non-2xx (callers assert). */
export async function getManifest(target: Target, repo: string, reference: string): Promise<FetchedManifest> {
  const res = await fetch(`${target.url}/v2/${repo}/manifests/${reference}`, {
    headers: headers(target, { accept: MANIFEST_ACCEPT }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    bytes,
    mediaType: res.headers.get('content-type'),
    digest: res.headers.get('docker-content-digest'),
  };
}

/** GET a blob and read it fully; returns status and bytes without throwing. */
export async function getBlob(
  target: Target,
  repo: string,
  digest: string,
): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${target.url}/v2/${repo}/blobs/${digest}`, { headers: headers(target) });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** HEAD a blob; returns the status only. */
export async function headBlob(target: Target, repo: string, digest: string): Promise<number> {
  const res = await fetch(`${target.url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers: headers(target) });
  await res.arrayBuffer();
  return res.status;
}

/** tags/list; returns [] on 404 (unknown repository). */
export async function listTags(target: Target, repo: string): Promise<string[]> {
  const res = await fetch(`${target.url}/v2/${repo}/tags/list`, { headers: headers(target) });
  if (res.status === 404) {
    await res.arrayBuffer();
    return [];
  }
  if (res.status !== 200) return fail(`GET tags ${repo}`, res);
  const body = (await res.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}
