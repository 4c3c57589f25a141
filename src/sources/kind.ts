// A source kind: one way of naming where the images come from (a registry's API, a registry's
// storage directory, a tarball of one), registered once in source-kinds.ts. A kind claims its URLs by
// scheme, checks them, says what it can do before anything is opened, and opens the client the
// engine reads through. Configuration, preflight and the engine ask the kind, never the URL.
import { ConfigError } from '../errors/base.js';
import type { Endpoint, OptionNaming, SyncConfig } from '../model/config.js';
import type { Logger } from '../model/events.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { RetryPolicy } from '../registry/retry.js';

/** What a kind can do, known from its URL alone. */
export interface SourceTraits {
  /** Lists manifests no tag points at, so include-untagged works (a registry's API cannot). */
  untaggedManifests: boolean;
  /** Answers presence checks from local files: the engine holds no blob GETs open for them. */
  localReads: boolean;
  /** `docker login`'s credentials (docker-config) are looked up for its host when none are given. */
  dockerCredentials: boolean;
  /** Where source-username and source-password go: the registry's own auth, the origin a tarball
   * is downloaded from (never along a redirect elsewhere), nowhere (a local path), or Harbor at
   * harbor-url (an account other than harbor-username's; without them, harbor-username's reads). */
  sourceCredentials: 'registry' | 'download' | 'unused' | 'harbor';
  /** Keeps temporary files in work-dir (a download, a compressed tarball's decompressed copy). */
  workDir: boolean;
}

/** What every connection of the run takes. */
export interface ConnectionOptions {
  userAgent: string;
  retry: RetryPolicy;
  stallTimeoutSeconds: number;
  /** For the source: room for the transfers and the GETs classification holds open. */
  connections: number;
  signal?: AbortSignal;
}

/** Everything a kind may need to open its client. */
export interface OpenContext {
  /** The source: its URL as check() returned it, its credentials and TLS options. */
  source: Endpoint;
  /** Harbor (harbor-url and its credentials), for a kind that reads through Harbor. */
  harbor: Endpoint;
  connection: ConnectionOptions;
  /** work-dir, when given (else $RUNNER_TEMP, else the OS temp dir). */
  workDir?: string;
  /** How messages name an option: `work-dir`, or `--work-dir` on the command line. */
  naming: OptionNaming;
  /** Where long work is told as it goes (a tarball indexed or decompressed, how far along). */
  logger?: Logger;
}

export interface SourceKind {
  /** What it reads, in messages and docs: `registry API`, `storage directory`. */
  readonly name: string;
  /** The URL schemes it takes, lowercase, without `:`. Two kinds may share one (http and https: a
   * registry, or a tarball to download); `claims` tells them apart, and no URL is claimed twice. */
  readonly schemes: readonly string[];
  /** How its URLs are written and what they name, in "the schemes: …" of messages:
   * `dir:// for its storage directory`. */
  readonly written: string;
  /** Its URLs' forms alone, in "needs …" messages: `dir://`. */
  readonly forms: string;
  readonly traits: SourceTraits;
  /** Whether the URL is this kind's: by its scheme (in any case), and, where kinds share a scheme,
   * by what tells them apart. Never throws. */
  claims(url: string): boolean;
  /** Checks a URL this kind claims and returns it as the engine keeps it. Throws SourceUrlError,
   * whose message reads after `source-registry: ` and never echoes a secret. */
  check(url: string): string;
  /** For a local path written without a scheme: how that path is written as this kind's URL
   * (`a tarball is written file:///backup/registry.tar`), when this kind reads such a path.
   * `path` is absolute and printable; `isDirectory` looks at the disk. */
  suggest?(path: string, isDirectory: () => boolean): string | undefined;
  /** For a kind that reads a project of harbor-url's Harbor (harbor://PROJECT): that project, from
   * a URL check() accepted. Images may then name Harbor's host, and the run's summary says where
   * the project's tags were copied to. */
  harborProject?(url: string): string;
  /** Refuses (ConfigError, exit 2) a run this kind cannot do as configured: for a Harbor project,
   * one whose mapping would copy its tags onto themselves. */
  checkRun?(url: string, run: Pick<SyncConfig, 'images' | 'catalog' | 'mappings'>, naming: OptionNaming): void;
  /** The client, created now and opened at first use (clients are created synchronously): what
   * opening finds wrong comes from ping(), which preflight reports. */
  open(context: OpenContext): RegistryClient;
}

/** A source URL its kind refuses (exit 2): the message is safe to print, and reads after a
 * `source-registry: ` prefix. */
export class SourceUrlError extends ConfigError {
  override readonly name = 'SourceUrlError';
}

/** The scheme a URL starts with, lowercase (`DIR:///x` → `dir`), or undefined. */
export function schemeOf(url: string): string | undefined {
  return /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
}
