// One tag, start to end: the cheap look (is it in Harbor already? with verify: blobs, whole?), then
// reading it whole and classifying it, then the dry run's plan or the copy (or the repair). Each stage runs under its own limit, so a
// run where nothing changed is bound by the registries' answers, not by the copy slots.
import type { LimitFunction } from 'p-limit';
import type { TagResult } from '../model/result.js';
import type { Descriptor } from '../registry/media-types.js';
import { formatBytes } from '../units.js';
import { checkTag, classifyTag, jobOwner } from './classify.js';
import type { RunContext } from './context.js';
import { copyTag } from './copy.js';
import { repairTag } from './repair.js';
import { toFailure } from './failure.js';
import type { TagJob } from './jobs.js';

export interface TagLimits {
  /** Tag lists, the first look at a tag, and reading it whole (manifests, blob presence). */
  looks: LimitFunction;
  /** Copying (or repairing) a tag. */
  tags: LimitFunction;
}

/** What the pipeline tells its caller besides the result. */
export interface TagRun {
  /** When the tag started (after waiting for a slot). */
  started: number;
  /** Decided from Harbor alone (immutable-tags): its signatures are not looked up either. */
  settled: boolean;
}

/** The tag's result; undefined when the run was stopped before the tag started. */
export async function syncTag(
  job: TagJob,
  ctx: RunContext,
  limits: TagLimits,
  clock: TagRun,
): Promise<TagResult | undefined> {
  const stopped = (): boolean => ctx.signals.stop?.aborted === true;
  let partial: TagResult = { source: job.sourceLabel, target: job.targetLabel, status: 'failed' };
  try {
    // Looking (what Harbor holds, the source's manifests, which blobs are there) is requests that
    // wait on the registries, not on copy slots: it runs as wide as the cheap look, so the copy
    // slots are never idle while a tag is being read.
    const next = await limits.looks(async () => {
      clock.started = Date.now();
      if (stopped()) return undefined;
      // A project Harbor refuses every push into fails its tags here, without a request each.
      const refusal = await ctx.projects.refusal(job.target.project);
      if (refusal) throw refusal;
      const check = await checkTag(job, ctx);
      if (check.kind === 'done') {
        clock.settled = check.settled === true;
        return check;
      }
      partial = check.result;
      if (check.kind === 'repair') return check;
      const plan = await classifyTag(job, ctx, check);
      partial = plan.result;
      return plan;
    });
    if (!next) return undefined;
    if (next.kind === 'done') return next.result;
    return await limits.tags(async () => {
      if (stopped()) return undefined;
      if (next.kind === 'repair') return await repairTag(job, ctx, next);
      if (ctx.config.dryRun) return await planCopy(job, ctx, next.result, next.blobs);
      await ctx.projects.ensure(job.target.project);
      return await copyTag(job, next.manifest, next.blobs, next.result, ctx, next.repairs);
    });
  } catch (error) {
    return { ...partial, status: 'failed', error: toFailure(error, 'discover') };
  } finally {
    ctx.transfer.release(jobOwner(job));
  }
}

/** A dry run: what the copy would upload, and the project it would create. */
async function planCopy(job: TagJob, ctx: RunContext, result: TagResult, blobs: Descriptor[]): Promise<TagResult> {
  const projectExists = await ctx.projects.exists(job.target.project);
  const bytes = await ctx.transfer.plannedUpload(job.target.repository, blobs, projectExists);
  const repair = result.repaired
    ? `, repairing ${result.repaired.blobs} blobs (${formatBytes(result.repaired.bytes)}) from upstream ${result.repaired.from}`
    : '';
  return {
    ...result,
    status: 'migrated',
    reason: `would upload up to ${formatBytes(bytes)}${repair}${projectExists ? '' : ` and create project ${job.target.project}`}`,
  };
}
