// Copies one classified tag into Harbor: blobs first (each streamed registry-to-registry, mounted
// or skipped when Harbor already has it), then child manifests by digest, then the tag, then a
// check that Harbor's digest for the tag is the source's.
import { pipeline } from 'node:stream';
import type pLimit from 'p-limit';
import type { RegistryClient } from '../registry/client.js';
import { DigestVerifier } from '../registry/digest.js';
import type { Descriptor } from '../registry/media-types.js';
import type { HintContext } from '../harbor/hints.js';
import type { ManifestNode } from './classify.js';
import { StepError, inStep } from './failure.js';
import type { TagJob } from './jobs.js';
import type { OncePerKey } from './once.js';
import type { TagResult } from './types.js';

export type BlobOutcome = 'uploaded' | 'mounted' | 'existing';

export interface CopyContext {
  source: RegistryClient;
  harbor: RegistryClient;
  /** Run-wide: one entry per Harbor repository and blob digest. */
  blobs: OncePerKey<BlobOutcome>;
  /** Run-wide: one push per Harbor repository and manifest digest. */
  manifests: OncePerKey<string>;
  /** Run-wide: one upload per blob digest; the value is the Harbor repository it went to, which
   * every other repository then mounts from. */
  uploads: OncePerKey<string>;
  /** Bounds the number of blob transfers in flight across all tags. */
  transfers: ReturnType<typeof pLimit>;
  hintContext(project: string): HintContext;
}

export async function copyTag(job: TagJob, manifest: ManifestNode, blobs: Descriptor[], result: TagResult, ctx: CopyContext): Promise<TagResult> {
  const hints = ctx.hintContext(job.target.project);
  const counts = { total: blobs.length, uploaded: 0, mounted: 0, existing: 0, bytesUploaded: 0 };
  await inStep(
    'blob',
    () =>
      Promise.all(
        blobs.map(async (blob) => {
          const { outcome, first } = await ensureBlob(job, blob, ctx);
          // A blob another tag of this run brought is "existing" for this tag: counted once.
          const counted = first ? outcome : 'existing';
          counts[counted] += 1;
          if (counted === 'uploaded') counts.bytesUploaded += blob.size;
        }),
      ),
    hints,
  );
  await inStep('manifest', () => pushManifestTree(job, manifest, ctx, true), hints);
  const after = await inStep('verify', () => ctx.harbor.headManifest(job.target.repository, job.targetReference), hints);
  if (after?.digest !== manifest.digest) {
    throw new StepError({
      step: 'verify',
      message: `Harbor answers ${after?.digest ?? 'nothing'} for ${job.targetLabel}, expected the source digest ${manifest.digest}`,
    });
  }
  return { ...result, status: 'migrated', blobs: counts };
}

async function ensureBlob(job: TagJob, blob: Descriptor, ctx: CopyContext): Promise<{ outcome: BlobOutcome; first: boolean }> {
  const repository = job.target.repository;
  const { promise, first } = ctx.blobs.run(`${repository}@${blob.digest}`, () => bringBlob(job, blob, ctx));
  return { outcome: await promise, first };
}

/** Gets one blob into one Harbor repository: already there, mounted from the repository this run
 * uploaded it to (waiting for that upload if it is in flight), or uploaded by us. The transfer
 * limit is held per request, never while waiting for another tag's upload. */
async function bringBlob(job: TagJob, blob: Descriptor, ctx: CopyContext): Promise<BlobOutcome> {
  const repository = job.target.repository;
  if ((await ctx.transfers(() => ctx.harbor.headBlob(repository, blob.digest))) !== undefined) return 'existing';
  const upload = ctx.uploads.run(blob.digest, () => ctx.transfers(() => uploadBlob(job, blob, ctx)).then(() => repository));
  const home = await upload.promise;
  if (upload.first || home === repository) return 'uploaded';
  return await ctx.transfers(async () => {
    const start = await ctx.harbor.startUpload(repository, { digest: blob.digest, repository: home });
    if (start.mounted) return 'mounted';
    // The registry declined the mount (202): it opened an upload session instead; use it.
    await streamBlob(job, blob, start.location, ctx);
    return 'uploaded';
  });
}

async function uploadBlob(job: TagJob, blob: Descriptor, ctx: CopyContext): Promise<void> {
  const start = await ctx.harbor.startUpload(job.target.repository);
  if (start.mounted) return;
  await streamBlob(job, blob, start.location, ctx);
}

async function streamBlob(job: TagJob, blob: Descriptor, location: URL, ctx: CopyContext): Promise<void> {
  const { body, size } = await ctx.source.getBlob(job.sourceRepository, blob.digest);
  const length = blob.size >= 0 ? blob.size : size;
  if (length === undefined) throw new Error(`blob ${blob.digest} has no size in the manifest and none from the source`);
  // Hash while streaming: a corrupt blob fails before the registry commits it.
  const verified = pipeline(body, new DigestVerifier(blob.digest), () => undefined);
  await ctx.harbor.finishUpload(location, blob.digest, length, verified);
}

/** Children by digest before their index; the top manifest under the tag the user asked for. */
async function pushManifestTree(job: TagJob, node: ManifestNode, ctx: CopyContext, top: boolean): Promise<void> {
  for (const child of node.children) await pushManifestTree(job, child, ctx, false);
  const reference = top ? job.targetReference : node.digest;
  const repository = job.target.repository;
  await ctx.manifests.run(`${repository}@${node.digest}:${reference}`, () =>
    ctx.harbor.putManifest(repository, reference, node.bytes, node.mediaType),
  ).promise;
}
