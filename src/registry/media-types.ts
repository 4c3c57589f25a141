// Manifest media types and what each one references. We never re-serialise a manifest:
// the exact bytes are pushed back so digests are preserved. A manifest that is not what its media
// type says (not JSON, no config, layers that are not a list of descriptors) is `invalid`, with
// the reason: it is a failure, not a kind we merely do not copy.
import { isDigest } from './reference.js';

export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociArtifact: 'application/vnd.oci.artifact.manifest.v1+json',
} as const;

/** Every manifest kind we can read, most preferred first; schema1 last so registries that can
 * convert still send the modern form. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
  MediaType.dockerSchema1Signed,
  MediaType.dockerSchema1,
].join(', ');

export type ManifestKind = 'image' | 'index' | 'schema1' | 'unsupported' | 'invalid';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A platform as `platforms: linux/arm64` names it: without a variant it takes every variant
 * (src/transfer/index-filter.ts applies it). */
export interface PlatformFilter {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ParsedManifest {
  kind: ManifestKind;
  mediaType: string;
  /** For an image: config then layers. */
  blobs: Descriptor[];
  /** For an index: the child manifests. */
  children: Descriptor[];
  /** For an invalid manifest: what is wrong, to follow "manifest of repo:tag", e.g. "is not valid JSON". */
  problem?: string;
}

/** Works out the kind from the Content-Type, falling back to the body's own mediaType field. */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return invalid(normaliseType(contentType) ?? 'unknown', 'is not valid JSON');
  }
  if (!isObject(parsed)) return invalid(normaliseType(contentType) ?? 'unknown', 'is JSON but not an object');
  const body = parsed;
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const mediaType = known(normaliseType(contentType) ?? declared ?? guessType(body));
  switch (mediaType) {
    case MediaType.dockerManifest:
    case MediaType.ociManifest: {
      if (!isObject(body.config)) return invalid(mediaType, 'is an image manifest without a config descriptor');
      const config = asDescriptor(body.config);
      if (!config) return invalid(mediaType, `is an image manifest whose config is not a descriptor (${DESCRIPTOR})`);
      if (!Array.isArray(body.layers)) return invalid(mediaType, 'is an image manifest whose layers is not an array');
      const layers = body.layers.map(asDescriptor);
      const bad = layers.indexOf(undefined);
      if (bad >= 0)
        return invalid(mediaType, `is an image manifest whose layers[${bad}] is not a descriptor (${DESCRIPTOR})`);
      return { kind: 'image', mediaType, blobs: [config, ...(layers as Descriptor[])], children: [] };
    }
    case MediaType.dockerManifestList:
    case MediaType.ociIndex: {
      if (!Array.isArray(body.manifests)) return invalid(mediaType, 'is an index whose manifests is not an array');
      const children = body.manifests.map(asDescriptor);
      const bad = children.indexOf(undefined);
      if (bad >= 0)
        return invalid(mediaType, `is an index whose manifests[${bad}] is not a descriptor (${DESCRIPTOR})`);
      return { kind: 'index', mediaType, blobs: [], children: children as Descriptor[] };
    }
    case MediaType.dockerSchema1:
    case MediaType.dockerSchema1Signed:
      return { kind: 'schema1', mediaType, blobs: [], children: [] };
    default:
      // Well-formed, just not a kind we copy.
      return { kind: 'unsupported', mediaType, blobs: [], children: [] };
  }
}

const DESCRIPTOR = 'an object with a sha256, sha384 or sha512 digest and a size in whole bytes';

function invalid(mediaType: string, problem: string): ParsedManifest {
  return { kind: 'invalid', mediaType, blobs: [], children: [], problem };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const KNOWN = new Map<string, string>(Object.values(MediaType).map((type) => [type, type]));

/** The one copy of a known type: every tag's result keeps its media type, and a catalog of 100k
 * tags should not keep 100k copies of the same string. */
function known(type: string): string {
  return KNOWN.get(type) ?? type;
}

function normaliseType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  // Some registries answer application/json or octet-stream for manifests; trust the body then.
  if (!type || type === 'application/json' || type === 'application/octet-stream' || type === 'text/plain')
    return undefined;
  return type;
}

function guessType(body: Record<string, unknown>): string {
  if (body.schemaVersion === 1) return MediaType.dockerSchema1Signed;
  // OCI allows mediaType to be absent: the shape decides.
  if (Array.isArray(body.manifests)) return MediaType.ociIndex;
  if (body.config && Array.isArray(body.layers)) return MediaType.ociManifest;
  return 'unknown';
}

/** A descriptor, or undefined when it is not one: its digest names the blob's URL path, so it must
 * be a digest; a size, when given, must be a byte count. */
function asDescriptor(value: unknown): Descriptor | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.digest !== 'string' || !isDigest(value.digest)) return undefined;
  if (
    value.size !== undefined &&
    !(typeof value.size === 'number' && Number.isSafeInteger(value.size) && value.size >= 0)
  )
    return undefined;
  return {
    mediaType: typeof value.mediaType === 'string' ? value.mediaType : '',
    digest: value.digest,
    size: typeof value.size === 'number' ? value.size : -1,
    ...(Array.isArray(value.urls) && value.urls.length > 0 && { urls: value.urls.map(String) }),
    ...(isPlatform(value.platform) && { platform: value.platform }),
  };
}

function isPlatform(value: unknown): value is Platform {
  const p = value as Platform | undefined;
  return typeof p === 'object' && p !== null && typeof p.os === 'string' && typeof p.architecture === 'string';
}

/** Foreign (non-distributable) layers live elsewhere (their `urls`): registries do not hold them. */
export function isForeignLayer(d: Descriptor): boolean {
  return (d.urls?.length ?? 0) > 0 && /foreign|nondistributable/.test(d.mediaType);
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
