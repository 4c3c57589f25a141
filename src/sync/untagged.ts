// include-untagged (sources that list untagged manifests: a storage directory or tarball): the
// manifests a repository holds under `_manifests/revisions/` that no tag reaches are copied too, by
// digest, so `repo@sha256:…` still pulls from Harbor. They run as ordinary digest jobs (as a
// declared `repo@sha256:…` line would). A registry's API cannot list them: the configuration
// refuses the option for a kind of source without that trait (src/sources).
import { ConfigError } from '../errors/base.js';
import type { HarborTarget } from '../harbor/targets.js';
import type { TagResult } from '../model/result.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { formsWith } from '../sources/source-kinds.js';
import type { Transfer } from '../transfer/transfer.js';
import type { UntaggedRevisions } from '../transfer/untagged-revisions.js';
import { toFailure } from './failure.js';
import { jobFor, type TagJob } from './jobs.js';

/** A repository's revisions that no tag reaches (the transfer layer reads the manifests). */
export type UntaggedLister = (repository: string, tags: string[]) => Promise<UntaggedRevisions>;

/** The source's untagged revisions, when it can list them; a run configured around buildConfig's
 * check stops here. */
export function untaggedLister(source: RegistryClient, transfer: Transfer): UntaggedLister {
  if (source.capabilities.untaggedManifests && source.listRevisions)
    return (repository, tags) => transfer.untaggedRevisions(repository, tags);
  throw new ConfigError(
    `include-untagged: true needs a source that can list untagged manifests (${formsWith('untaggedManifests')}): ${source.host} cannot`,
  );
}

/** One repository's untagged revisions as digest jobs; a subject-bearing one is skipped like a
 * signature tag when include-signatures is false. Listing trouble is one failed `repo@*` item. */
export async function untaggedJobs(
  list: UntaggedLister,
  repository: string,
  target: HarborTarget,
  tags: string[],
  includeSignatures: boolean,
): Promise<{ jobs: TagJob[]; items: TagResult[] }> {
  let found: UntaggedRevisions;
  try {
    found = await list(repository, tags);
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
