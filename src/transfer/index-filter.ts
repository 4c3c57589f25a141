// `platforms: linux/amd64,linux/arm64` copies only those children of an index and writes a new
// index holding just them. Its bytes, and so its digest, differ from the source's: the report
// says so. The new bytes are deterministic, so a nightly run finds them in Harbor and skips.
import { sha256Digest } from '../registry/digest.js';
import { parseManifest, type Platform, type PlatformFilter } from '../registry/media-types.js';

export type { PlatformFilter } from '../registry/media-types.js';

/** A filter without a variant takes every variant (linux/arm64 takes linux/arm64/v8). */
export function platformMatches(platform: Platform | undefined, filters: PlatformFilter[]): boolean {
  if (!platform) return false;
  return filters.some(
    (f) =>
      f.os === platform.os &&
      f.architecture === platform.architecture &&
      (!f.variant || f.variant === platform.variant),
  );
}

/** The index with only the matching children: new bytes and digest, or undefined when it keeps them all. */
export function filterIndex(
  bytes: Buffer,
  mediaType: string,
  filters: PlatformFilter[],
): { bytes: Buffer; digest: string; kept: number } | undefined {
  const parsed = parseManifest(bytes, mediaType);
  const keep = parsed.children.filter((c) => platformMatches(c.platform, filters));
  if (keep.length === parsed.children.length) return undefined;
  const body = JSON.parse(bytes.toString('utf8')) as { manifests: { digest: string }[] };
  const wanted = new Set(keep.map((c) => c.digest));
  body.manifests = body.manifests.filter((m) => wanted.has(m.digest));
  const filtered = Buffer.from(JSON.stringify(body, null, 2));
  return { bytes: filtered, digest: sha256Digest(filtered), kept: keep.length };
}
