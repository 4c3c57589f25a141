// Copies one classified tag into Harbor: blobs first (each streamed registry-to-registry, mounted
// or skipped when Harbor already has it), then child manifests by digest, then the tag, then a
// check that Harbor's digest for the tag is the source's.
import { pipeline } from 'node:stream';
import { HarborSyncError } from '../errors/base.js';
import { isRegistryError } from '../errors/registry.js';
import type { TagResult } from '../model/result.js';
import { DigestMismatchError, DigestVerifier } from '../registry/digest.js';
import type { Descriptor } from '../registry/media-types.js';
import { isNetworkError, isRetryableStatus, retrying } from '../registry/retry.js';
import type { ManifestNode } from './classify.js';
import type { BlobOutcome, RunContext } from './context.js';
import { inStep } from './failure.js';
import type { TagJob } from './jobs.js';
import { upstreamCall, upstreamRepository } from './upstream.js';

export async function copyTag(
  job: TagJob,
  manifest: ManifestNode,
  blobs: Descriptor[],
  result: TagResult,
  ctx: RunContext,
  repairs = new Set<string>(),
): Promise<TagResult> {
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
  const harborDigest =
    stored ??
    (await inStep('verify', () => ctx.harbor.headManifest(job.target.repository, job.targetReference), hints))?.digest;
  if (harborDigest !== manifest.digest) {
    throw new HarborSyncError({
      code: 'VERIFY_MISMATCH',
      step: 'verify',
      message: `Harbor answers ${harborDigest ?? 'nothing'} for ${job.targetLabel}, expected the source digest ${manifest.digest}`,
    });
  }
  return { ...result, status: 'migrated', blobs: counts };
}

async function ensureBlob(
  job: TagJob,
  blob: Descriptor,
  ctx: RunContext,
  fromUpstream: boolean,
): Promise<{ outcome: BlobOutcome; first: boolean }> {
  const repository = job.target.repository;
  const { promise, first } = ctx.blobs.run(repository, blob.digest, () => bringBlob(job, blob, ctx, fromUpstream));
  return { outcome: await promise, first };
}

/** Gets one blob into one Harbor repository: already there, mounted from the repository this run
 * uploaded it to (waiting for that upload if it is in flight), or uploaded by us. The transfer
 * limit is held per request, never while waiting for another tag's upload. */
async function bringBlob(job: TagJob, blob: Descriptor, ctx: RunContext, fromUpstream: boolean): Promise<BlobOutcome> {
  const repository = job.target.repository;
  const fresh = await ctx.repositoryIsEmpty(job.target);
  if (!fresh && (await ctx.transfers(() => ctx.harbor.headBlob(repository, blob.digest))) !== undefined)
    return 'existing';
  const upload = ctx.uploads.run(blob.digest, () =>
    ctx.transfers(() => uploadBlob(job, blob, ctx, fromUpstream)).then(() => repository),
  );
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
 * content that does not match its digest is tried once more, since a byte flipped in transit is
 * gone the next time, and that attempt hashes what it streams, so that a source whose copy is
 * damaged is reported with the digest its bytes really have. */
async function uploadBlob(
  job: TagJob,
  blob: Descriptor,
  ctx: RunContext,
  fromUpstream: boolean,
  opened?: URL,
): Promise<void> {
  let session = opened;
  let mismatches = 0;
  await retrying(
    async () => {
      const start = session ? undefined : await ctx.harbor.startUpload(job.target.repository);
      const location = session ?? (start?.mounted === false ? start.location : undefined);
      session = undefined; // a session is used once: a retry opens a new one
      if (!location) return; // the registry already has it
      await streamBlob(job, blob, location, ctx, fromUpstream, mismatches > 0);
      ctx.uploaded(Math.max(blob.size, 0));
    },
    {
      policy: ctx.retry,
      signal: ctx.signals.abandon,
      shouldRetry: (error, attempt) =>
        isDigestMismatch(error) ? ++mismatches <= 1 : attempt <= ctx.retry.retries && worthRetrying(error),
    },
  );
}

/** From the source, or for a repaired blob from the upstream. Harbor's registry hashes every upload
 * and refuses to commit one whose bytes do not match `?digest=` (400 DIGEST_INVALID, docs/harbor.md
 * §9), so the bytes are hashed here only when `verify` asks: hashing a 2 GiB layer a second time
 * costs a CPU-second per GiB that the copy itself needs (docs/performance.md). */
async function streamBlob(
  job: TagJob,
  blob: Descriptor,
  location: URL,
  ctx: RunContext,
  fromUpstream: boolean,
  verify: boolean,
): Promise<void> {
  // A held GET may come from another source repository than this tag's: same digest, same bytes
  // (and checked on commit like any other).
  const held = fromUpstream ? undefined : await ctx.prefetch?.take(blob.digest);
  const { body, size } =
    held ??
    (fromUpstream && ctx.upstream
      ? await upstreamCall(ctx.upstream, (c) =>
          c.getBlob(upstreamRepository(job.sourceRepository, c.host), blob.digest),
        )
      : await ctx.source.getBlob(job.sourceRepository, blob.digest));
  // The descriptor's size is what the manifest promises Harbor; a source that holds another size
  // holds other bytes (for a storage source, another data file): refused before a byte is sent.
  if (size !== undefined && blob.size >= 0 && size !== blob.size) {
    body.destroy();
    throw sizeMismatch(blob.digest, blob.size, size);
  }
  const length = blob.size >= 0 ? blob.size : size;
  if (length === undefined) {
    body.destroy();
    throw new HarborSyncError({
      code: 'SIZE_MISMATCH',
      message: `blob ${blob.digest} has no size in the manifest and none from the source`,
    });
  }
  if (!verify) return await ctx.harbor.finishUpload(location, blob.digest, length, body);
  const verifier = new DigestVerifier(blob.digest);
  const verified = pipeline(body, verifier, () => undefined);
  try {
    await ctx.harbor.finishUpload(location, blob.digest, length, verified);
  } catch (error) {
    throw verifier.mismatch ?? error;
  }
}

/** Not retried: the source would answer the same size again. */
function sizeMismatch(digest: string, expected: number, actual: number): HarborSyncError {
  return new HarborSyncError({
    code: 'SIZE_MISMATCH',
    message: `blob ${digest}: the source holds ${actual} bytes, but the manifest's descriptor says ${expected}; nothing was uploaded`,
  });
}

/** Ours (the attempt that hashed) or the registry's 400 DIGEST_INVALID on commit. */
function isDigestMismatch(error: unknown): boolean {
  return error instanceof DigestMismatchError || (isRegistryError(error) && error.code === 'DIGEST_MISMATCH');
}

function worthRetrying(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  // 401 mid-upload: the token expired while the body streamed; the next attempt gets a fresh one.
  return (
    isRegistryError(error) && error.status !== undefined && (isRetryableStatus(error.status) || error.status === 401)
  );
}

/** Children by digest before their index; the top manifest under the tag the user asked for.
 * Returns the digest Harbor says it stored for the top one. */
async function pushManifestTree(
  job: TagJob,
  node: ManifestNode,
  ctx: RunContext,
  top: boolean,
): Promise<string | undefined> {
  for (const child of node.children) await pushManifestTree(job, child, ctx, false);
  const reference = top ? job.targetReference : node.digest;
  const repository = job.target.repository;
  return await ctx.manifests.run(repository, `${node.digest}:${reference}`, () =>
    ctx.harbor.putManifest(repository, reference, node.bytes, node.mediaType),
  ).promise;
}
