// Decides, before anything is written to Harbor, what a tag is: skipped (Harbor has the same
// digest, or the manifest kind is unsupported), stale (every blob 404 on the source),
// incomplete (some 404), failed (a manifest that is not what its media type says, or too large
// for a registry to store, or a graph of manifests past harbor-sync's bounds), or to be copied.
// With verify: blobs, a tag Harbor has with the same digest is checked whole first (audit.ts).
import type { TagResult } from '../model/result.js';
import { formatPlatform, type Descriptor } from '../registry/media-types.js';
import { isDigest } from '../registry/reference.js';
import { blobsOf, type ManifestGraph, type ManifestNode } from '../transfer/manifest-graph.js';
import { auditTag, type RepairCheck } from './audit.js';
import { describeGraph, jobOwner, notOnSource, readSourceGraph } from './source-tag.js';
import type { RunContext } from './context.js';
import { inStep } from './failure.js';
import type { TagJob } from './jobs.js';

export { jobOwner };

export type Plan =
  | { kind: 'done'; result: TagResult }
  /** `repairs`: blobs missing on the source that come from the upstream instead. */
  | { kind: 'copy'; result: TagResult; manifest: ManifestNode; blobs: Descriptor[]; repairs: Set<string> };

/** What Harbor holds under the target reference now: one artifact listing per repository serves
 * all its tags; a digest reference, or an account that may not list, costs a manifest HEAD. */
async function harborDigestOf(job: TagJob, ctx: RunContext): Promise<string | undefined> {
  if (!(await ctx.projects.exists(job.target.project))) return undefined;
  if (!isDigest(job.targetReference)) {
    // A project this run created holds only what this run pushed, and no tag twice (one job per
    // target tag: collisions.ts): nothing to list.
    if (ctx.projects.wasCreated(job.target.project)) return undefined;
    const listing = await ctx.harborListing(job.target);
    if (listing) return listing.tags.get(job.targetReference);
  }
  return await ctx.transfer.harborManifest(job.target.repository, job.targetReference);
}

/** The cheap first look, a HEAD at most: done when Harbor already has the source's digest (or the
 * source lacks the tag); otherwise what Harbor holds now, for classifyTag. */
export type Check =
  /** `settled`: decided from Harbor alone (immutable-tags): nothing is asked of the source for
   * it, its signatures included. */
  | { kind: 'done'; result: TagResult; settled?: true }
  /** `graph`: the source's manifests, when the look read them already (verify: blobs). */
  | { kind: 'read'; result: TagResult; harborDigest: string | undefined; graph?: ManifestGraph }
  /** verify: blobs — Harbor lists the source's digest but lacks some of it. */
  | RepairCheck;

const IMMUTABLE_REASON = 'matches immutable-tags, already in Harbor';

export async function checkTag(job: TagJob, ctx: RunContext): Promise<Check> {
  const result: TagResult = { source: job.sourceLabel, target: job.targetLabel, status: 'failed' };
  // What Harbor holds decides whether a HEAD on the source is worth it: a tag Harbor has is
  // compared by digest (the cheap nightly path); a tag Harbor lacks is read whole right away.
  const harborDigest = await inStep('discover', () => harborDigestOf(job, ctx));
  // verify: blobs — what Harbor has is read on the source whole and checked whole in Harbor, a
  // tag the user says never moves included.
  if (harborDigest && ctx.config.verify === 'blobs') return await auditTag(job, ctx, result, harborDigest);
  // A tag the user says never moves, and that Harbor has: no request to the source at all.
  if (harborDigest && isImmutableTag(job, ctx)) {
    return {
      kind: 'done',
      settled: true,
      result: { ...result, status: 'skipped', digest: harborDigest, reason: IMMUTABLE_REASON },
    };
  }
  if (harborDigest) {
    const head = await inStep('discover', () => ctx.transfer.sourceManifest(job.sourceRepository, job.sourceReference));
    if (!head) return { kind: 'done', result: notOnSource(job, result) };
    result.digest = head.digest;
    if (harborDigest === head.digest) {
      return {
        kind: 'done',
        result: { ...result, status: 'skipped', reason: 'already in Harbor with the same digest' },
      };
    }
    result.previousDigest = harborDigest;
  }
  return { kind: 'read', result, harborDigest };
}

function isImmutableTag(job: TagJob, ctx: RunContext): boolean {
  const tag = job.sourceReference;
  return !isDigest(tag) && ctx.config.immutableTags.some((re) => re.test(tag));
}

/** Reads the tag whole (manifests, blob presence) after checkTag found Harbor without it. */
export async function classifyTag(
  job: TagJob,
  ctx: RunContext,
  check: Extract<Check, { kind: 'read' }>,
): Promise<Plan> {
  const { result, harborDigest } = check;

  const manifest = check.graph ?? (await readSourceGraph(job, ctx));
  if (!manifest) return { kind: 'done', result: notOnSource(job, result) };
  describeGraph(result, manifest);
  if (manifest.node.parsed.kind === 'index' && manifest.node.parsed.children.length === 0) {
    return {
      kind: 'done',
      result: {
        ...result,
        status: 'skipped',
        reason: `no child of the index matches platforms ${ctx.platforms?.map(formatPlatform).join(', ')}`,
      },
    };
  }
  if (manifest.node.digest === harborDigest) {
    return { kind: 'done', result: { ...result, status: 'skipped', reason: 'already in Harbor with the same digest' } };
  }
  const unsupported = unsupportedReason(manifest.node);
  if (unsupported) return { kind: 'done', result: { ...result, status: 'skipped', reason: unsupported } };
  if (manifest.node.parsed.kind === 'index') {
    result.platforms = manifest.node.parsed.children.map((c) => formatPlatform(c.platform));
  }

  const blobs = blobsOf(manifest.node);
  result.size = blobs.reduce((sum, b) => sum + Math.max(b.size, 0), 0);
  const missing = [...manifest.missingChildren];
  await inStep('discover', async () => {
    // Bound for an empty Harbor repository, a blob will be uploaded: its check can be the GET
    // that uploads it.
    const willUpload = ctx.transfer.holdsSourceReads && (await ctx.repositoryIsEmpty(job.target));
    const sizes = await ctx.transfer.sourceBlobSizes(jobOwner(job), job.sourceRepository, blobs, willUpload);
    for (const [i, b] of blobs.entries()) if (sizes[i] === undefined) missing.push(b.digest);
  });
  const referenced = blobs.length + manifest.missingChildren.length + manifest.repairedChildren.length;
  const sourceMissing = missing.length + manifest.repairedChildren.length;
  const upstream = ctx.transfer.upstreamHost;
  const repairs = await inStep('discover', () =>
    ctx.transfer.upstreamHas(
      job.sourceRepository,
      blobs.filter((b) => missing.includes(b.digest)),
    ),
  );
  const stillMissing = missing.filter((d) => !repairs.has(d));
  if (stillMissing.length > 0) {
    const status = sourceMissing === referenced ? 'stale' : 'incomplete';
    const upstreamToo = upstream ? `; ${stillMissing.length} of them missing on source and upstream` : '';
    const reason =
      status === 'stale'
        ? `all ${referenced} blobs answer 404 on the source (the manifest is there, its content is not)${upstreamToo}`
        : `${sourceMissing} of ${referenced} blobs answer 404 on the source${upstreamToo}`;
    return { kind: 'done', result: { ...result, status, missing: stillMissing, reason } };
  }
  if (repairs.size > 0 || manifest.repairedChildren.length > 0) {
    const bytes = blobs.filter((b) => repairs.has(b.digest)).reduce((n, b) => n + Math.max(b.size, 0), 0);
    result.repaired = {
      blobs: repairs.size,
      manifests: manifest.repairedChildren.length,
      bytes,
      from: upstream!,
    };
  }
  return { kind: 'copy', result, manifest: manifest.node, blobs, repairs };
}

/** Why a tag cannot be copied as it is, for any manifest of its graph (each looked at once). */
function unsupportedReason(node: ManifestNode, seen = new Set<string>()): string | undefined {
  const kind = node.parsed.kind;
  if (kind === 'schema1') {
    return 'Docker schema 1 manifest: deprecated, and Harbor 2.x cannot use it for scanning or signing; re-push the image with a current client (docker or skopeo) to convert it to schema 2';
  }
  if (kind === 'unsupported') return `unsupported manifest media type ${node.mediaType}`;
  for (const child of node.children) {
    if (seen.has(child.digest)) continue;
    seen.add(child.digest);
    const reason = unsupportedReason(child, seen);
    if (reason) return `index child ${child.digest}: ${reason}`;
  }
  return undefined;
}
