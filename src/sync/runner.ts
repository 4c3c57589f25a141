// One run's work after preflight: expand every declared image and, in catalog mode, every
// repository the catalog lists; run each tag through the pipeline with bounded concurrency;
// synced manifests bring their signatures along. Discovery and copying overlap: tags start as
// soon as their repository is listed.
import pLimit, { type LimitFunction } from 'p-limit';
import type { RepositorySummary } from '../harbor/api.js';
import type { HarborTarget } from '../harbor/targets.js';
import type { RetainedItem, SyncResult, TagResult } from '../model/result.js';
import { retryCounter } from '../registry/retry.js';
import { TargetClaims } from './collisions.js';
import type { ImageSpec } from '../model/config.js';
import type { RunContext } from './context.js';
import { Discovery } from './discover.js';
import { keptNotes } from './kept.js';
import type { TagJob } from './jobs.js';
import { mapWithRules, mayCollide, sourcesFor } from './mapping.js';
import { OpenRepositories } from './open-repositories.js';
import { Scheduler } from './scheduler.js';
import { repositoryExcludedBy } from './select.js';
import { inShard } from './shard.js';
import { syncTag, type TagLimits, type TagRun } from './tag-pipeline.js';
import { untaggedLister } from './untagged.js';

export class Runner {
  private readonly ctx: RunContext;
  private readonly result: SyncResult;
  private readonly discovery: Discovery;
  private readonly limits: TagLimits;
  /** Tags between their first look and the end of their copy: the look runs faster than the
   * copies, and a tag read far ahead of its copy holds its blob GETs open, or past the holds checks
   * its blobs with a HEAD it then reads again (issue 30: 22,685 source HEADs where 7,996 do). As
   * many as the looks and the copies together, so neither waits on the other. */
  private readonly ahead: LimitFunction;
  private readonly scheduler = new Scheduler<TagResult>();
  private readonly claims: TargetClaims;
  /** Repositories being listed, and whether the catalog is still being walked: together they
   * say when the total is known. */
  private expanding = 0;
  private walking = true;
  private readonly open: OpenRepositories;
  /** The source repository of each open target repository, to drop its state at close. */
  private readonly sourceOf = new Map<string, string>();

  constructor(ctx: RunContext, result: SyncResult) {
    const { config } = ctx;
    this.ctx = ctx;
    this.result = result;
    this.discovery = new Discovery(ctx.source, {
      selection: config.selection,
      includeSignatures: config.includeSignatures,
      revisions: config.includeUntagged ? untaggedLister(ctx.source, ctx.transfer) : undefined,
      mapTarget: (repository) => this.mapTarget(repository),
      shard: config.shard,
      harborTags: (target) => ctx.harborHoldings(target),
    });
    // Looking (tag lists, the nightly HEAD-and-compare, reading a tag's manifests and checking its
    // blobs) waits on the registries, not on copy slots: it runs wider. Copying runs as wide as
    // the blob transfers (transfer/state.ts): a tag of small blobs spends most of its copy waiting
    // on round trips, and with fewer tags than transfers the transfers sat idle (issue 30: the
    // first sync of 2,000 tiny repositories went from 1.2x to 1.0x the full floor).
    this.limits = { looks: pLimit(config.concurrency * 4), tags: pLimit(config.concurrency * 2) };
    this.ahead = pLimit(this.limits.looks.concurrency + this.limits.tags.concurrency);
    this.claims = new TargetClaims(mayCollide(config.mappings, config.defaultProject));
    // Enough repositories open to keep the wide look limit busy (a few tags each), few enough that
    // the run holds state for them only.
    this.open = new OpenRepositories(config.concurrency * 8, (target) => this.closed(target));
  }

  private closed(target: string): void {
    const source = this.sourceOf.get(target);
    this.sourceOf.delete(target);
    if (source === undefined) return;
    this.ctx.forgetRepository(source, target);
    this.discovery.forget(source);
  }

  /** A run stopped before it began (while the source was prepared) leaves every declared image of
   * its shard, and the catalog unlisted. */
  stoppedBeforeStart(): void {
    const { config } = this.ctx;
    for (const spec of config.images) {
      if (inShard(spec.repository, config.shard)) this.result.notStarted.push(specLabel(spec));
    }
    if (config.catalog) this.result.catalogIncomplete = true;
  }

  mapTarget(repository: string): HarborTarget {
    return mapWithRules(repository, this.ctx.config.mappings, this.ctx.config.defaultProject);
  }

  /** Runs every declared image (already mapped, `targets`) and the catalog; fills the result. A
   * catalog that cannot be listed whole stops the run, after the tags already started finish. */
  async run(targets: Map<ImageSpec, HarborTarget>): Promise<void> {
    const { config } = this.ctx;
    for (const spec of config.images) {
      if (inShard(spec.repository, config.shard)) await this.expand(spec, targets.get(spec)!, false);
    }
    let walkError: unknown;
    let walked = false;
    if (config.catalog) {
      // Asked before each repository: a stop there leaves the rest of the catalog unlisted, so
      // nobody can say how much is left beyond what was listed (the result says so).
      const goOn = (): boolean => {
        const stopped = this.ctx.signals.stop?.aborted === true;
        if (stopped) this.result.catalogIncomplete = true;
        return !stopped;
      };
      await this.discovery
        .walkCatalog({
          repository: (spec, target) => this.expand(spec, target, true),
          item: (item) => this.record(item),
          goOn,
        })
        .then(() => (walked = !this.ctx.signals.stop?.aborted))
        .catch((error: unknown) => (walkError = error));
    }
    this.walking = false;
    this.discoveredIfDone();
    await this.drain();
    for (const { job, error } of this.claims.release()) {
      if (error) this.record({ source: job.sourceLabel, target: job.targetLabel, status: 'failed', error });
      else this.schedule(job);
    }
    await this.drain();
    if (walkError !== undefined) throw walkError;
    // Only a catalog read whole can say a repository is gone from it.
    // Server-sized lists are appended one by one: a spread of 100,000s of arguments overflows the stack.
    if (walked) for (const r of await this.retainedRepositories()) this.result.retained.push(r);
    await this.noteImmutability();
    this.result.harborNotes = [...this.ctx.projects.notes, ...keptNotes(config, this.result.items)];
    this.result.projectsCreated = [...this.ctx.projects.created];
    const { plannedBytes, upstreamRequests } = this.ctx.transfer;
    if (plannedBytes !== undefined) this.result.bytesPlanned = plannedBytes;
    if (upstreamRequests !== undefined) this.result.upstreamRequests = upstreamRequests;
  }

  private async drain(): Promise<void> {
    for (const item of await this.scheduler.drain()) this.result.items.push(item);
  }

  /** An item decided without running (filtered out, a collision, a repository that cannot be listed). */
  private record(item: TagResult): void {
    this.ctx.logger.event?.({ type: 'done', item, queued: false, dryRun: this.ctx.config.dryRun });
    this.result.items.push(item);
  }

  private schedule(job: TagJob): void {
    const admitted = this.claims.admit(job);
    if (admitted.kind === 'hold' || admitted.kind === 'repeat') return;
    if (admitted.kind === 'refuse') {
      this.record({ source: job.sourceLabel, target: job.targetLabel, status: 'failed', error: admitted.error });
      return;
    }
    const target = job.target.repository;
    // Each pair (source, target) runs once: the claims know which ran (no key kept per tag here).
    this.scheduler.run(async () => {
      // Joins its repository at once when open (a tag of a repository being listed, a signature).
      await this.open.acquire(target);
      this.sourceOf.set(target, job.sourceRepository);
      try {
        return await this.runJob(job);
      } finally {
        this.open.release(target);
      }
    });
    this.ctx.logger.event?.({ type: 'queued', source: job.sourceLabel });
  }

  private async runJob(job: TagJob): Promise<TagResult | undefined> {
    const clock: TagRun = { started: Date.now(), settled: false };
    const counter = { retries: 0 };
    const item = await this.ahead(() => retryCounter.run(counter, () => syncTag(job, this.ctx, this.limits, clock)));
    if (!item) {
      this.result.notStarted.push(job.sourceLabel);
      return undefined;
    }
    item.seconds = (Date.now() - clock.started) / 1000;
    if (counter.retries > 0) item.retries = counter.retries;
    this.ctx.logger.event?.({ type: 'done', item, queued: true, dryRun: this.ctx.config.dryRun });
    // Signatures refer to the source's digest; an index rewritten for `platforms` has none.
    const synced = item.status === 'migrated' || item.status === 'skipped' || item.status === 'broken';
    if (synced && item.digest && !item.sourceDigest && !clock.settled) {
      const followers = await this.discovery.followers(job, item.digest);
      for (const i of followers.items) this.record(i);
      for (const j of followers.jobs) this.schedule(j);
    }
    return item;
  }

  /** Lists a repository (or takes a declared tag) once there is room among the open repositories;
   * resolves when it is admitted, so the catalog walk keeps pace with the work. */
  private async expand(spec: ImageSpec, target: HarborTarget, fromCatalog: boolean): Promise<void> {
    const label = specLabel(spec);
    const key = `repository ${label} → ${target.repository}`;
    if (this.scheduler.has(key)) return;
    await this.open.acquire(target.repository);
    this.sourceOf.set(target.repository, spec.repository);
    const added = this.scheduler.add(key, () =>
      this.limits.looks(async () => {
        try {
          if (this.ctx.signals.stop?.aborted) {
            this.result.notStarted.push(label);
            return undefined;
          }
          const { jobs, items, retained } = await this.discovery.expand(spec, target, fromCatalog);
          if (retained) for (const r of retained) this.result.retained.push(r);
          for (const i of items) this.record(i);
          for (const j of jobs) this.schedule(j);
          return undefined;
        } finally {
          this.expanding -= 1;
          this.discoveredIfDone();
          this.open.release(target.repository);
        }
      }),
    );
    if (added) this.expanding += 1;
    else this.open.release(target.repository);
  }

  /** Repositories Harbor holds under this run's target projects that the source's catalog no
   * longer lists: only names this run's mapping, filters and shard could have produced, so another
   * team's repositories in a shared project are never called ours. One listing per project. */
  private async retainedRepositories(): Promise<RetainedItem[]> {
    const { config, api, logger } = this.ctx;
    const { catalogNames, mappedTargets } = this.discovery;
    const projects = new Set([
      ...this.discovery.targetProjects,
      ...config.mappings.map((r) => r.to.split('/')[0]!),
      ...this.includedProjects(),
    ]);
    const retained: RetainedItem[] = [];
    for (const project of [...projects].sort()) {
      if (
        !(await this.ctx.projects.exists(project).catch(() => false)) ||
        (await this.ctx.projects.refusal(project).catch(() => undefined))
      )
        continue;
      let repositories: RepositorySummary[];
      try {
        repositories = await api.listRepositories(project);
      } catch (error) {
        logger.warn(
          `the repositories of Harbor project ${project} could not be listed (${(error as Error).message}): repositories only Harbor has there are not reported`,
        );
        continue;
      }
      for (const { name, artifacts } of repositories) {
        if (mappedTargets.has(name) || artifacts === 0) continue;
        const source = sourcesFor(name, config.mappings, config.defaultProject).find(
          (s) => !catalogNames.has(s) && !repositoryExcludedBy(s, config.selection) && inShard(s, config.shard),
        );
        if (source) retained.push({ kind: 'repository', source, target: name, artifacts });
      }
    }
    return retained;
  }

  /** Projects the include globs name literally (`team-b/**`, `team-b/app`): still this run's
   * targets after the catalog stopped listing anything of theirs. */
  private includedProjects(): string[] {
    return this.ctx.config.selection.include.flatMap((pattern) => {
      const components = pattern.text.startsWith('/') ? [] : pattern.text.split('/');
      const wild = components.findIndex((c) => /[*?]/.test(c));
      const prefix = wild < 0 ? components : components.slice(0, wild);
      if (prefix.length === 0) return [];
      try {
        return [this.mapTarget(`${prefix.join('/')}/x`).project];
      } catch {
        return [];
      }
    });
  }

  /** One line per project where Harbor's immutability rules kept a moved tag from re-pointing. */
  private async noteImmutability(): Promise<void> {
    const projects = new Set(
      this.result.items.filter((i) => i.error?.errorCode === 'IMMUTABLE_TAG').map((i) => i.target.split('/')[0]!),
    );
    for (const project of projects) await this.ctx.projects.noteImmutability(project);
  }

  private discoveredIfDone(): void {
    if (!this.walking && this.expanding === 0) this.ctx.logger.event?.({ type: 'discovered' });
  }
}

/** How a declared image or a listed repository (`repo:*`) is named in `notStarted`. */
function specLabel(spec: ImageSpec): string {
  return `${spec.repository}:${spec.tag ?? spec.digest ?? '*'}`;
}
