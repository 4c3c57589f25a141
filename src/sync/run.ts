// One sync run: map and check names, preflight, then discover tags and run each one
// (classify → ensure project → copy → verify) with bounded concurrency; synced manifests bring
// their signatures along. Discovery and copying overlap: tags start as soon as their repository
// is listed.
import pLimit, { type LimitFunction } from 'p-limit';
import type { HarborTarget } from '../harbor/names.js';
import type { RepositoryListing } from '../harbor/api.js';
import { NameMappingError } from '../harbor/names.js';
import { retryCounter } from '../registry/retry.js';
import { isStorageUrl } from '../registry/storage/index.js';
import { isRepositoryName } from '../registry/reference.js';
import { printable } from '../redact/text.js';
import { formatBytes } from '../report/totals.js';
import { checkTag, classifyTag, jobOwner, type ClassifyContext } from './classify.js';
import { copyTag, type BlobOutcome, type CopyContext } from './copy.js';
import { Discovery } from './discover.js';
import { DryRunPlanner } from './dry-run.js';
import type { Clients } from './engine.js';
import { StepError, describeFailure } from './failure.js';
import { mapSpecs, type TagJob } from './jobs.js';
import { findCollisions, mapWithRules, mayCollide } from './mapping.js';
import { OncePerKey } from './once.js';
import { preflight } from './preflight.js';
import { Prefetch, prefetchLimit } from './prefetch.js';
import { Projects } from './projects.js';
import { Scheduler } from './scheduler.js';
import { inShard, type Shard } from './shard.js';
import { createUpstream, type Upstream } from './upstream.js';
import type { ImageSpec, Logger, SyncConfig, SyncResult, TagResult } from './types.js';
import { revisionSource } from './untagged.js';

interface Signals {
  stop: AbortSignal | undefined;
  abandon: AbortSignal;
}

export async function executeRun(config: SyncConfig, logger: Logger, clients: Clients, result: SyncResult, signals: Signals): Promise<void> {
  const mapTarget = (repository: string): HarborTarget => mapWithRules(repository, config.mappings, config.defaultProject);
  const targets = mapSpecs(config.images, mapTarget);
  const revisions = config.includeUntagged ? revisionSource(clients.source) : undefined;
  const identity = await preflight(config, clients, logger);
  result.harborVersion = identity.version;
  result.harborUser = identity.user;
  if (config.shard) result.shard = `${config.shard.index}/${config.shard.count}`;

  const projects = new Projects(clients.api, clients.harbor, { create: config.createProjects, visibility: config.projectVisibility, logger });
  const upstream = clients.upstream ? createUpstream(clients.upstream, config.upstreamConcurrency) : undefined;
  const contexts = buildContexts(config, clients, projects, signals, upstream);
  contexts.copy.onUploaded = (bytes) => logger.event?.({ type: 'bytes', bytes });
  const discovery = new Discovery(clients.source, config.selection, config.includeSignatures, revisions);
  const planner = config.dryRun ? new DryRunPlanner(clients.harbor) : undefined;
  // Looking is cheaper than copying: tag lists and the nightly HEAD-and-compare run wider, so a
  // run where nothing changed is bound by the registries' answers, not by the copy slots.
  const limits: Limits = { looks: pLimit(config.concurrency * 4), tags: pLimit(config.concurrency) };
  const scheduler = new Scheduler<TagResult>();
  const record = (item: TagResult): void => {
    logOutcome(logger, item, config.dryRun);
    logger.event?.({ type: 'done', item, queued: false });
    result.items.push(item);
  };

  // With mapping rules that can send two sources to one target, every job is known before any
  // runs, so a collision fails both sides before anything is copied. Otherwise the first source to
  // claim a target keeps it and a later one fails (only `alpine` vs `library/alpine` can meet).
  let holdForCollisions = mayCollide(config.mappings, config.defaultProject);
  const held: TagJob[] = [];
  const claims = new Map<string, string>();

  const runJob = async (job: TagJob): Promise<TagResult | undefined> => {
    const clock = { started: Date.now() };
    const counter = { retries: 0 };
    const item = await retryCounter.run(counter, () => syncTag(job, planner, contexts, projects, limits, signals.stop, clock));
    if (!item) {
      result.notStarted.push(job.sourceLabel);
      return undefined;
    }
    item.seconds = (Date.now() - clock.started) / 1000;
    if (counter.retries > 0) item.retries = counter.retries;
    logOutcome(logger, item, config.dryRun);
    logger.event?.({ type: 'done', item, queued: true });
    const synced = item.status === 'migrated' || item.status === 'skipped';
    // Signatures refer to the source's digest; an index rewritten for `platforms` has none.
    if (synced && item.digest && !item.sourceDigest) for (const follower of await discovery.followers(job, item.digest)) schedule(follower);
    return item;
  };

  function schedule(job: TagJob): void {
    if (holdForCollisions) {
      held.push(job);
      return;
    }
    const claimant = claims.get(job.targetLabel);
    if (claimant !== undefined && claimant !== job.sourceLabel) {
      record({ source: job.sourceLabel, target: job.targetLabel, status: 'failed', error: collision(job.targetLabel, [claimant, job.sourceLabel]) });
      return;
    }
    claims.set(job.targetLabel, job.sourceLabel);
    if (scheduler.add(`tag ${job.sourceLabel} → ${job.targetLabel}`, () => runJob(job))) logger.event?.({ type: 'queued', source: job.sourceLabel });
  }

  let expanding = 0;
  let walking = true;
  const discovered = (): void => {
    if (!walking && expanding === 0) logger.event?.({ type: 'discovered' });
  };
  function expand(spec: ImageSpec, target: HarborTarget, fromCatalog: boolean): void {
    const added = scheduler.add(`repository ${spec.repository}:${spec.tag ?? spec.digest ?? '*'} → ${target.repository}`, () =>
      limits.looks(async () => {
        try {
          if (signals.stop?.aborted) {
            result.notStarted.push(`${spec.repository}:${spec.tag ?? spec.digest ?? '*'}`);
            return undefined;
          }
          const { jobs, items } = await discovery.expand(spec, target, fromCatalog);
          items.forEach(record);
          jobs.forEach(schedule);
          return undefined;
        } finally {
          expanding -= 1;
          discovered();
        }
      }),
    );
    if (added) expanding += 1;
  }

  for (const spec of config.images) if (inShard(spec.repository, config.shard)) expand(spec, targets.get(spec)!, false);
  if (config.catalog) await walkCatalog(clients, discovery, mapTarget, expand, record, signals, config.shard);
  walking = false;
  discovered();
  for (const item of await scheduler.drain()) result.items.push(item);

  if (holdForCollisions) {
    holdForCollisions = false; // from here on (signatures of the held tags), jobs run as they come
    const collisions = findCollisions(held.map((j) => ({ source: j.sourceLabel, target: j.targetLabel })));
    for (const job of held) {
      const sources = collisions.get(job.targetLabel);
      if (sources) record({ source: job.sourceLabel, target: job.targetLabel, status: 'failed', error: collision(job.targetLabel, sources) });
      else schedule(job);
    }
    for (const item of await scheduler.drain()) result.items.push(item);
  }
  result.projectsCreated = [...projects.created];
  if (planner) result.bytesPlanned = planner.bytes;
  if (upstream) result.upstreamRequests = upstream.requests;
}

/** Every repository of the source's catalog, page by page; each is expanded as soon as it arrives. */
async function walkCatalog(
  clients: Clients,
  discovery: Discovery,
  mapTarget: (repository: string) => HarborTarget,
  expand: (spec: ImageSpec, target: HarborTarget, fromCatalog: boolean) => void,
  record: (item: TagResult) => void,
  signals: Signals,
  shard: Shard | undefined,
): Promise<void> {
  try {
    for await (const page of clients.source.catalog()) {
      for (const repository of page) {
        if (signals.stop?.aborted) return;
        // The catalog is untrusted: a name outside the grammar is reported, never requested or printed raw.
        if (!isRepositoryName(repository)) {
          record({ source: `${printable(repository).slice(0, 300)}:*`, target: '', status: 'failed', error: { step: 'discover', code: 'NAME_INVALID', message: 'the source catalog lists a repository name that is not valid' } });
          continue;
        }
        if (!inShard(repository, shard)) continue;
        const rule = discovery.excludedRepository(repository);
        if (rule) {
          record({ source: `${repository}:*`, target: '', status: 'skipped', reason: `filtered out: ${rule}` });
          continue;
        }
        let target: HarborTarget;
        try {
          target = mapTarget(repository);
        } catch (error) {
          if (!(error instanceof NameMappingError)) throw error;
          record({ source: `${repository}:*`, target: '', status: 'failed', error: { step: 'config', message: error.message } });
          continue;
        }
        expand({ repository, origin: 'catalog' }, target, true);
      }
    }
  } catch (error) {
    const failure = describeFailure('discover', error);
    if (failure.status === 401 || failure.status === 403) {
      failure.hint = 'listing the catalog needs catalog permission on the source (on Harbor as a source: a system admin); list images instead';
    }
    throw new StepError({ ...failure, message: `listing the source catalog failed: ${failure.message}` }, error);
  }
}

function collision(target: string, sources: string[]): TagResult['error'] {
  return {
    step: 'config',
    code: 'COLLISION',
    message: `${sources.join(' and ')} all map to ${target}; nothing was copied to it`,
    hint: 'change the mapping rules (or exclude one source) so each source has its own target',
  };
}

function buildContexts(config: SyncConfig, clients: Clients, projects: Projects, signals: Signals, upstream: Upstream | undefined): { classify: ClassifyContext; copy: CopyContext } {
  const listings = new OncePerKey<RepositoryListing | undefined>();
  const harborTags = (target: HarborTarget) =>
    listings.run(target.repository, () => clients.api.tagDigests(target.project, target.path).catch(() => undefined)).promise;
  const uploads = new OncePerKey<string>();
  // Nothing in it yet (its project may not even exist, or this run created it): every blob bound
  // there is uploaded or mounted, never found there, so no HEAD on Harbor is needed, and the
  // source's GET can be the presence check. Blobs this run brought are known to the blob table.
  const repositoryIsEmpty = async (target: HarborTarget): Promise<boolean> =>
    projects.wasCreated(target.project) || !(await projects.exists(target.project)) || (await harborTags(target))?.artifacts === 0;
  // A local storage source answers a HEAD with a stat: nothing to save there. A dry run copies nothing.
  const prefetch = config.dryRun || isStorageUrl(config.source.url) ? undefined : new Prefetch(prefetchLimit(config.concurrency), (digest) => uploads.has(digest));
  return {
    classify: {
      source: clients.source,
      harbor: clients.harbor,
      projects,
      sourceBlobs: new OncePerKey<number | undefined>(),
      harborTags,
      ...(config.platforms && { platforms: config.platforms }),
      ...(upstream && { upstream }),
      ...(prefetch && { prefetch }),
      repositoryIsEmpty,
    },
    copy: {
      source: clients.source,
      harbor: clients.harbor,
      blobs: new OncePerKey<BlobOutcome>(),
      manifests: new OncePerKey<string | undefined>(),
      uploads,
      transfers: pLimit(config.concurrency * 2), // blob transfers outnumber tags: a tag waits on several at once
      hintContext: (project) => ({ project, projectCreatedThisRun: projects.wasCreated(project), username: config.harbor.credentials?.username }),
      retry: config.retry,
      signal: signals.abandon,
      repositoryIsEmpty,
      ...(upstream && { upstream }),
      ...(prefetch && { prefetch }),
    },
  };
}

interface Limits {
  /** Tag lists and the first look at a tag (a HEAD at most). */
  looks: LimitFunction;
  /** Reading a tag whole and copying it. */
  tags: LimitFunction;
}

/** One tag, start to end; undefined when the run was stopped before the tag started. `clock`
 * learns when it started (after waiting for a slot). */
async function syncTag(
  job: TagJob,
  planner: DryRunPlanner | undefined,
  contexts: { classify: ClassifyContext; copy: CopyContext },
  projects: Projects,
  limits: Limits,
  stop: AbortSignal | undefined,
  clock: { started: number },
): Promise<TagResult | undefined> {
  let partial: TagResult = { source: job.sourceLabel, target: job.targetLabel, status: 'failed' };
  try {
    const check = await limits.looks(() => {
      clock.started = Date.now();
      return stop?.aborted ? undefined : checkTag(job, contexts.classify);
    });
    if (!check) return undefined;
    if (check.kind === 'done') return check.result;
    partial = check.result;
    return await limits.tags(async () => {
      if (stop?.aborted) return undefined;
      const plan = await classifyTag(job, contexts.classify, check);
      partial = plan.result;
      if (plan.kind === 'done') return plan.result;
      if (planner) {
        const projectExists = await projects.exists(job.target.project);
        const bytes = await planner.plan(job, plan.blobs, projectExists);
        const repair = plan.result.repaired ? `, repairing ${plan.result.repaired.blobs} blobs (${formatBytes(plan.result.repaired.bytes)}) from upstream ${plan.result.repaired.from}` : '';
        return { ...plan.result, status: 'migrated', reason: `would upload up to ${formatBytes(bytes)}${repair}${projectExists ? '' : ` and create project ${job.target.project}`}` };
      }
      await projects.ensure(job.target.project);
      return await copyTag(job, plan.manifest, plan.blobs, plan.result, contexts.copy, plan.repairs);
    });
  } catch (error) {
    const failure = error instanceof StepError ? error.failure : describeFailure('discover', error);
    return { ...partial, status: 'failed', error: failure };
  } finally {
    contexts.classify.prefetch?.release(jobOwner(job));
  }
}

function logOutcome(logger: Logger, item: TagResult, dryRun: boolean): void {
  const verb = dryRun && item.status === 'migrated' ? 'would migrate' : item.status;
  const detail = item.error
    ? `${item.error.step}${item.error.status ? ` ${item.error.status}` : ''}${item.error.code ? ` ${item.error.code}` : ''}: ${item.error.message}`
    : (item.reason ?? (item.previousDigest ? `re-pointed from ${item.previousDigest}` : ''));
  const line = `${verb.padEnd(10)} ${item.source} → ${item.target || '-'}${detail ? ` (${detail})` : ''}`;
  if (item.status === 'failed') logger.error(line);
  else if (item.status === 'stale' || item.status === 'incomplete') logger.warn(line);
  else logger.info(line);
}
