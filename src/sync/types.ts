// The data the engine takes and gives: one typed config built by action.ts or cli.ts, one result
// model rendered by src/report. Pure data, no behaviour.
import type { Credentials } from '../registry/credentials.js';
import type { ImageReference } from '../registry/reference.js';
import type { RetryPolicy } from '../registry/retry.js';
import type { TlsOptions } from '../registry/transport.js';
import type { Selection } from './select.js';
import type { MappingRule } from './mapping.js';
import type { PlatformFilter } from './platforms.js';
import type { Shard } from './shard.js';

export type FailOn = 'failed' | 'stale' | 'never';
export type Visibility = 'private' | 'public';

export interface ImageSpec extends ImageReference {
  /** Where the user wrote it, for messages: `images line 3`, `images.txt:12`. */
  origin: string;
}

export interface Endpoint {
  url: string;
  credentials?: Credentials;
  tls?: TlsOptions;
}

export interface SyncConfig {
  source: Endpoint;
  harbor: Endpoint;
  images: ImageSpec[];
  /** Also every repository the source's catalog lists. */
  catalog: boolean;
  selection: Selection;
  mappings: MappingRule[];
  /** Signatures, attestations and referrers follow their subject. */
  includeSignatures: boolean;
  /** Storage sources only: manifests no tag reaches are copied too, by digest. */
  includeUntagged: boolean;
  /** Copy only these children of an index. */
  platforms?: PlatformFilter[];
  /** Only the repositories of this shard (the others belong to other runners). */
  shard?: Shard;
  /** The registry the source cached: blobs missing on the source are fetched from it. */
  upstream?: Endpoint;
  upstreamConcurrency: number;
  createProjects: boolean;
  projectVisibility: Visibility;
  defaultProject: string;
  concurrency: number;
  dryRun: boolean;
  failOn: FailOn;
  retry: RetryPolicy;
  /** Seconds without progress on a connection, headers or body before it counts as stalled. */
  stallTimeoutSeconds: number;
  reportFile?: string;
  summaryFile?: string;
}

export type TagStatus = 'migrated' | 'stale' | 'incomplete' | 'skipped' | 'failed';

export type Step = 'config' | 'auth' | 'discover' | 'project' | 'blob' | 'manifest' | 'verify' | 'interrupted';

export interface StepFailure {
  step: Step;
  status?: number;
  code?: string;
  message: string;
  /** What the user can do about it, when we know. */
  hint?: string;
}

export interface TagResult {
  /** `repo:tag` or `repo@sha256:…` on the source. */
  source: string;
  /** `project/repo:tag` in Harbor. */
  target: string;
  status: TagStatus;
  /** The source manifest digest (what Harbor holds after a migration). */
  digest?: string;
  mediaType?: string;
  /** Platforms of an index, e.g. linux/amd64. */
  platforms?: string[];
  /** Bytes of all blobs the tag references (unique within the tag). */
  size?: number;
  /** Blobs: how many the tag references, and how each one got to Harbor. */
  blobs?: { total: number; uploaded: number; mounted: number; existing: number; bytesUploaded: number };
  /** The source's digest when Harbor gets a different one (an index with only some platforms). */
  sourceDigest?: string;
  /** Harbor's digest for this tag before the run, when it differed (the old artifact stays). */
  previousDigest?: string;
  /** Migrated (repaired): what came from the upstream registry instead of the source. */
  repaired?: { blobs: number; manifests: number; bytes: number; from: string };
  /** Digests answering 404 on the source (stale / incomplete). */
  missing?: string[];
  /** Why it was skipped, stale or incomplete. */
  reason?: string;
  error?: StepFailure;
  /** Requests or blob copies tried again (408, 429, 5xx, network errors). */
  retries?: number;
  seconds?: number;
}

export interface SyncResult {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  dryRun: boolean;
  source: string;
  harbor: string;
  harborVersion?: string;
  harborUser?: string;
  projectsCreated: string[];
  items: TagResult[];
  /** Requests sent to upstream-registry (repairs). */
  upstreamRequests?: number;
  /** Dry run: bytes that would be uploaded, each blob once (blobs Harbor already has left out). */
  bytesPlanned?: number;
  /** A problem that stopped the whole run before any tag was tried (bad credentials, bad config). */
  fatal?: StepFailure;
  /** `i/n` when this run was one shard of several. */
  shard?: string;
  /** Stopped by SIGINT/SIGTERM: `notStarted` lists what a re-run will still do. */
  interrupted?: boolean;
  notStarted: string[];
}

/** What the engine tells as it goes, for progress displays and --json output. */
export type SyncEvent =
  | { type: 'queued'; source: string }
  /** `queued: false`: decided without being queued (filtered out, a repository that cannot be listed). */
  | { type: 'done'; item: TagResult; queued: boolean }
  | { type: 'bytes'; bytes: number }
  /** Every repository has been listed: the total is known. */
  | { type: 'discovered' };

/** The engine's only way to talk: no @actions/core below the entry points. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  event?(event: SyncEvent): void;
}
