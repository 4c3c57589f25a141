// What one run shares across its tags, with named methods: the config, the transfer layer (which
// moves blobs and manifests, and keeps the tables that make each blob cross the wire once), the
// Harbor projects, and what Harbor holds per repository. Classify, copy and the tag pipeline take
// this object; a test builds one with in-memory clients.
import type { HarborApi, RepositoryListing } from '../harbor/api.js';
import type { HintContext } from '../harbor/hints.js';
import type { HarborTarget } from '../harbor/targets.js';
import type { Logger } from '../model/events.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { PlatformFilter } from '../registry/media-types.js';
import { OncePerKey } from '../transfer/once.js';
import { Transfer } from '../transfer/transfer.js';
import type { Clients } from './clients.js';
import { INPUT_NAMING, type SyncConfig } from '../model/config.js';
import { Projects } from './projects.js';

export interface RunSignals {
  /** Aborted when the run should stop: no new tag starts. */
  stop: AbortSignal | undefined;
  /** Aborted after the grace period: requests in flight are cut. */
  abandon: AbortSignal;
}

export class RunContext {
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly signals: RunSignals;
  /** The source, for listings (catalog, tags, referrers); its manifests and blobs go through
   * `transfer`. */
  readonly source: RegistryClient;
  readonly api: HarborApi;
  readonly transfer: Transfer;
  readonly projects: Projects;
  private readonly listings = new OncePerKey<RepositoryListing | undefined>();
  private listingRefused = false;

  constructor(config: SyncConfig, clients: Clients, logger: Logger, signals: RunSignals) {
    this.config = config;
    this.logger = logger;
    this.signals = signals;
    this.source = clients.source;
    this.api = clients.api;
    this.transfer = new Transfer(clients, {
      concurrency: config.concurrency,
      upstreamConcurrency: config.upstreamConcurrency,
      retry: config.retry,
      abandon: signals.abandon,
      dryRun: config.dryRun,
      onBytes: (bytes) => logger.event?.({ type: 'bytes', bytes }),
    });
    this.projects = new Projects(clients.api, clients.harbor, {
      create: config.createProjects,
      visibility: config.projectVisibility,
      logger,
      naming: config.naming ?? INPUT_NAMING,
    });
  }

  get platforms(): PlatformFilter[] | undefined {
    return this.config.platforms;
  }

  /** What Harbor holds in the target repository, listed once per run (one request per 100
   * artifacts answers for all its tags). Undefined when the API refuses the listing: each tag
   * then costs a manifest HEAD, and the run says so once. */
  harborListing(target: HarborTarget): Promise<RepositoryListing | undefined> {
    return this.listings.run(target.repository, async () => {
      try {
        return await this.api.tagDigests(target.project, target.path);
      } catch (error) {
        // Said once: an account that may not list artifacts is refused for every repository.
        const say = this.listingRefused ? this.logger.debug : this.logger.warn;
        this.listingRefused = true;
        say.call(
          this.logger,
          `Harbor's artifact list of ${target.repository} could not be read (${(error as Error).message}); checking tags one by one instead, one request each`,
        );
        return undefined;
      }
    }).promise;
  }

  /** What Harbor holds in the target repository, when its project exists and is ours to write
   * (not a proxy cache): for the tags only Harbor has now. Shares the listing of harborListing. */
  async harborHoldings(target: HarborTarget): Promise<RepositoryListing | undefined> {
    // A project this run created holds only what this run brought.
    if (this.projects.wasCreated(target.project)) return undefined;
    if (!(await this.projects.exists(target.project)) || (await this.projects.refusal(target.project)))
      return undefined;
    return await this.harborListing(target);
  }

  /** True when the Harbor repository holds no artifact (or its project is new or missing): it
   * cannot hold a blob this run did not bring, so no HEAD on Harbor is needed, and a source GET
   * can be the presence check. Blobs this run brought are in the transfer layer's tables. */
  async repositoryIsEmpty(target: HarborTarget): Promise<boolean> {
    const { projects } = this;
    return (
      projects.wasCreated(target.project) ||
      !(await projects.exists(target.project)) ||
      (await this.harborListing(target))?.artifacts === 0
    );
  }

  /** A repository is done (every tag, its signatures included): what the run kept for it goes,
   * so memory follows the repositories in flight. Blob uploads stay known run-wide (bounded): later
   * repositories mount from them. */
  forgetRepository(source: string, target: string): void {
    this.transfer.forget(source, target);
    this.listings.forget(target);
  }

  /** What Harbor's error hints need to know about a project. */
  hintContext(project: string): HintContext {
    const username = this.config.harbor.credentials?.username;
    const naming = this.config.naming ?? INPUT_NAMING;
    return {
      project,
      projectCreatedThisRun: this.projects.wasCreated(project),
      ...(username !== undefined && { username }),
      setting: naming.setting,
    };
  }
}
