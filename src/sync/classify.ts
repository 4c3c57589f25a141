// Decides, before anything is written to Harbor, what a tag is: skipped (Harbor has the same
// digest, or the manifest kind is unsupported), stale (every blob 404 on the source),
// incomplete (some 404), failed (a manifest that is not what its media type says, or too large
// for a registry to store), or to be copied.
import { HarborSyncError } from '../errors/base.js';
import type { ErrorCode } from '../errors/codes.js';
import { isNotFound } from '../errors/registry.js';
import type { TagResult } from '../model/result.js';
import { MANIFEST_PUSH_LIMIT } from '../registry/limits.js';
import {
  formatPlatform,
  isForeignLayer,
  parseManifest,
  type Descriptor,
  type ParsedManifest,
} from '../registry/media-types.js';
import { isDigest } from '../registry/reference.js';
import type { BlobResponse, RegistryClient } from '../registry/registry-client.js';
import type { RunContext } from './context.js';
import { failure, inStep } from './failure.js';
import type { TagJob } from './jobs.js';
import { filterIndex, type PlatformFilter } from './platforms.js';
import { findUpstream, upstreamCall, upstreamRepository, type Upstream } from './upstream.js';

/** A manifest with the exact bytes to push back, and its children for an index. */
export interface ManifestNode {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  parsed: ParsedManifest;
  children: ManifestNode[];
}

export type Plan =
  | { kind: 'done'; result: TagResult }
  /** `repairs`: blobs missing on the source that come from the upstream instead. */
  | { kind: 'copy'; result: TagResult; manifest: ManifestNode; blobs: Descriptor[]; repairs: Set<string> };

/** What Harbor holds under the target reference now: one artifact listing per repository serves
 * all its tags; a digest reference, or an account that may not list, costs a manifest HEAD. */
async function harborDigestOf(job: TagJob, ctx: RunContext): Promise<string | undefined> {
  if (!(await ctx.projects.exists(job.target.project))) return undefined;
  if (!isDigest(job.targetReference)) {
    const listing = await ctx.harborListing(job.target);
    if (listing) return listing.tags.get(job.targetReference);
  }
  return (await ctx.harbor.headManifest(job.target.repository, job.targetReference))?.digest;
}

/** The cheap first look, a HEAD at most: done when Harbor already has the source's digest (or the
 * source lacks the tag); otherwise what Harbor holds now, for classifyTag. */
export type Check =
  /** `settled`: decided from Harbor alone (immutable-tags): nothing is asked of the source for
   * it, its signatures included. */
  | { kind: 'done'; result: TagResult; settled?: true }
  | { kind: 'read'; result: TagResult; harborDigest: string | undefined };

export const IMMUTABLE_REASON = 'matches immutable-tags, already in Harbor';

export async function checkTag(job: TagJob, ctx: RunContext): Promise<Check> {
  const result: TagResult = { source: job.sourceLabel, target: job.targetLabel, status: 'failed' };
  // What Harbor holds decides whether a HEAD on the source is worth it: a tag Harbor has is
  // compared by digest (the cheap nightly path); a tag Harbor lacks is read whole right away.
  const harborDigest = await inStep('discover', () => harborDigestOf(job, ctx));
  // A tag the user says never moves, and that Harbor has: no request to the source at all.
  if (harborDigest && isImmutableTag(job, ctx)) {
    return {
      kind: 'done',
      settled: true,
      result: { ...result, status: 'skipped', digest: harborDigest, reason: IMMUTABLE_REASON },
    };
  }
  if (harborDigest) {
    const head = await inStep('discover', () => ctx.source.headManifest(job.sourceRepository, job.sourceReference));
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

  const manifest = await inStep('discover', () =>
    readManifestTree(ctx, job.sourceRepository, job.sourceReference, ctx.platforms),
  ).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!manifest) return { kind: 'done', result: notOnSource(job, result) };
  result.digest = manifest.node.digest;
  result.mediaType = manifest.node.mediaType;
  if (manifest.sourceDigest) result.sourceDigest = manifest.sourceDigest;
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

  const blobs = uniqueBlobs(manifest.node);
  result.size = blobs.reduce((sum, b) => sum + Math.max(b.size, 0), 0);
  const missing = [...manifest.missingChildren];
  await inStep('discover', async () => {
    const empty = ctx.prefetch !== undefined && (await ctx.repositoryIsEmpty(job.target));
    const sizes = await Promise.all(blobs.map((b) => sourceBlobSize(ctx, job, b.digest, empty)));
    for (const [i, b] of blobs.entries()) if (sizes[i] === undefined) missing.push(b.digest);
  });
  const referenced = blobs.length + manifest.missingChildren.length + manifest.repairedChildren.length;
  const sourceMissing = missing.length + manifest.repairedChildren.length;
  const repairs =
    ctx.upstream && missing.length > 0
      ? await inStep('discover', () =>
          findUpstream(
            ctx.upstream!,
            job.sourceRepository,
            blobs.filter((b) => missing.includes(b.digest)),
          ),
        )
      : new Set<string>();
  const stillMissing = missing.filter((d) => !repairs.has(d));
  if (stillMissing.length > 0) {
    const status = sourceMissing === referenced ? 'stale' : 'incomplete';
    const upstreamToo = ctx.upstream ? `; ${stillMissing.length} of them missing on source and upstream` : '';
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
      from: ctx.upstream!.client.host,
    };
  }
  return { kind: 'copy', result, manifest: manifest.node, blobs, repairs };
}

function notOnSource(job: TagJob, result: TagResult): TagResult {
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

/** Reads a manifest and, for an index, its children (by digest). A child that answers 404 is
 * noted as missing content rather than failing the tag, so the tag can be classified. With a
 * platform filter, the top index is rewritten to hold only the matching children. */
async function readManifestTree(
  ctx: { source: RegistryClient; upstream: Upstream | undefined },
  repository: string,
  reference: string,
  platforms?: PlatformFilter[],
  fromUpstream = false,
): Promise<{ node: ManifestNode; missingChildren: string[]; repairedChildren: string[]; sourceDigest?: string }> {
  const upstreamRepo = ctx.upstream ? upstreamRepository(repository, ctx.upstream.client.host) : repository;
  const res = fromUpstream
    ? await upstreamCall(ctx.upstream!, (c) => c.getManifest(upstreamRepo, reference))
    : await ctx.source.getManifest(repository, reference);
  const label = isDigest(reference) ? `${repository}@${reference}` : `${repository}:${reference}`;
  let parsed = parseManifest(res.bytes, res.mediaType);
  if (parsed.kind === 'invalid') throw manifestFailure('MANIFEST_INVALID', `manifest of ${label} ${parsed.problem}`);
  let bytes = res.bytes;
  let digest = res.digest;
  let sourceDigest: string | undefined;
  const filtered =
    platforms && parsed.kind === 'index' ? filterIndex(res.bytes, parsed.mediaType, platforms) : undefined;
  if (filtered) {
    ({ bytes, digest } = filtered);
    sourceDigest = res.digest;
    parsed = parseManifest(bytes, parsed.mediaType);
  }
  // Known now, not after its blobs went up: the registry would refuse the manifest at the end.
  if (bytes.length > MANIFEST_PUSH_LIMIT) {
    throw manifestFailure(
      'MANIFEST_TOO_LARGE',
      `manifest of ${label} is ${bytes.length} bytes, more than the ${MANIFEST_PUSH_LIMIT} bytes (${MANIFEST_PUSH_LIMIT / 1024 / 1024} MiB) a registry stores`,
    );
  }
  const node: ManifestNode = { digest, mediaType: parsed.mediaType, bytes, parsed, children: [] };
  const missingChildren: string[] = [];
  const repairedChildren: string[] = [];
  // Children read side by side, kept in the index's order. A child is fetched outright (a HEAD
  // first would be one more request for every child that is there, the common case); one that
  // answers 404 comes from the upstream by digest (verified), if it is there.
  const subs = await Promise.all(
    parsed.children.map(async (child) => {
      if (fromUpstream) return { sub: await readManifestTree(ctx, repository, child.digest, undefined, true) };
      try {
        return { sub: await readManifestTree(ctx, repository, child.digest) };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      const there = ctx.upstream
        ? await upstreamCall(ctx.upstream, (c) => c.headManifest(upstreamRepo, child.digest)).catch(() => undefined)
        : undefined;
      if (!there) return { missing: child.digest };
      return { sub: await readManifestTree(ctx, repository, child.digest, undefined, true), repaired: child.digest };
    }),
  );
  for (const { sub, missing, repaired } of subs) {
    if (missing) missingChildren.push(missing);
    if (repaired) repairedChildren.push(repaired);
    if (!sub) continue;
    node.children.push(sub.node);
    missingChildren.push(...sub.missingChildren);
    repairedChildren.push(...sub.repairedChildren);
  }
  return { node, missingChildren, repairedChildren, ...(sourceDigest && { sourceDigest }) };
}

function manifestFailure(code: ErrorCode, message: string): HarborSyncError {
  return new HarborSyncError({ step: 'manifest', code, message });
}

function unsupportedReason(node: ManifestNode): string | undefined {
  const kind = node.parsed.kind;
  if (kind === 'schema1') {
    return 'Docker schema 1 manifest: deprecated, and Harbor 2.x cannot use it for scanning or signing; re-push the image with a current client (docker or skopeo) to convert it to schema 2';
  }
  if (kind === 'unsupported') return `unsupported manifest media type ${node.mediaType}`;
  for (const child of node.children) {
    const reason = unsupportedReason(child);
    if (reason) return `index child ${child.digest}: ${reason}`;
  }
  return undefined;
}

/** Every distributable blob the tag references, each once (children share base layers). */
export function uniqueBlobs(node: ManifestNode): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  const visit = (n: ManifestNode): void => {
    for (const blob of n.parsed.blobs) if (!isForeignLayer(blob) && !seen.has(blob.digest)) seen.set(blob.digest, blob);
    n.children.forEach(visit);
  };
  visit(node);
  return [...seen.values()];
}

/** Is the blob on the source (its size), checked once per source repository in the run. Bound for
 * an empty Harbor repository and not yet on its way to Harbor, the blob will be uploaded: then the
 * check is the GET that uploads it, held open until the upload takes it. */
function sourceBlobSize(
  ctx: RunContext,
  job: TagJob,
  digest: string,
  targetEmpty: boolean,
): Promise<number | undefined> {
  const repository = job.sourceRepository;
  return ctx.sourceBlobs.run(repository, digest, () =>
    targetEmpty && ctx.prefetch?.wants(digest)
      ? ctx.prefetch.open(jobOwner(job), digest, () => getBlobOrNothing(ctx.source, repository, digest))
      : ctx.source.headBlob(repository, digest),
  ).promise;
}

async function getBlobOrNothing(
  source: RegistryClient,
  repository: string,
  digest: string,
): Promise<BlobResponse | undefined> {
  try {
    return await source.getBlob(repository, digest);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Who opened a prefetched GET: the tag job, which releases what no upload took. */
export function jobOwner(job: TagJob): string {
  return `${job.sourceLabel} → ${job.targetLabel}`;
}
