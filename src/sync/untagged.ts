// include-untagged (sources that list untagged manifests: a storage directory or tarball): the
// manifests a repository holds under `_manifests/revisions/` that no tag reaches are copied too, by
// digest, so `repo@sha256:…` still pulls from Harbor. They run as ordinary digest jobs (as a
// declared `repo@sha256:…` line would). A registry's API cannot list them: the configuration
// refuses the option for a kind of source without that trait (src/sources).
import pLimit from 'p-limit';
import type { HarborTarget } from '../harbor/names.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { parseManifest } from '../registry/media-types.js';
import { ConfigError } from '../errors/base.js';
import { formsWith } from '../sources/index.js';
import { toFailure } from './failure.js';
import { jobFor, type TagJob } from './jobs.js';
import type { TagResult } from '../model/result.js';

export type RevisionSource = Pick<RegistryClient, 'headManifest' | 'getManifest'> & {
  listRevisions(repository: string): Promise<string[]>;
};

/** Local file reads: enough in flight to overlap, few enough to stay far from the open-files limit. */
const READS_IN_FLIGHT = 8;

/** The source as a RevisionSource, when it can list untagged manifests; a run configured around
 * buildConfig's check stops here. */
export function revisionSource(source: RegistryClient): RevisionSource {
  const listRevisions = source.listRevisions?.bind(source);
  if (source.capabilities.untaggedManifests && listRevisions)
    return {
      listRevisions,
      headManifest: source.headManifest.bind(source),
      getManifest: source.getManifest.bind(source),
    };
  throw new ConfigError(
    `include-untagged: true needs a source that can list untagged manifests (${formsWith('untaggedManifests')}): ${source.host} cannot`,
  );
}

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

/** One repository's untagged revisions as digest jobs; a subject-bearing one is skipped like a
 * signature tag when include-signatures is false. Listing trouble is one failed `repo@*` item. */
export async function untaggedJobs(
  source: RevisionSource,
  repository: string,
  target: HarborTarget,
  tags: string[],
  includeSignatures: boolean,
): Promise<{ jobs: TagJob[]; items: TagResult[] }> {
  let found: UntaggedRevisions;
  try {
    found = await findUntagged(source, repository, tags);
  } catch (error) {
    const failure = toFailure(error, 'discover');
    return {
      jobs: [],
      items: [
        {
          source: `${repository}@*`,
          target: `${target.repository}@*`,
          status: 'failed',
          error: { ...failure, message: `listing untagged manifests failed: ${failure.message}` },
        },
      ],
    };
  }
  const jobs: TagJob[] = [];
  const items: TagResult[] = [];
  for (const digest of found.roots) {
    const job = jobFor({ repository, digest }, target);
    if (!includeSignatures && found.referrers.has(digest)) {
      items.push({
        source: job.sourceLabel,
        target: job.targetLabel,
        status: 'skipped',
        reason: 'signature or attestation (include-signatures: false)',
      });
    } else {
      jobs.push(job);
    }
  }
  return { jobs, items };
}

function namesSubject(bytes: Buffer): boolean {
  try {
    const subject = (JSON.parse(bytes.toString('utf8')) as { subject?: { digest?: unknown } }).subject;
    return typeof subject?.digest === 'string';
  } catch {
    return false;
  }
}
