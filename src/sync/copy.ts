// Copies one classified tag into Harbor through the transfer layer (its blobs, its manifests, then
// the tag, checked), each step's trouble placed at that step and explained as Harbor's answer.
import type { TagResult } from '../model/result.js';
import type { Descriptor } from '../registry/media-types.js';
import type { ManifestNode } from '../transfer/manifest-graph.js';
import type { StepRunner } from '../transfer/transfer.js';
import { writeTarget } from './source-tag.js';
import type { RunContext } from './context.js';
import { inStep } from './failure.js';
import type { TagJob } from './jobs.js';

export async function copyTag(
  job: TagJob,
  manifest: ManifestNode,
  blobs: Descriptor[],
  result: TagResult,
  ctx: RunContext,
  fromUpstream: ReadonlySet<string> = new Set(),
): Promise<TagResult> {
  const hints = ctx.hintContext(job.target.project);
  const step: StepRunner = (name, work) => inStep(name, work, hints);
  const counts = await ctx.transfer.write(
    {
      ...writeTarget(job),
      top: manifest,
      blobs,
      fromUpstream,
      targetEmpty: await ctx.repositoryIsEmpty(job.target),
    },
    step,
  );
  return { ...result, status: 'migrated', blobs: counts };
}
