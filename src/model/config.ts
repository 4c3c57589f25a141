// What the engine takes: one typed config, built by the configuration layer (src/config) from the
// action's inputs or the CLI's flags, read by the engine (src/sync) and the source kinds
// (src/sources). Pure data, below all three: parsing stays in src/config, behaviour in src/sync.
import type { Credentials } from '../registry/credentials.js';
import type { PlatformFilter } from '../registry/media-types.js';
import type { ImageReference } from '../registry/reference.js';
import type { RetryPolicy } from '../registry/retry.js';
import type { TlsOptions } from '../registry/transport.js';
import type { MappingRule } from './mapping-rule.js';
import type { FailOn } from './result.js';
import type { Selection, TagPattern } from './selection.js';

export type { FailOn } from './result.js';

export type Visibility = 'private' | 'public';

/** What a tag Harbor lists with the source's digest is checked for (the `verify` input): `digest`,
 * that digest alone; `blobs`, also that Harbor serves every blob and manifest of it (HEADs). */
export const VERIFY_MODES = ['digest', 'blobs'] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

export interface ImageSpec extends ImageReference {
  /** Where the user wrote it, for messages: `images line 3`, `images.txt:12`. */
  origin: string;
}

export interface Endpoint {
  url: string;
  credentials?: Credentials;
  tls?: TlsOptions;
}

/** How messages name an option the way the user gave it: `source-username` in the action and
 * the config file, `--source-username (or SOURCE_USERNAME)` on the command line. */
export interface OptionNaming {
  name(input: string): string;
  /** `create-projects: true`, or `--create-projects`. */
  setting(input: string, value: string): string;
}

export const INPUT_NAMING: OptionNaming = { name: (input) => input, setting: (input, value) => `${input}: ${value}` };

/** `shard: i/n`: this runner's share of a catalog (src/sync/shard.ts picks the repositories). */
export interface Shard {
  index: number; // 1-based
  count: number;
}

export interface SyncConfig {
  source: Endpoint;
  harbor: Endpoint;
  images: ImageSpec[];
  /** Also every repository the source's catalog lists. */
  catalog: boolean;
  selection: Selection;
  /** Tags that never move once pushed (anchored regexes): one Harbor already holds is skipped
   * without a request to the source. */
  immutableTags: TagPattern[];
  mappings: MappingRule[];
  /** Signatures, attestations and referrers follow their subject. */
  includeSignatures: boolean;
  /** Sources that list untagged manifests only (src/sources): those no tag reaches are copied
   * too, by digest. */
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
  /** `blobs`: a tag Harbor holds with the source's digest is also checked whole there, and what
   * Harbor lacks of it pushed again (src/sync/classify.ts). */
  verify: VerifyMode;
  failOn: FailOn;
  retry: RetryPolicy;
  /** Seconds without progress on a connection, headers or body before it counts as stalled. */
  stallTimeoutSeconds: number;
  /** Where a source keeps temporary files (a decompressed tarball, a download). */
  workDir?: string;
  reportFile?: string;
  summaryFile?: string;
  /** The JUnit XML report, the HTML page and the Prometheus metrics (src/report/junit.ts, html.ts, metrics.ts). */
  junitFile?: string;
  htmlFile?: string;
  metricsFile?: string;
  /** Absent: the action's input names. */
  naming?: OptionNaming;
}
