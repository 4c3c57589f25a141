// A tag as the source has it, for the look and the classification alike: its manifests read once,
// what the result says of them, and the failure of a tag the source no longer has.
import { isNotFound } from '../errors/registry.js';
import type { TagResult } from '../model/result.js';
import type { ManifestGraph } from '../transfer/manifest-graph.js';
import type { Write } from '../transfer/transfer.js';
import type { RunContext } from './context.js';
import { failure, inStep } from './failure.js';
import type { TagJob } from './jobs.js';

/** The tag's manifests on the source (children by digest), or undefined when it is not there. */
export async function readSourceGraph(job: TagJob, ctx: RunContext): Promise<ManifestGraph | undefined> {
  return await inStep('discover', () =>
    ctx.transfer.readGraph(job.sourceRepository, job.sourceReference, ctx.platforms),
  ).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
}

/** What the result says of the manifest read. */
export function describeGraph(result: TagResult, graph: ManifestGraph): void {
  result.digest = graph.node.digest;
  result.mediaType = graph.node.mediaType;
  if (graph.sourceDigest) result.sourceDigest = graph.sourceDigest;
}

export function notOnSource(job: TagJob, result: TagResult): TagResult {
  return {
    ...result,
    status: 'failed',
    error: {
      ...failure('discover', 'NOT_FOUND', `${job.sourceLabel} not found on the source`),
      status: 404,
      code: 'MANIFEST_UNKNOWN',
    },
  };
}

/** Who opened a prefetched GET: the tag job, which releases what no upload took. */
export function jobOwner(job: TagJob): string {
  return `${job.sourceLabel} → ${job.targetLabel}`;
}

/** Where a write of the tag goes in the transfer layer, whatever it holds (a copy or a repair). */
export function writeTarget(
  job: TagJob,
): Pick<Write, 'owner' | 'sourceRepository' | 'targetRepository' | 'reference' | 'label'> {
  return {
    owner: jobOwner(job),
    sourceRepository: job.sourceRepository,
    targetRepository: job.target.repository,
    reference: job.targetReference,
    label: job.targetLabel,
  };
}
