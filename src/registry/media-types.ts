// Manifest media types and what each one references. We never re-serialise a manifest:
// the exact bytes are pushed back so digests are preserved.

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

export type ManifestKind = 'image' | 'index' | 'schema1' | 'unsupported';

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

export interface ParsedManifest {
  kind: ManifestKind;
  mediaType: string;
  /** For an image: config then layers. */
  blobs: Descriptor[];
  /** For an index: the child manifests. */
  children: Descriptor[];
}

/** Works out the kind from the Content-Type, falling back to the body's own mediaType field. */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    return { kind: 'unsupported', mediaType: contentType ?? 'unknown', blobs: [], children: [] };
  }
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const mediaType = normaliseType(contentType) ?? declared ?? guessType(body);
  switch (mediaType) {
    case MediaType.dockerManifest:
    case MediaType.ociManifest: {
      const config = asDescriptor(body.config);
      const layers = asDescriptors(body.layers);
      return { kind: 'image', mediaType, blobs: config ? [config, ...layers] : layers, children: [] };
    }
    case MediaType.dockerManifestList:
    case MediaType.ociIndex:
      return { kind: 'index', mediaType, blobs: [], children: asDescriptors(body.manifests) };
    case MediaType.dockerSchema1:
    case MediaType.dockerSchema1Signed:
      return { kind: 'schema1', mediaType, blobs: [], children: [] };
    default:
      return { kind: 'unsupported', mediaType, blobs: [], children: [] };
  }
}

function normaliseType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  // Some registries answer application/json or octet-stream for manifests; trust the body then.
  if (!type || type === 'application/json' || type === 'application/octet-stream' || type === 'text/plain') return undefined;
  return type;
}

function guessType(body: Record<string, unknown>): string {
  if (body.schemaVersion === 1) return MediaType.dockerSchema1Signed;
  // OCI allows mediaType to be absent: the shape decides.
  if (Array.isArray(body.manifests)) return MediaType.ociIndex;
  if (body.config && Array.isArray(body.layers)) return MediaType.ociManifest;
  return 'unknown';
}

function asDescriptors(value: unknown): Descriptor[] {
  return Array.isArray(value) ? value.map(asDescriptor).filter((d): d is Descriptor => d !== undefined) : [];
}

function asDescriptor(value: unknown): Descriptor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.digest !== 'string') return undefined;
  return {
    mediaType: typeof v.mediaType === 'string' ? v.mediaType : '',
    digest: v.digest,
    size: typeof v.size === 'number' ? v.size : -1,
    ...(Array.isArray(v.urls) && v.urls.length > 0 && { urls: v.urls.map(String) }),
    ...(isPlatform(v.platform) && { platform: v.platform }),
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
