// The clients a run talks through: the source (a registry, or a registry's storage directory),
// Harbor's /v2 registry and its API, and the upstream a pull-through cache mirrored. The one place
// that looks at the source URL to choose a client; everything after asks the client.
import { createHarborApi, type HarborApi } from '../harbor/api.js';
import { createRegistryClient } from '../registry/client.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { createStorageSource, isStorageUrl, type StorageSourceOptions } from '../registry/storage/index.js';
import { VERSION } from '../version.js';
import { INPUT_NAMING, type Endpoint, type SyncConfig } from './config.js';
import type { Logger } from '../model/events.js';
import { prefetchLimit } from '../transfer/prefetch.js';

export const USER_AGENT = `harbor-sync/${VERSION}`;

export interface Clients {
  source: RegistryClient;
  harbor: RegistryClient;
  api: HarborApi;
  /** upstream-registry, for repairs. */
  upstream?: RegistryClient;
}

/** `logger`: a storage source tells there what it does with a tarball, and how far along. */
export function createClients(config: SyncConfig, signal?: AbortSignal, logger?: Logger): Clients {
  const common = {
    userAgent: USER_AGENT,
    retry: config.retry,
    stallTimeoutSeconds: config.stallTimeoutSeconds,
    connections: Math.max(4, config.concurrency * 2),
    ...(signal && { signal }),
  };
  const endpoint = (e: Endpoint) => ({
    url: e.url,
    ...(e.credentials && { credentials: e.credentials }),
    ...(e.tls && { tls: e.tls }),
  });
  return {
    source: isStorageUrl(config.source.url)
      ? createStorageSource(config.source.url, storageOptions(config, signal, logger))
      : // Room beside the transfers for the GETs classification holds open (prefetch.ts).
        createRegistryClient({
          ...common,
          ...endpoint(config.source),
          connections: common.connections + prefetchLimit(config.concurrency),
        }),
    harbor: createRegistryClient({ ...common, ...endpoint(config.harbor) }),
    api: createHarborApi({ ...common, ...endpoint(config.harbor), connections: 4 }),
    ...(config.upstream && {
      upstream: createRegistryClient({
        ...common,
        ...endpoint(config.upstream),
        connections: config.upstreamConcurrency * 2,
      }),
    }),
  };
}

/** A tarball named by an http(s) URL is downloaded like a registry request: the source's
 * credentials (for that origin only) and TLS options, the run's retries and stall timeout. */
function storageOptions(config: SyncConfig, signal?: AbortSignal, logger?: Logger): StorageSourceOptions {
  return {
    userAgent: USER_AGENT,
    workDirOption: (config.naming ?? INPUT_NAMING).name('work-dir'),
    ...(config.workDir && { workDir: config.workDir }),
    ...(logger && { log: (message: string) => logger.info(message) }),
    retry: config.retry,
    stallTimeoutSeconds: config.stallTimeoutSeconds,
    ...(config.source.credentials && { credentials: config.source.credentials }),
    ...(config.source.tls && { tls: config.source.tls }),
    ...(signal && { signal }),
  };
}

export async function closeClients(clients: Clients): Promise<void> {
  await Promise.allSettled([
    clients.source.close(),
    clients.harbor.close(),
    clients.api.close(),
    clients.upstream?.close(),
  ]);
}

/** A URL as it may appear in logs and reports: never with user:password@, nor a query string or
 * fragment (a presigned tarball URL carries its signature there; registry URLs have neither). */
export function redactUrl(url: string): string {
  const u = URL.parse(url);
  if (!u) return url;
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/$/, '');
}
