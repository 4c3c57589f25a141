// What the transfer layer keeps for one run: the clients, the limits, and the run-wide tables that
// make each blob cross the wire once and each manifest go up once per repository. Memory follows
// the repositories in flight: a repository's entries go when the engine is done with it.
import pLimit, { type LimitFunction } from 'p-limit';
import type { RegistryClient } from '../registry/registry-client.js';
import type { RetryPolicy } from '../registry/retry.js';
import { BlobHomes } from './blob-homes.js';
import { OncePerRepository } from './once.js';
import { Prefetch, holdLimits } from './prefetch.js';
import { createUpstream, type Upstream } from './upstream.js';

/** How a blob got into a Harbor repository. */
export type BlobOutcome = 'uploaded' | 'mounted' | 'existing';

export interface TransferClients {
  source: RegistryClient;
  harbor: RegistryClient;
  /** upstream-registry: where blobs the source lacks come from, when set. */
  upstream?: RegistryClient;
}

export interface TransferOptions {
  /** The run's width (the concurrency input): blob transfers run twice as wide. */
  concurrency: number;
  upstreamConcurrency: number;
  retry: RetryPolicy;
  /** Aborted after an interrupted run's grace period: copies in flight are cut. */
  abandon: AbortSignal;
  /** A dry run: nothing is written, so no blob GET is held open for an upload. */
  dryRun: boolean;
  /** Progress: a blob of this many bytes is in Harbor now. */
  onBytes?(bytes: number): void;
}

export class TransferState {
  readonly clients: TransferClients;
  readonly options: TransferOptions;
  readonly upstream: Upstream | undefined;
  /** Blob GETs opened as presence checks, for the upload that copies them (prefetch.ts); none in
   * a dry run or from a source that reads local files. */
  readonly prefetch: Prefetch | undefined;
  /** Source blob presence (its size), once per source repository and digest. */
  readonly sourceBlobs = new OncePerRepository<number | undefined>();
  /** One entry per Harbor repository and blob digest. */
  readonly blobs = new OncePerRepository<BlobOutcome>();
  /** One push per Harbor repository, manifest digest and reference. */
  readonly manifests = new OncePerRepository<string | undefined>();
  /** verify: blobs — whether Harbor's repository serves a digest, asked once per run. */
  readonly present = new OncePerRepository<boolean>();
  /** One upload per blob digest; the value is the Harbor repository it went to, which every
   * other repository then mounts from. */
  readonly uploads = new BlobHomes();
  /** Blob transfers in flight across all tags: more than tags, since a tag waits on several. */
  readonly limit: LimitFunction;
  /** HEADs of an audit in flight: as wide as the engine's cheap look at tags. */
  readonly looks: LimitFunction;

  constructor(clients: TransferClients, options: TransferOptions) {
    this.clients = clients;
    this.options = options;
    this.upstream = clients.upstream ? createUpstream(clients.upstream, options.upstreamConcurrency) : undefined;
    this.prefetch =
      options.dryRun || clients.source.capabilities.localReads
        ? undefined
        : new Prefetch(holdLimits(options.concurrency), (digest) => this.uploads.has(digest));
    this.limit = pLimit(options.concurrency * 2);
    this.looks = pLimit(options.concurrency * 4);
  }
}
