// The one engine behind the action and the CLI: creates the clients, runs the sync (run.ts),
// handles interruption, and always returns a result: one tag's trouble never throws, and a
// problem that stops the whole run is the result's `fatal`.
import pLimit from 'p-limit';
import { createRegistryClient, type RegistryClient } from '../registry/client.js';
import { createHarborApi, type HarborApi } from '../harbor/api.js';
import { createStorageSource, isStorageUrl, type StorageSourceOptions } from '../registry/storage/index.js';
import { NameMappingError } from '../harbor/names.js';
import { StepError, describeFailure } from './failure.js';
import { prefetchLimit } from './prefetch.js';
import { executeRun } from './run.js';
import type { Endpoint, Logger, StepFailure, SyncConfig, SyncResult } from './types.js';

export const USER_AGENT = 'harbor-sync/0.1';

export interface Clients {
  source: RegistryClient;
  harbor: RegistryClient;
  api: HarborApi;
  /** upstream-registry, for repairs. */
  upstream?: RegistryClient;
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
    // Room beside the transfers for the GETs classification holds open (prefetch.ts).
    source: isStorageUrl(config.source.url)
      ? createStorageSource(config.source.url, storageOptions(config, signal))
      : createRegistryClient({ ...common, ...endpoint(config.source), connections: common.connections + prefetchLimit(config.concurrency) }),
    harbor: createRegistryClient({ ...common, ...endpoint(config.harbor) }),
    api: createHarborApi({ ...common, ...endpoint(config.harbor), connections: 4 }),
    ...(config.upstream && { upstream: createRegistryClient({ ...common, ...endpoint(config.upstream), connections: config.upstreamConcurrency * 2 }) }),
  };
}

/** A tarball named by an http(s) URL is downloaded like a registry request: the source's
 * credentials (for that origin only) and TLS options, the run's retries and stall timeout. */
function storageOptions(config: SyncConfig, signal?: AbortSignal): StorageSourceOptions {
  return {
    userAgent: USER_AGENT,
    retry: config.retry,
    stallTimeoutSeconds: config.stallTimeoutSeconds,
    ...(config.source.credentials && { credentials: config.source.credentials }),
    ...(config.source.tls && { tls: config.source.tls }),
    ...(signal && { signal }),
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
    await executeRun(config, logger, clients, result, { stop, abandon: abandon.signal });
  } catch (error) {
    result.fatal = fatalFailure(error);
    logger.error(`${result.fatal.message}${result.fatal.hint ? ` — ${result.fatal.hint}` : ''}`);
  } finally {
    stop?.removeEventListener('abort', onStop);
    const all = clients;
    await Promise.allSettled([all.source.close(), all.harbor.close(), all.api.close(), all.upstream?.close()]);
  }
  if (stop?.aborted) result.interrupted = true;
  const finished = new Date();
  result.finishedAt = finished.toISOString();
  result.seconds = (finished.getTime() - started.getTime()) / 1000;
  return result;
}

function fatalFailure(error: unknown): StepFailure {
  if (error instanceof NameMappingError) return { step: 'config', message: `refused before anything was copied:\n${error.message}` };
  if (error instanceof StepError) return error.failure;
  return describeFailure('auth', error);
}

/** A URL as it may appear in logs and reports: never with user:password@, nor a query string or
 * fragment (a presigned tarball URL carries its signature there; registry URLs have neither). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
