// What the fakes read from a manifest: the blobs and child manifests it references, as distribution
// checks them on a PUT. Plain JSON here, not src's parser: a bug there must not hide in its fake.

const FOREIGN = /foreign|nondistributable/;

export interface References {
  blobs: string[];
  manifests: string[];
}

/** What a manifest references, or undefined when it is not a manifest distribution accepts. */
export function referencesOf(bytes: Buffer, contentType: string): References | undefined {
  let body: { mediaType?: unknown; config?: { digest?: unknown }; layers?: unknown; manifests?: unknown };
  try {
    body = JSON.parse(bytes.toString('utf8')) as typeof body;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  if (typeof body.mediaType === 'string' && body.mediaType !== contentType) return undefined;
  const digests = (
    list: unknown,
    keep: (d: { mediaType?: unknown; urls?: unknown }) => boolean = () => true,
  ): string[] | undefined => {
    if (!Array.isArray(list)) return undefined;
    const entries = list as { digest?: unknown; mediaType?: unknown; urls?: unknown }[];
    if (!entries.every((d) => typeof d?.digest === 'string')) return undefined;
    return entries.filter(keep).map((d) => d.digest as string);
  };
  if (Array.isArray(body.manifests)) {
    const manifests = digests(body.manifests);
    return manifests && { blobs: [], manifests };
  }
  // Foreign layers live at their URLs: the registry does not hold them.
  const layers = digests(
    body.layers,
    (d) => !(Array.isArray(d.urls) && typeof d.mediaType === 'string' && FOREIGN.test(d.mediaType)),
  );
  if (!layers || typeof body.config?.digest !== 'string') return undefined;
  return { blobs: [body.config.digest, ...layers], manifests: [] };
}
