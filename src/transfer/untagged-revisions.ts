// include-untagged: which of a repository's revisions (`_manifests/revisions/` of a storage
// source) no tag reaches, directly or as a child of an index: a tagged index copies its children,
// and an untagged index (itself a root) copies its own. Reads the tags' and the revisions'
// manifests from the source, a few at a time.
import pLimit from 'p-limit';
import { parseManifest } from '../registry/media-types.js';
import type { RegistryClient } from '../registry/registry-client.js';

export type RevisionSource = Pick<RegistryClient, 'headManifest' | 'getManifest'> & {
  listRevisions(repository: string): Promise<string[]>;
};

/** Local file reads: enough in flight to overlap, few enough to stay far from the open-files limit. */
const READS_IN_FLIGHT = 8;

export interface UntaggedRevisions {
  /** Revisions no tag reaches, sorted: to copy by digest. */
  roots: string[];
  /** Those of `roots` that name a subject (signatures, attestations, referrers). */
  referrers: Set<string>;
}

/** Revisions that no tag points at, leaving out every child of an index: a tagged index copies its
 * children, and an untagged index (itself a root) copies its own. */
export async function findUntagged(
  source: RevisionSource,
  repository: string,
  tags: string[],
): Promise<UntaggedRevisions> {
  const limit = pLimit(READS_IN_FLIGHT);
  const revisions = await source.listRevisions(repository);
  // A tag that cannot be read fails in its own job; here it just reaches nothing.
  const heads = await Promise.all(
    tags.map((tag) => limit(() => source.headManifest(repository, tag).catch(() => undefined))),
  );
  const tagged = new Set(heads.flatMap((head) => (head ? [head.digest] : [])));
  // A damaged revision counts as a leaf: as a root it fails in its own job, with the file named.
  const manifests = await Promise.all(
    revisions.map((digest) => limit(() => source.getManifest(repository, digest).catch(() => undefined))),
  );
  const children = new Set<string>();
  const referrers = new Set<string>();
  for (const manifest of manifests) {
    if (!manifest) continue;
    for (const child of parseManifest(manifest.bytes, manifest.mediaType).children) children.add(child.digest);
    if (namesSubject(manifest.bytes)) referrers.add(manifest.digest);
  }
  const roots = revisions.filter((digest) => !tagged.has(digest) && !children.has(digest));
  return { roots, referrers: new Set(roots.filter((digest) => referrers.has(digest))) };
}

function namesSubject(bytes: Buffer): boolean {
  try {
    const subject = (JSON.parse(bytes.toString('utf8')) as { subject?: { digest?: unknown } }).subject;
    return typeof subject?.digest === 'string';
  } catch {
    return false;
  }
}
