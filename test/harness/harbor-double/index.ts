// A Harbor 2.x double built the way Harbor is: a real distribution registry (`auth: token`) as the
// backend, behind a node:http front that plays Harbor core (token service, /v2 middlewares, API).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRegistry, type RunningRegistry } from '../registry.ts';
import { freePort } from '../ports.ts';
import { HARBOR_ADMIN } from './admin.ts';
import { handleApi } from './api.ts';
import { damageStorage, type Damage } from './damage.ts';
import { newBackendAgent } from './backend-proxy.ts';
import { Database, type ProjectRecord } from './database.ts';
import { DIGEST_RE, HarborError, sendError } from './http-util.ts';
import { Identities, type RobotConfig } from './identities.ts';
import { CERT_PATH, loadSigner, TOKEN_ISSUER, TOKEN_SERVICE } from './jwt.ts';
import type { UpstreamRequestRecord } from './proxy-cache.ts';
import type { HarborState, ResolvedOptions } from './state.ts';
import { handleToken } from './token-service.ts';
import { handleV2, parseV2 } from './v2-front.ts';

export type { ProjectRecord } from './database.ts';
export type { UpstreamRequestRecord } from './proxy-cache.ts';
export { HARBOR_ADMIN } from './admin.ts';

export interface HarborDoubleOptions {
  admin?: { username: string; password: string }; // default HARBOR_ADMIN
  users?: { username: string; password: string }[];
  robots?: RobotConfig[]; // name without prefix; `<project>+<name>` is a project robot
  robotPrefix?: string; // default 'robot$'
  tokenTtlSeconds?: number; // default 1800
  projectCreationRestriction?: 'everyone' | 'adminonly'; // default 'everyone'
  version?: string; // default 'v2.15.2-080b0220'
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  kind: string;
  /** The query string, `?…` or ''. */
  query: string;
  /** For a manifest request: whether it named a tag or a digest. */
  reference?: 'tag' | 'digest';
}

/** A proxy-cache project bound to a real upstream registry (docs/harbor.md §7). */
export interface ProxyProjectOptions {
  /** http://host:port of the upstream, e.g. a registry from test/harness/registry.ts. */
  upstreamUrl: string;
  /** The registry endpoint's credential (`access_key` / `access_secret`). */
  credentials?: { username: string; password: string };
  /** Project metadata `proxy_cache_local_on_not_found` (v2.15.1+; docs/harbor.md §7.1). */
  localOnNotFound?: boolean;
  /** Behave as Harbor v2.14.0–v2.15.0 do: an upstream 404 on a read by tag deletes the cached
   * artifact that tag named (docs/harbor.md §7.1). Off by default, as in v2.15.2. */
  deleteOnUpstreamNotFound?: boolean;
  public?: boolean;
}

export interface HarborDouble {
  url: string; // http://127.0.0.1:<port>
  host: string; // 127.0.0.1:<port>
  admin: { username: string; password: string };
  registry: RunningRegistry; // the backend
  requests: RequestRecord[];
  /** What the double asked proxy-cache upstreams, in order. */
  upstreamRequests: UpstreamRequestRecord[];
  /** Empties `requests` and `upstreamRequests`. */
  resetRequests(): void;
  projects(): ProjectRecord[];
  createProject(name: string, options?: { public?: boolean; owner?: string; createdAt?: Date }): ProjectRecord;
  tagDigest(repository: string, tag: string): string | undefined; // repository = 'project/path'
  setReadOnly(on: boolean): void;
  setImmutable(project: string, tagPattern: RegExp | null, glob?: string): void;
  /** Makes a project a proxy-cache project of registry endpoint `registryId` (docs/harbor.md §7). */
  setProxyCache(project: string, registryId: number): void;
  /** Creates a proxy-cache project that reads through `upstreamUrl`, with the retention policy
   * Harbor attaches to one (docs/harbor.md §7, §11.2). Pull through it to fill its cache. */
  createProxyProject(name: string, options: ProxyProjectOptions): ProjectRecord;
  /** Gives a project a tag-retention policy (docs/harbor.md §11.2); returns its id. */
  setRetention(project: string, policy: Record<string, unknown>): number;
  /** Loses content as a garbage collection would: the data of these digests goes from the backend's
   * storage; tags, links and the database stay (damage.ts). */
  damage(lost: Damage): Promise<void>;
  /** Key ID of the token signing key (docs/harbor.md §9), for tests. */
  kid: string;
  stop(): Promise<void>;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function referenceOf(pathname: string): 'tag' | 'digest' | undefined {
  const route = parseV2(pathname);
  if (route.kind !== 'manifest') return undefined;
  return DIGEST_RE.test(route.reference) ? 'digest' : 'tag';
}

function kindOf(pathname: string): string {
  if (pathname.startsWith('/service/token')) return 'token';
  if (pathname.startsWith('/api/')) return pathname === '/api/v2.0/ping' ? 'ping' : 'api';
  if (!pathname.startsWith('/v2')) return 'other';
  const route = parseV2(pathname);
  switch (route.kind) {
    case 'base':
      return 'ping';
    case 'catalog':
      return 'catalog';
    case 'tags':
      return 'tags';
    case 'manifest':
      return 'manifest';
    case 'blob':
      return 'blob';
    case 'upload':
      return 'upload';
    default:
      return 'other';
  }
}

export async function startHarborDouble(options: HarborDoubleOptions = {}): Promise<HarborDouble> {
  const resolved: ResolvedOptions = {
    admin: options.admin ?? { ...HARBOR_ADMIN },
    users: options.users ?? [],
    robots: options.robots ?? [],
    robotPrefix: options.robotPrefix ?? 'robot$',
    tokenTtlSeconds: options.tokenTtlSeconds ?? 1800,
    projectCreationRestriction: options.projectCreationRestriction ?? 'everyone',
    version: options.version ?? 'v2.15.2-080b0220',
  };
  const signer = loadSigner();
  // The realm needs the front's URL before the backend starts, so the front's port comes first.
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const state: HarborState = {
    db: new Database(),
    identities: new Identities(resolved),
    signer,
    options: resolved,
    readOnly: false,
    frontHost: host,
    backendUrl: '',
    agent: newBackendAgent(),
    upstreamRequests: [],
  };
  const requests: RequestRecord[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const kind = kindOf(url.pathname);
    const reference = referenceOf(url.pathname);
    res.on('finish', () =>
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        status: res.statusCode,
        kind,
        query: url.search,
        ...(reference && { reference }),
      }),
    );
    void handle(state, req, res, url).catch((err: unknown) => {
      if (!res.headersSent) sendError(req, res, new HarborError('UNKNOWN', String(err)));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  let registry: RunningRegistry;
  try {
    registry = await startRegistry({
      token: {
        realm: `http://${host}/service/token`,
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        rootCertBundle: CERT_PATH,
      },
    });
  } catch (err) {
    server.close();
    throw err;
  }
  state.backendUrl = registry.url;
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}`,
    host,
    admin: resolved.admin,
    registry,
    requests,
    upstreamRequests: state.upstreamRequests,
    kid: signer.kid,
    resetRequests: () => {
      requests.splice(0, requests.length);
      state.upstreamRequests.splice(0, state.upstreamRequests.length);
    },
    projects: () => [...state.db.projects.values()],
    createProject: (name, opts = {}) => {
      const p = state.db.createProject(name, opts);
      // A user who creates a project becomes its project admin.
      if (opts.owner && opts.owner !== resolved.admin.username) p.members.set(opts.owner, ['pull', 'push']);
      return p;
    },
    tagDigest: (repository, tag) => state.db.repository(repository)?.tags.get(tag)?.digest,
    setReadOnly: (on) => void (state.readOnly = on),
    setImmutable: (project, pattern, glob) => {
      const p = state.db.project(project);
      if (!p) throw new Error(`no project ${project}`);
      p.immutableTagPattern = pattern;
      p.immutableTagGlob = glob ?? pattern?.source;
    },
    setProxyCache: (project, registryId) => {
      const p = state.db.project(project);
      if (!p) throw new Error(`no project ${project}`);
      p.registryId = registryId;
    },
    createProxyProject: (name, opts) => {
      const p = state.db.createProject(name, { public: opts.public ?? false });
      p.registryId = p.id;
      p.upstream = {
        url: opts.upstreamUrl.replace(/\/+$/, ''),
        ...(opts.credentials && { credentials: opts.credentials }),
        ...(opts.localOnNotFound !== undefined && { localOnNotFound: opts.localOnNotFound }),
        deleteOnNotFound: opts.deleteOnUpstreamNotFound ?? false,
        pendingTags: new Map(),
        tokens: new Map(),
        inflight: new Map(),
      };
      p.retention = { id: 100 + p.id, policy: proxyRetentionPolicy(p.id) };
      return p;
    },
    damage: (lost) => damageStorage(registry.storageDir, lost),
    setRetention: (project, policy) => {
      const p = state.db.project(project);
      if (!p) throw new Error(`no project ${project}`);
      p.retention = { id: 100 + p.id, policy };
      return p.retention.id;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      state.agent.destroy();
      await registry.stop();
    },
  };
}

/** The policy Harbor gives a new proxy-cache project: keep what was pulled in the last 7 days
 * (`WithNDaysSinceLastPull`; docs/harbor.md §11.2). */
function proxyRetentionPolicy(projectId: number): Record<string, unknown> {
  return {
    algorithm: 'or',
    rules: [
      {
        id: 1,
        priority: 1,
        disabled: false,
        action: 'retain',
        template: 'nDaysSinceLastPull',
        params: { nDaysSinceLastPull: 7 },
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }],
        scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
      },
    ],
    trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
    scope: { level: 'project', ref: projectId },
  };
}

async function handle(state: HarborState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  // Every response carries X-Request-Id: the caller's own, else a new UUID (docs/harbor.md §5).
  const requestId = req.headers['x-request-id'];
  res.setHeader('X-Request-Id', typeof requestId === 'string' && requestId ? requestId : randomUUID());
  const p = url.pathname;
  const method = req.method ?? 'GET';
  const underHarbor = p.startsWith('/api/') || p.startsWith('/v2') || p.startsWith('/service/');

  // CSRF: these paths skip the check unless the request carries the `sid` cookie (docs/harbor.md §5).
  if (underHarbor && WRITE_METHODS.has(method) && /(?:^|;\s*)sid=/.test(req.headers.cookie ?? '')) {
    req.resume();
    return sendError(req, res, new HarborError('FORBIDDEN', 'CSRF token invalid'));
  }
  // API responses open a session, so a client that keeps cookies walks into the trap above.
  if (p.startsWith('/api/')) res.setHeader('Set-Cookie', `sid=${randomBytes(16).toString('hex')}; Path=/; HttpOnly`);

  // Read-only mode refuses every write (docs/harbor.md §6 policy errors).
  if (state.readOnly && WRITE_METHODS.has(method) && (p.startsWith('/api/') || p.startsWith('/v2'))) {
    req.resume();
    return sendError(
      req,
      res,
      new HarborError('DENIED', 'The system is in read only mode. Any modification is prohibited.'),
    );
  }
  if (p === '/service/token') return handleToken(state, req, res, url);
  if (p.startsWith('/api/v2.0/') || p === '/api/v2.0') return handleApi(state, req, res, url);
  if (p === '/v2' || p.startsWith('/v2/')) return handleV2(state, req, res, url);
  req.resume();
  sendError(req, res, new HarborError('NOT_FOUND', 'not found'));
}
