// The one engine behind the action and the CLI: preflight, expand the image list, then per tag
// classify → (ensure project → copy → verify), with bounded concurrency. It never throws for one
// tag's trouble: every tag ends in the result with its class.
import pLimit from 'p-limit';
import { createRegistryClient, type RegistryClient } from '../registry/client.js';
import { createHarborApi, type HarborApi } from '../harbor/api.js';
import { createStorageSource, isStorageUrl } from '../registry/storage/index.js';
import { NameMappingError, type HarborTarget } from '../harbor/names.js';
import { classifyTag } from './classify.js';
import { copyTag, type BlobOutcome } from './copy.js';
import { StepError, describeFailure } from './failure.js';
import { expandSpec, mapSpecs, type TagJob } from './jobs.js';
import { OncePerKey } from './once.js';
import { Projects } from './projects.js';
import { preflight } from './preflight.js';
import { retryCounter } from '../registry/retry.js';
import { DryRunPlanner } from './dry-run.js';
import { formatBytes } from '../report/totals.js';
import type { Endpoint, Logger, StepFailure, SyncConfig, SyncResult, TagResult } from './types.js';

export const USER_AGENT = 'harbor-sync/0.1';

export interface Clients {
  source: RegistryClient;
  harbor: RegistryClient;
  api: HarborApi;
}

export function createClients(config: SyncConfig, signal?: AbortSignal): Clients {
  const common = {
    userAgent: USER_AGENT,
    retry: config.retry,
    stallTimeoutSeconds: config.stallTimeoutSeconds,
    connections: Math.max(4, config.concurrency * 2),
    ...(signal && { signal }),
  };
  const endpoint = (e: Endpoint) => ({ url: e.url, ...(e.credentials && { credentials: e.credentials }), ...(e.tls && { tls: e.tls }) });
  return {
    source: isStorageUrl(config.source.url) ? createStorageSource(config.source.url) : createRegistryClient({ ...common, ...endpoint(config.source) }),
    harbor: createRegistryClient({ ...common, ...endpoint(config.harbor) }),
    api: createHarborApi({ ...common, ...endpoint(config.harbor), connections: 4 }),
  };
}

export interface RunControl {
  /** Aborted when the run should stop (SIGINT/SIGTERM): no new tag starts. */
  signal?: AbortSignal;
  /** How long tags in flight may go on after the stop before their requests are abandoned. */
  graceMs?: number;
}

export async function runSync(config: SyncConfig, logger: Logger, clients?: Clients, control: RunControl = {}): Promise<SyncResult> {
  // Two stages of stopping: `stop` ends scheduling at once; `abandon` cuts requests in flight
  // after the grace period, so an interrupted run ends within a few seconds.
  const stop = control.signal;
  const abandon = new AbortController();
  const onStop = (): void => {
    logger.warn(`Interrupted: starting no new tags; tags in flight get ${((control.graceMs ?? 5000) / 1000).toFixed(0)} s to finish`);
    setTimeout(() => abandon.abort(), control.graceMs ?? 5000).unref();
  };
  stop?.addEventListener('abort', onStop, { once: true });
  clients ??= createClients(config, abandon.signal);
  const started = new Date();
  const result: SyncResult = {
    startedAt: started.toISOString(),
    finishedAt: '',
    seconds: 0,
    dryRun: config.dryRun,
    source: redactUrl(config.source.url),
    harbor: redactUrl(config.harbor.url),
    projectsCreated: [],
    items: [],
    notStarted: [],
  };
  try {
    await execute(config, logger, clients, result, { stop, abandon: abandon.signal });
  } catch (error) {
    result.fatal = fatalFailure(error);
    logger.error(`${result.fatal.message}${result.fatal.hint ? ` — ${result.fatal.hint}` : ''}`);
  } finally {
    stop?.removeEventListener('abort', onStop);
    const all = clients;
    await Promise.allSettled([all.source.close(), all.harbor.close(), all.api.close()]);
  }
  if (stop?.aborted) result.interrupted = true;
  const finished = new Date();
  result.finishedAt = finished.toISOString();
  result.seconds = (finished.getTime() - started.getTime()) / 1000;
  return result;
}

async function execute(
  config: SyncConfig,
  logger: Logger,
  clients: Clients,
  result: SyncResult,
  signals: { stop: AbortSignal | undefined; abandon: AbortSignal },
): Promise<void> {
  const targets = mapSpecs(config.images, config.defaultProject);
  const identity = await preflight(config, clients, logger);
  result.harborVersion = identity.version;
  result.harborUser = identity.user;

  const projects = new Projects(clients.api, clients.harbor, { create: config.createProjects, visibility: config.projectVisibility, logger });
  const limitTags = pLimit(config.concurrency);
  const copyContext = {
    source: clients.source,
    harbor: clients.harbor,
    blobs: new OncePerKey<BlobOutcome>(),
    manifests: new OncePerKey<string>(),
    uploads: new OncePerKey<string>(),
    transfers: pLimit(config.concurrency),
    hintContext: (project: string) => ({ project, projectCreatedThisRun: projects.wasCreated(project), username: config.harbor.credentials?.username }),
    retry: config.retry,
    signal: signals.abandon,
  };
  const harborTags = new OncePerKey<Map<string, string> | undefined>();
  const classifyContext = {
    source: clients.source,
    harbor: clients.harbor,
    projects,
    sourceBlobs: new OncePerKey<number | undefined>(),
    harborTags: (target: HarborTarget) =>
      harborTags.run(target.repository, () => clients.api.tagDigests(target.project, target.path).catch(() => undefined)).promise,
  };

  const planner = config.dryRun ? new DryRunPlanner(clients.harbor) : undefined;
  const runJob = async (job: TagJob): Promise<TagResult | undefined> => {
    if (signals.stop?.aborted) {
      result.notStarted.push(job.sourceLabel);
      return undefined;
    }
    const started = Date.now();
    const counter = { retries: 0 };
    const item = await retryCounter.run(counter, () => syncTag(job, planner, classifyContext, copyContext, projects));
    item.seconds = (Date.now() - started) / 1000;
    if (counter.retries > 0) item.retries = counter.retries;
    logOutcome(logger, item, config.dryRun);
    return item;
  };

  // Tags start as soon as their repository is expanded: listing and copying overlap.
  const seen = new Set<string>();
  const pending: Promise<TagResult | undefined>[] = [];
  await Promise.all(
    config.images.map((spec) =>
      limitTags(async () => {
        if (signals.stop?.aborted) {
          result.notStarted.push(`${spec.repository}${spec.tag !== undefined ? `:${spec.tag}` : spec.digest !== undefined ? `@${spec.digest}` : ':*'}`);
          return;
        }
        const { jobs, failures } = await expandSpec(spec, targets.get(spec)!, clients.source);
        failures.forEach((f) => logOutcome(logger, f, config.dryRun));
        result.items.push(...failures);
        for (const job of jobs) {
          const key = `${job.sourceLabel} ${job.targetLabel}`; // the same tag listed twice runs once
          if (seen.has(key)) continue;
          seen.add(key);
          pending.push(limitTags(() => runJob(job)));
        }
      }),
    ),
  );
  for (const item of await Promise.all(pending)) if (item) result.items.push(item);
  result.projectsCreated = [...projects.created];
  if (planner) result.bytesPlanned = planner.bytes;
}

async function syncTag(
  job: TagJob,
  planner: DryRunPlanner | undefined,
  classifyContext: Parameters<typeof classifyTag>[1],
  copyContext: Parameters<typeof copyTag>[4],
  projects: Projects,
): Promise<TagResult> {
  const base: TagResult = { source: job.sourceLabel, target: job.targetLabel, status: 'failed' };
  let partial = base;
  try {
    const plan = await classifyTag(job, classifyContext);
    partial = plan.result;
    if (plan.kind === 'done') return plan.result;
    if (planner) {
      const projectExists = await projects.exists(job.target.project);
      const bytes = await planner.plan(job, plan.blobs, projectExists);
      const reason = `would upload ${formatBytes(bytes)}${projectExists ? '' : ` and create project ${job.target.project}`}`;
      return { ...plan.result, status: 'migrated', reason };
    }
    await projects.ensure(job.target.project);
    return await copyTag(job, plan.manifest, plan.blobs, plan.result, copyContext);
  } catch (error) {
    const failure = error instanceof StepError ? error.failure : describeFailure('discover', error);
    return { ...partial, status: 'failed', error: failure };
  }
}

function logOutcome(logger: Logger, item: TagResult, dryRun: boolean): void {
  const verb = dryRun && item.status === 'migrated' ? 'would migrate' : item.status;
  const detail = item.error
    ? `${item.error.step}${item.error.status ? ` ${item.error.status}` : ''}${item.error.code ? ` ${item.error.code}` : ''}: ${item.error.message}`
    : (item.reason ?? (item.previousDigest ? `re-pointed from ${item.previousDigest}` : ''));
  const line = `${verb.padEnd(10)} ${item.source} → ${item.target}${detail ? ` (${detail})` : ''}`;
  if (item.status === 'failed') logger.error(line);
  else if (item.status === 'stale' || item.status === 'incomplete') logger.warn(line);
  else logger.info(line);
}

function fatalFailure(error: unknown): StepFailure {
  if (error instanceof NameMappingError) return { step: 'config', message: `refused before anything was copied:\n${error.message}` };
  if (error instanceof StepError) return error.failure;
  return describeFailure('auth', error);
}

/** A URL as it may appear in logs and reports: never with user:password@. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
