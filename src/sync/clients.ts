// The clients a run talks through: the source (opened by the kind its URL names, src/sources),
// Harbor's /v2 registry and its API, and the upstream a pull-through cache mirrored. Everything
// after asks the client.
import { createHarborApi, type HarborApi } from '../harbor/api.js';
import { createRegistryClient } from '../registry/distribution-client.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { openSource } from '../sources/source-kinds.js';
import { VERSION } from '../version.js';
import { INPUT_NAMING, type Endpoint, type SyncConfig } from '../model/config.js';
import type { Logger } from '../model/events.js';
import { prefetchConnections } from '../transfer/prefetch.js';

export const USER_AGENT = `harbor-sync/${VERSION}`;

export interface Clients {
  source: RegistryClient;
  harbor: RegistryClient;
  api: HarborApi;
  /** upstream-registry, for repairs. */
  upstream?: RegistryClient;
}

/** `logger`: a source tells there what it does at length (a tarball indexed), and how far along. */
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
    source: openSource({
      source: config.source,
      harbor: config.harbor,
      // Room beside the transfers for the GETs classification holds open (prefetch.ts).
      connection: { ...common, connections: common.connections + prefetchConnections(config.concurrency) },
      ...(config.workDir && { workDir: config.workDir }),
      naming: config.naming ?? INPUT_NAMING,
      ...(logger && { logger }),
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
