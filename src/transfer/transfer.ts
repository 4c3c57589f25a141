// The transfer layer (go-containerregistry's remote.Write, containers/image's copy/): the engine
// says what to copy; this says how. It reads a tag's manifests from the source (and what the source
// lacks from the upstream), tells which blobs are there, and writes a tag into Harbor: its blobs
// (already there, mounted from where this run put them, or streamed), its child manifests, then the
// tag, checked. The engine (src/sync) never calls a blob or manifest method itself.
import { HarborSyncError } from '../errors/base.js';
import type { Step } from '../errors/codes.js';
import { isNotFound } from '../errors/registry.js';
import type { Descriptor } from '../registry/media-types.js';
import type { BlobResponse, ManifestHead } from '../registry/registry-client.js';
import { type HarborGaps, harborGaps } from './harbor-gaps.js';
import { ensureBlob } from './blobs.js';
import type { PlatformFilter } from './index-filter.js';
import { readManifestGraph, type ManifestGraph, type ManifestNode } from './manifest-graph.js';
import { pushManifests } from './manifests.js';
import { TransferState, type TransferClients, type TransferOptions } from './state.js';
import { findUntagged, type RevisionSource, type UntaggedRevisions } from './untagged-revisions.js';
import { UploadPlan } from './upload-plan.js';
import { findUpstream } from './upstream.js';

/** How each of a tag's blobs got into Harbor. */
export interface BlobCounts {
  total: number;
  uploaded: number;
  mounted: number;
  existing: number;
  bytesUploaded: number;
}

/** One tag to write: where it comes from, where it goes, and what it holds. */
export interface Write {
  /** Who holds the source GETs opened while the tag was looked at (released after). */
  owner: string;
  sourceRepository: string;
  targetRepository: string;
  /** The tag (or digest) the top manifest goes under. */
  reference: string;
  /** For messages: `team/app:1.2` in Harbor. */
  label: string;
  top: ManifestNode;
  blobs: Descriptor[];
  /** Blobs the source lacks, which come from the upstream. */
  fromUpstream: ReadonlySet<string>;
  /** True when the Harbor repository holds nothing this run did not bring (no HEAD is worth it). */
  targetEmpty: boolean;
}

/** Runs one step of the write, so the caller places and explains what goes wrong in it. */
export type StepRunner = <T>(step: Step, work: () => Promise<T>) => Promise<T>;

export class Transfer {
  private readonly state: TransferState;
  /** A dry run's tally of what would be uploaded. */
  private readonly plan: UploadPlan | undefined;

  constructor(clients: TransferClients, options: TransferOptions) {
    this.state = new TransferState(clients, options);
    this.plan = options.dryRun ? new UploadPlan(clients.harbor) : undefined;
  }

  /** The source's digest for a tag (one HEAD), or undefined when it is not there. */
  sourceManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    return this.state.clients.source.headManifest(repository, reference);
  }

  /** Harbor's digest for a tag (one HEAD), or undefined when it is not there. */
  async harborManifest(repository: string, reference: string): Promise<string | undefined> {
    return (await this.state.clients.harbor.headManifest(repository, reference))?.digest;
  }

  /** A tag's manifests, each digest read once; what the source lacks comes from the upstream. */
  readGraph(repository: string, reference: string, platforms?: PlatformFilter[]): Promise<ManifestGraph> {
    const { source } = this.state.clients;
    return readManifestGraph({ source, upstream: this.state.upstream }, repository, reference, platforms);
  }

  /** Each blob's size on the source, or undefined when it answers 404 there; once per source
   * repository and digest in the run. A blob bound for an empty Harbor repository and not yet on
   * its way will be uploaded: its check is then the GET that uploads it, held open until the
   * upload takes it (one request instead of a HEAD and a GET). */
  sourceBlobSizes(
    owner: string,
    repository: string,
    blobs: Descriptor[],
    willUpload: boolean,
  ): Promise<(number | undefined)[]> {
    const { source } = this.state.clients;
    const { prefetch } = this.state;
    return Promise.all(
      blobs.map(
        ({ digest, size }) =>
          this.state.sourceBlobs.run(repository, digest, () =>
            willUpload && prefetch?.wants(digest, size)
              ? prefetch.open(owner, digest, size, () => getOrNothing(() => source.getBlob(repository, digest)))
              : source.headBlob(repository, digest),
          ).promise,
      ),
    );
  }

  /** Whether held GETs would be worth opening: not in a dry run, nor from local files. */
  get holdsSourceReads(): boolean {
    return this.state.prefetch !== undefined;
  }

  /** Which of these blobs the upstream has (a HEAD each); empty without an upstream. */
  async upstreamHas(repository: string, blobs: Descriptor[]): Promise<Set<string>> {
    const { upstream } = this.state;
    return upstream && blobs.length > 0 ? await findUpstream(upstream, repository, blobs) : new Set();
  }

  /** The upstream's host, when one is set. */
  get upstreamHost(): string | undefined {
    return this.state.upstream?.client.host;
  }

  /** Requests sent to the upstream so far. */
  get upstreamRequests(): number | undefined {
    return this.state.upstream?.requests;
  }

  /** Writes a tag into Harbor: every blob, then its manifests, then checks that Harbor's digest for
   * the tag is the source's (the PUT's answer; a HEAD when the answer names none). */
  async write(write: Write, inStep: StepRunner): Promise<BlobCounts> {
    const counts: BlobCounts = { total: write.blobs.length, uploaded: 0, mounted: 0, existing: 0, bytesUploaded: 0 };
    await inStep('blob', () =>
      Promise.all(
        write.blobs.map(async (blob) => {
          const { outcome, first } = await ensureBlob(this.state, {
            sourceRepository: write.sourceRepository,
            targetRepository: write.targetRepository,
            blob,
            fromUpstream: write.fromUpstream.has(blob.digest),
            targetEmpty: write.targetEmpty,
          });
          // A blob another tag of this run brought is "existing" for this tag: counted once.
          const counted = first ? outcome : 'existing';
          counts[counted] += 1;
          if (counted === 'uploaded') counts.bytesUploaded += blob.size;
        }),
      ),
    );
    const stored = await inStep('manifest', () =>
      pushManifests(this.state, write.targetRepository, write.top, write.reference),
    );
    const harborDigest =
      stored ?? (await inStep('verify', () => this.harborManifest(write.targetRepository, write.reference)));
    if (harborDigest !== write.top.digest) {
      throw new HarborSyncError({
        code: 'VERIFY_MISMATCH',
        step: 'verify',
        message: `Harbor answers ${harborDigest ?? 'nothing'} for ${write.label}, expected the source digest ${write.top.digest}`,
      });
    }
    return counts;
  }

  /** verify: blobs — what Harbor's repository lacks of a tag it says it holds: a HEAD per blob
   * and per manifest of the graph (and per index child the source lacks), each (repository,
   * digest) once per run. */
  gaps(repository: string, graph: ManifestGraph, blobs: Descriptor[]): Promise<HarborGaps> {
    return harborGaps(this.state, repository, graph.node, blobs, graph.missingChildren);
  }

  /** Pushes again what Harbor lacks of a tag: the blobs (mounted from a repository known to hold
   * them, else streamed from the source or the upstream, checked on commit like any upload), then
   * the manifests, children first, each by its digest: the tag still names the top one in Harbor,
   * and a PUT by a tag an immutability rule covers is refused even with the same content
   * (docs/harbor.md §6, Policy errors). Then asks Harbor for each of them again. */
  async repair(write: Write, gaps: HarborGaps, inStep: StepRunner): Promise<BlobCounts> {
    const counts: BlobCounts = { total: gaps.blobs.length, uploaded: 0, mounted: 0, existing: 0, bytesUploaded: 0 };
    const repository = write.targetRepository;
    await inStep('blob', () =>
      Promise.all(
        gaps.blobs.map(async (blob) => {
          const { outcome, first } = await ensureBlob(this.state, {
            sourceRepository: write.sourceRepository,
            targetRepository: repository,
            blob,
            fromUpstream: write.fromUpstream.has(blob.digest),
            targetEmpty: write.targetEmpty,
            knownMissing: true,
          });
          // Another broken tag of this run repaired it first: counted once, as for a copy.
          const counted = first ? outcome : 'existing';
          counts[counted] += 1;
          if (counted === 'uploaded') counts.bytesUploaded += blob.size;
        }),
      ),
    );
    if (gaps.manifests.length > 0)
      await inStep('manifest', () =>
        pushManifests(this.state, repository, write.top, write.top.digest, new Set(gaps.manifests)),
      );
    await inStep('verify', async () => {
      const { harbor } = this.state.clients;
      const answers = await Promise.all([
        ...gaps.blobs.map((b) =>
          this.state.looks(async () => ((await harbor.headBlob(repository, b.digest)) === undefined ? b.digest : '')),
        ),
        ...gaps.manifests.map((m) =>
          this.state.looks(async () =>
            (await harbor.headManifest(repository, m.digest)) === undefined ? m.digest : '',
          ),
        ),
      ]);
      const still = answers.filter(Boolean);
      if (still.length > 0)
        throw new HarborSyncError({
          code: 'VERIFY_MISMATCH',
          step: 'verify',
          message: `after the repair Harbor still lacks ${still.length} of what ${write.label} needs: ${still.join(', ')}`,
        });
    });
    return counts;
  }

  /** A dry run: the bytes a repair would upload, each blob once in the run (a blob an audit found
   * in another Harbor repository would be mounted from there). No request: the audit asked. */
  plannedRepair(blobs: Descriptor[]): number {
    if (!this.plan) throw new Error('plannedRepair outside a dry run');
    return this.plan.add(blobs.filter((b) => !this.state.uploads.has(b.digest)));
  }

  /** A dry run: the bytes of these blobs Harbor's repository lacks (HEADs only, once each). */
  plannedUpload(repository: string, blobs: Descriptor[], projectExists: boolean): Promise<number> {
    if (!this.plan) throw new Error('plannedUpload outside a dry run');
    return this.plan.plan(repository, blobs, projectExists);
  }

  /** A dry run: bytes the whole run would upload, each blob once. */
  get plannedBytes(): number | undefined {
    return this.plan?.bytes;
  }

  /** include-untagged: a repository's revisions no tag reaches (the source must list revisions). */
  untaggedRevisions(repository: string, tags: string[]): Promise<UntaggedRevisions> {
    return findUntagged(this.state.clients.source as RevisionSource, repository, tags);
  }

  /** Closes the source GETs `owner` held that no upload took (the tag was stale, or mounted). */
  release(owner: string): void {
    this.state.prefetch?.release(owner);
  }

  /** A repository is done: what the run kept for it goes. Where blobs were uploaded stays known
   * run-wide (bounded): later repositories mount from there. */
  forget(sourceRepository: string, targetRepository: string): void {
    this.state.sourceBlobs.forget(sourceRepository);
    this.state.blobs.forget(targetRepository);
    this.state.manifests.forget(targetRepository);
    this.state.present.forget(targetRepository);
    this.plan?.forget(targetRepository);
  }
}

async function getOrNothing(get: () => Promise<BlobResponse>): Promise<BlobResponse | undefined> {
  try {
    return await get();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
