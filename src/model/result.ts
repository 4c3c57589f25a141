// The result model: what a run found and did, tag by tag. Pure data: the engine (src/sync) fills
// it, src/report renders it, the entry points read its totals. Nothing here imports from either.
import type { ErrorCode, Step } from '../errors/codes.js';
import type { TagStatus } from './tag-classes.js';

// The classes and fail-on rules are a table of their own (tag-classes.ts).
export { STATUSES } from './class-rules.js';
export type { FailOn, TagStatus } from './tag-classes.js';

export interface StepFailure {
  step: Step;
  /** harbor-sync's own code (src/errors/codes.ts). */
  errorCode: ErrorCode;
  status?: number;
  /** The registry's or Harbor's own error code, when it sent one (`MANIFEST_UNKNOWN`, `DENIED`). */
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
  /** verify: blobs — what Harbor lacked of a tag it listed with the source's digest (broken, and
   * failed BROKEN_UNREPAIRABLE). */
  harborMissing?: HarborMissing[];
  /** verify: blobs — every blob and manifest of the tag was asked for in Harbor (skipped whole,
   * broken, failed BROKEN_UNREPAIRABLE). */
  checkedWhole?: true;
  /** Why it was skipped, stale or incomplete. */
  reason?: string;
  error?: StepFailure;
  /** Requests or blob copies tried again (408, 429, 5xx, network errors). */
  retries?: number;
  seconds?: number;
}

/** A blob or manifest of a tag that Harbor's repository could not serve (a HEAD answered 404). */
export interface HarborMissing {
  digest: string;
  kind: 'blob' | 'manifest';
  /** Bytes, from the descriptor that names it, when known. */
  size?: number;
}

/** Something Harbor holds that the source no longer lists: kept, never deleted by harbor-sync.
 * Information, not a problem: only Harbor has these now. */
export interface RetainedItem {
  /** A tag of a repository synced whole, or a whole repository the catalog no longer lists. */
  kind: 'tag' | 'repository';
  /** Where it would come from on the source: `team-a/app:1.2`, or `team-a/app` for a repository. */
  source: string;
  /** Where it is in Harbor: `team-a/app:1.2`, or `team-a/app` for a repository. */
  target: string;
  /** Harbor's digest for the tag. */
  digest?: string;
  /** When Harbor says the artifact was pushed (ISO 8601), where it says. */
  pushedAt?: string;
  /** For a repository: how many artifacts Harbor holds in it, where it says. */
  artifacts?: number;
}

/** A Harbor setting of a target project that would refuse or later delete what is copied there,
 * said once per project. */
export interface HarborNote {
  project: string;
  /** `proxy-cache`: pushes are refused; `retention`: a tag-retention policy may delete migrated
   * tags later; `immutable`: immutability rules refuse to re-point matching tags; `kept`: the
   * project holds the tags of the Harbor project read as the source (harbor://PROJECT), and how
   * clients pull them from there. */
  kind: 'proxy-cache' | 'retention' | 'immutable' | 'kept';
  /** In words, naming the policy or rule (for `kept`, a reference to pull). */
  message: string;
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
  /** Tags and repositories only Harbor has now (the source no longer lists them). */
  retained: RetainedItem[];
  /** Harbor settings of the target projects that refuse or may later delete what is copied. */
  harborNotes: HarborNote[];
  /** Requests sent to upstream-registry (repairs). */
  upstreamRequests?: number;
  /** Dry run: bytes that would be uploaded, each blob once (blobs Harbor already has left out). */
  bytesPlanned?: number;
  /** A problem that stopped the whole run before any tag was tried (bad credentials, bad config). */
  fatal?: StepFailure;
  /** `i/n` when this run was one shard of several. */
  shard?: string;
  /** A merge of shard reports made with some shards missing (`2/4`): the result is partial. */
  missingShards?: string[];
  /** Stopped by SIGINT/SIGTERM: `notStarted` lists what a re-run will still do. */
  interrupted?: boolean;
  notStarted: string[];
  /** Interrupted before the catalog was listed to its end: the repositories it had not listed yet
   * are in no list (`notStarted` holds only what was listed). */
  catalogIncomplete?: boolean;
}
