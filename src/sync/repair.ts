// verify: blobs — a broken tag (Harbor lists the source's digest but lacks some of it): in a dry
// run, what the repair would upload; in a sync, what Harbor lacks pushed again through the
// transfer layer (mounted from another Harbor repository that holds it, else uploaded from the
// source or the upstream, digest-checked), each step's trouble placed at that step.
import type { TagResult } from '../model/result.js';
import { formatBytes } from '../units.js';
import type { StepRunner } from '../transfer/transfer.js';
import { lackedWords, type RepairCheck } from './audit.js';
import type { RunContext } from './context.js';
import { inStep } from './failure.js';
import type { TagJob } from './jobs.js';
import { writeTarget } from './source-tag.js';

export async function repairTag(job: TagJob, ctx: RunContext, check: RepairCheck): Promise<TagResult> {
  const { result, graph, gaps, fromUpstream } = check;
  const lacked = lackedWords(gaps);
  const from = fromUpstream.size > 0 ? `the source and upstream ${ctx.transfer.upstreamHost}` : 'the source';
  if (ctx.config.dryRun) {
    const bytes = ctx.transfer.plannedRepair(gaps.blobs);
    const upload = gaps.blobs.length > 0 ? `, uploading up to ${formatBytes(bytes)}` : '';
    return { ...result, status: 'broken', reason: `Harbor lacks ${lacked}: would repair from ${from}${upload}` };
  }
  await ctx.projects.ensure(job.target.project);
  const hints = ctx.hintContext(job.target.project);
  const step: StepRunner = (name, work) => inStep(name, work, hints);
  const counts = await ctx.transfer.repair(
    {
      ...writeTarget(job),
      top: graph.node,
      blobs: gaps.blobs,
      fromUpstream,
      targetEmpty: await ctx.repositoryIsEmpty(job.target),
    },
    gaps,
    step,
  );
  return { ...result, status: 'broken', blobs: counts, reason: `Harbor lacked ${lacked}; repaired from ${from}` };
}
