// One blob into one Harbor repository: already there, mounted from the repository this run
// uploaded it to, or streamed from the source (or, for a repaired blob, from the upstream). Each
// (repository, digest) is brought once per run; each digest is uploaded once per run, and every
// other repository mounts it.
import { pipeline } from 'node:stream';
import { HarborSyncError } from '../errors/base.js';
import { DigestVerifier } from '../registry/digest.js';
import type { Descriptor } from '../registry/media-types.js';
import { isDigestMismatch, retrying } from '../registry/retry.js';
import type { BlobOutcome, TransferState } from './state.js';
import { releasingSpent } from './spent-buffers.js';
import { upstreamCall, upstreamRepository } from './upstream.js';

/** Where a blob goes, and where it comes from. */
export interface BlobMove {
  sourceRepository: string;
  targetRepository: string;
  blob: Descriptor;
  /** The source lacks it: it comes from the upstream. */
  fromUpstream: boolean;
  /** The Harbor repository holds nothing this run did not bring: no HEAD is worth asking. */
  targetEmpty: boolean;
  /** Harbor was just found to lack it (verify: blobs): no HEAD is worth asking either. */
  knownMissing?: boolean;
}

/** How the blob got there, and whether this call brought it (`first`): a blob another tag of the
 * run brought counts as existing for this one. */
export async function ensureBlob(
  state: TransferState,
  move: BlobMove,
): Promise<{ outcome: BlobOutcome; first: boolean }> {
  const { promise, first } = state.blobs.run(move.targetRepository, move.blob.digest, () => bringBlob(state, move));
  return { outcome: await promise, first };
}

/** The transfer limit is held per request, never while waiting for another tag's upload. */
async function bringBlob(state: TransferState, move: BlobMove): Promise<BlobOutcome> {
  const { harbor } = state.clients;
  const repository = move.targetRepository;
  const digest = move.blob.digest;
  const ask = !move.knownMissing && !move.targetEmpty;
  if (ask && (await state.limit(() => harbor.headBlob(repository, digest))) !== undefined) return 'existing';
  const upload = state.uploads.run(digest, () => state.limit(() => uploadBlob(state, move)).then(() => repository));
  const home = await upload.promise;
  if (upload.first || home === repository) return 'uploaded';
  return await state.limit(async () => {
    const start = await harbor.startUpload(repository, { digest, repository: home });
    if (start.mounted) return 'mounted';
    // The registry declined the mount (202): it opened an upload session instead; use it.
    await uploadBlob(state, move, start.location);
    return 'uploaded';
  });
}

/** Streams the blob into a Harbor upload. A failed attempt starts over from the first byte in a
 * new upload session (the registry never commits a partial or corrupt blob). Content that does
 * not match its digest is tried once more (a byte flipped in transit is gone the next time), and
 * that attempt hashes what it streams, so a source whose copy is damaged is reported with the
 * digest its bytes really have. What is retried is the one rule of registry/retry.ts. */
async function uploadBlob(state: TransferState, move: BlobMove, opened?: URL): Promise<void> {
  let session = opened;
  let hashing = false;
  await retrying(
    async () => {
      const start = session ? undefined : await state.clients.harbor.startUpload(move.targetRepository);
      const location = session ?? (start?.mounted === false ? start.location : undefined);
      session = undefined; // a session is used once: a retry opens a new one
      if (!location) return; // the registry already has it
      try {
        await streamBlob(state, move, location, hashing);
      } catch (error) {
        hashing ||= isDigestMismatch(error);
        throw error;
      }
      state.options.onBytes?.(Math.max(move.blob.size, 0));
    },
    { policy: state.options.retry, signal: state.options.abandon },
  );
}

/** Harbor's registry hashes every upload and refuses to commit one whose bytes do not match
 * `?digest=` (400 DIGEST_INVALID, docs/harbor.md §9), so the bytes are hashed here only on a retry:
 * hashing a 2 GiB layer a second time costs a CPU-second per GiB (docs/performance.md). */
async function streamBlob(state: TransferState, move: BlobMove, location: URL, hash: boolean): Promise<void> {
  const { source, harbor } = state.clients;
  const { blob, fromUpstream } = move;
  // A held GET may come from another source repository than this one: same digest, same bytes
  // (and checked on commit like any other).
  const held = fromUpstream ? undefined : await state.prefetch?.take(blob.digest);
  const upstream = state.upstream;
  const { body, size } =
    held ??
    (fromUpstream && upstream
      ? await upstreamCall(upstream, (c) => c.getBlob(upstreamRepository(move.sourceRepository, c.host), blob.digest))
      : await source.getBlob(move.sourceRepository, blob.digest));
  // The descriptor's size is what the manifest promises Harbor; a source that holds another size
  // holds other bytes (for a storage source, another data file): refused before a byte is sent.
  if (size !== undefined && blob.size >= 0 && size !== blob.size) {
    body.destroy();
    throw new HarborSyncError({
      code: 'SIZE_MISMATCH',
      message: `blob ${blob.digest}: the source holds ${size} bytes, but the manifest's descriptor says ${blob.size}; nothing was uploaded`,
    });
  }
  const length = blob.size >= 0 ? blob.size : size;
  if (length === undefined) {
    body.destroy();
    throw new HarborSyncError({
      code: 'SIZE_MISMATCH',
      message: `blob ${blob.digest} has no size in the manifest and none from the source`,
    });
  }
  const bytes = releasingSpent(body, length);
  if (!hash) return await harbor.finishUpload(location, blob.digest, length, bytes);
  const verifier = new DigestVerifier(blob.digest);
  const verified = pipeline(bytes, verifier, () => undefined);
  try {
    await harbor.finishUpload(location, blob.digest, length, verified);
  } catch (error) {
    throw verifier.mismatch ?? error;
  }
}
