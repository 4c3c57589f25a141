// What the engine takes: one typed config, built by the configuration layer (src/config) from the
// action's inputs or the CLI's flags. Pure data.
import type { FailOn } from '../model/result.js';
import type { Credentials } from '../registry/credentials.js';
import type { ImageReference } from '../registry/reference.js';
import type { RetryPolicy } from '../registry/retry.js';
import type { TlsOptions } from '../registry/transport.js';
import type { Selection, TagPattern } from './select.js';
import type { MappingRule } from './mapping.js';
import type { PlatformFilter } from '../transfer/index-filter.js';
import type { Shard } from './shard.js';

export type Visibility = 'private' | 'public';

export type { FailOn } from '../model/result.js';

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
  /** Where a storage source keeps temporary files (a decompressed tarball, a download). */
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
