// Copies one classified tag into Harbor: blobs first (each streamed registry-to-registry, mounted
// or skipped when Harbor already has it), then child manifests by digest, then the tag, then a
// check that Harbor's digest for the tag is the source's.
import { pipeline } from 'node:stream';
import type pLimit from 'p-limit';
import type { RegistryClient } from '../registry/client.js';
import { DigestMismatchError, DigestVerifier } from '../registry/digest.js';
import { isRegistryError } from '../registry/errors.js';
import { countRetry, isNetworkError, isRetryableStatus, retryDelay, sleep, type RetryPolicy } from '../registry/retry.js';
import type { Descriptor } from '../registry/media-types.js';
import type { HintContext } from '../harbor/hints.js';
import type { HarborTarget } from '../harbor/names.js';
import type { ManifestNode } from './classify.js';
import { StepError, inStep } from './failure.js';
import type { TagJob } from './jobs.js';
import type { OncePerKey } from './once.js';
import type { Prefetch } from './prefetch.js';
import type { TagResult } from './types.js';
import { upstreamCall, upstreamRepository, type Upstream } from './upstream.js';

export type BlobOutcome = 'uploaded' | 'mounted' | 'existing';

export interface CopyContext {
  source: RegistryClient;
  harbor: RegistryClient;
  /** Run-wide: one entry per Harbor repository and blob digest. */
  blobs: OncePerKey<BlobOutcome>;
  /** Run-wide: one push per Harbor repository, manifest digest and reference. */
  manifests: OncePerKey<string | undefined>;
  /** Run-wide: one upload per blob digest; the value is the Harbor repository it went to, which
   * every other repository then mounts from. */
  uploads: OncePerKey<string>;
  /** Bounds the number of blob transfers in flight across all tags. */
  transfers: ReturnType<typeof pLimit>;
  hintContext(project: string): HintContext;
  retry: RetryPolicy;
  /** True when the Harbor repository holds no artifact (or its project was created by this run):
   * it cannot hold a blob this run did not bring, so no HEAD is needed. */
  repositoryIsEmpty(target: HarborTarget): Promise<boolean>;
  /** Set when the run is being stopped: no new attempts. */
  signal?: AbortSignal;
  upstream?: Upstream;
  /** Told the size of each blob once it is in Harbor (progress). */
  onUploaded?(bytes: number): void;
  /** GETs classification opened for blobs about to be uploaded: an upload takes one if held. */
  prefetch?: Prefetch;
}

export async function copyTag(job: TagJob, manifest: ManifestNode, blobs: Descriptor[], result: TagResult, ctx: CopyContext, repairs = new Set<string>()): Promise<TagResult> {
  const hints = ctx.hintContext(job.target.project);
  const counts = { total: blobs.length, uploaded: 0, mounted: 0, existing: 0, bytesUploaded: 0 };
  await inStep(
    'blob',
    () =>
      Promise.all(
        blobs.map(async (blob) => {
          const { outcome, first } = await ensureBlob(job, blob, ctx, repairs.has(blob.digest));
          // A blob another tag of this run brought is "existing" for this tag: counted once.
          const counted = first ? outcome : 'existing';
          counts[counted] += 1;
          if (counted === 'uploaded') counts.bytesUploaded += blob.size;
        }),
      ),
    hints,
  );
  const stored = await inStep('manifest', () => pushManifestTree(job, manifest, ctx, true), hints);
  // Harbor's answer to the PUT names the digest it stored; only when it says nothing, ask again.
  const harborDigest = stored ?? (await inStep('verify', () => ctx.harbor.headManifest(job.target.repository, job.targetReference), hints))?.digest;
  if (harborDigest !== manifest.digest) {
    throw new StepError({
      step: 'verify',
      message: `Harbor answers ${harborDigest ?? 'nothing'} for ${job.targetLabel}, expected the source digest ${manifest.digest}`,
    });
  }
  return { ...result, status: 'migrated', blobs: counts };
}

async function ensureBlob(job: TagJob, blob: Descriptor, ctx: CopyContext, fromUpstream: boolean): Promise<{ outcome: BlobOutcome; first: boolean }> {
  const repository = job.target.repository;
  const { promise, first } = ctx.blobs.run(`${repository}@${blob.digest}`, () => bringBlob(job, blob, ctx, fromUpstream));
  return { outcome: await promise, first };
}

/** Gets one blob into one Harbor repository: already there, mounted from the repository this run
 * uploaded it to (waiting for that upload if it is in flight), or uploaded by us. The transfer
 * limit is held per request, never while waiting for another tag's upload. */
async function bringBlob(job: TagJob, blob: Descriptor, ctx: CopyContext, fromUpstream: boolean): Promise<BlobOutcome> {
  const repository = job.target.repository;
  const fresh = await ctx.repositoryIsEmpty(job.target);
  if (!fresh && (await ctx.transfers(() => ctx.harbor.headBlob(repository, blob.digest))) !== undefined) return 'existing';
  const upload = ctx.uploads.run(blob.digest, () => ctx.transfers(() => uploadBlob(job, blob, ctx, fromUpstream)).then(() => repository));
  const home = await upload.promise;
  if (upload.first || home === repository) return 'uploaded';
  return await ctx.transfers(async () => {
    const start = await ctx.harbor.startUpload(repository, { digest: blob.digest, repository: home });
    if (start.mounted) return 'mounted';
    // The registry declined the mount (202): it opened an upload session instead; use it.
    await uploadBlob(job, blob, ctx, fromUpstream, start.location);
    return 'uploaded';
  });
}

/** Streams the blob from the source into a Harbor upload. A failed attempt is started over from
 * the first byte in a new upload session (the registry never commits a partial or corrupt blob);
 * a digest mismatch is retried once, since the source will likely send the same bytes again. */
async function uploadBlob(job: TagJob, blob: Descriptor, ctx: CopyContext, fromUpstream: boolean, opened?: URL): Promise<void> {
  let location = opened;
  let mismatches = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      if (!location) {
        const start = await ctx.harbor.startUpload(job.target.repository);
        if (start.mounted) return;
        location = start.location;
      }
      await streamBlob(job, blob, location, ctx, fromUpstream);
      ctx.onUploaded?.(Math.max(blob.size, 0));
      return;
    } catch (error) {
      location = undefined;
      const mismatch = error instanceof DigestMismatchError;
      if (mismatch && ++mismatches > 1) throw error;
      if (!mismatch && (!worthRetrying(error) || attempt > ctx.retry.retries)) throw error;
      if (ctx.signal?.aborted) throw error;
      countRetry();
      await sleep(retryDelay(attempt, undefined, ctx.retry), ctx.signal);
    }
  }
}

/** From the source, or for a repaired blob from the upstream (verified the same way). */
async function streamBlob(job: TagJob, blob: Descriptor, location: URL, ctx: CopyContext, fromUpstream: boolean): Promise<void> {
  // A held GET may come from another source repository than this tag's: same digest, same bytes
  // (and verified below like any other).
  const held = fromUpstream ? undefined : await ctx.prefetch?.take(blob.digest);
  const { body, size } =
    held ??
    (fromUpstream && ctx.upstream
      ? await upstreamCall(ctx.upstream, (c) => c.getBlob(upstreamRepository(job.sourceRepository, c.host), blob.digest))
      : await ctx.source.getBlob(job.sourceRepository, blob.digest));
  // The descriptor's size is what the manifest promises Harbor; a source that holds another size
  // holds other bytes (for a storage source, another data file): refused before a byte is sent.
  if (size !== undefined && blob.size >= 0 && size !== blob.size) {
    body.destroy();
    throw new BlobSizeMismatchError(blob.digest, blob.size, size);
  }
  const length = blob.size >= 0 ? blob.size : size;
  if (length === undefined) {
    body.destroy();
    throw new Error(`blob ${blob.digest} has no size in the manifest and none from the source`);
  }
  // Hash while streaming: a corrupt blob fails before the registry commits it.
  const verifier = new DigestVerifier(blob.digest);
  const verified = pipeline(body, verifier, () => undefined);
  try {
    await ctx.harbor.finishUpload(location, blob.digest, length, verified);
  } catch (error) {
    throw verifier.mismatch ?? error;
  }
}

/** Not retried: the source would answer the same size again. */
export class BlobSizeMismatchError extends Error {
  override readonly name = 'BlobSizeMismatchError';
  /** distribution's code for a length that does not match the content. */
  readonly code = 'SIZE_INVALID';
  constructor(digest: string, expected: number, actual: number) {
    super(`blob ${digest}: the source holds ${actual} bytes, but the manifest's descriptor says ${expected}; nothing was uploaded`);
  }
}

function worthRetrying(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  // 401 mid-upload: the token expired while the body streamed; the next attempt gets a fresh one.
  return isRegistryError(error) && error.status !== undefined && (isRetryableStatus(error.status) || error.status === 401);
}

/** Children by digest before their index; the top manifest under the tag the user asked for.
 * Returns the digest Harbor says it stored for the top one. */
async function pushManifestTree(job: TagJob, node: ManifestNode, ctx: CopyContext, top: boolean): Promise<string | undefined> {
  for (const child of node.children) await pushManifestTree(job, child, ctx, false);
  const reference = top ? job.targetReference : node.digest;
  const repository = job.target.repository;
  return await ctx.manifests.run(`${repository}@${node.digest}:${reference}`, () =>
    ctx.harbor.putManifest(repository, reference, node.bytes, node.mediaType),
  ).promise;
}
