// Reads from a proxy-cache project, as Harbor's repoproxy middleware and proxy controller serve them
// (docs/harbor.md §7.1; goharbor/harbor v2.15.2 src/server/middleware/repoproxy/proxy.go and tag.go,
// src/controller/proxy/controller.go). Where Harbor works in the background (caching a manifest
// after a grace period, tagging after a HEAD, deleting after an upstream 404) the double does the
// same work before it answers, so a test sees the result at once. Also simplified: a blob missing
// from the cache is fetched once (Harbor streams it, then fetches it again to store it); an index is
// cached only whole (below); the endpoint is always taken as healthy; the Redis copy of indexes,
// `max_upstream_conn` and Docker Hub's `library/` redirect are left out.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forward } from './backend-proxy.ts';
import type { ProjectRecord } from './database.ts';
import { DIGEST_RE, HarborError, sendError, sendJson } from './http-util.ts';
import type { Access } from './jwt.ts';
import type { HarborState } from './state.ts';

/** The registry endpoint a proxy-cache project mirrors, and the project's proxy settings. */
export interface ProxyUpstream {
  /** http://host:port of the upstream registry. */
  url: string;
  credentials?: { username: string; password: string };
  /** Project metadata `proxy_cache_local_on_not_found` (v2.15.1+); undefined when never set. */
  localOnNotFound?: boolean;
  /** Harbor v2.14.0–v2.15.0: an upstream 404 on a tag read deletes the cached artifact. */
  deleteOnNotFound: boolean;
  /** Tags a HEAD promised (`EnsureTag`), keyed `repo@digest`, applied once that digest is cached. */
  pendingTags: Map<string, Set<string>>;
  /** Bearer tokens from the upstream's token service, by scope. */
  tokens: Map<string, string>;
  /** Caching in progress, by `repo@digest`: one copy at a time (Harbor's inflightChecker). */
  inflight: Map<string, Promise<unknown>>;
}

/** One request the double sent to an upstream registry (or its token service). */
export interface UpstreamRequestRecord {
  project: string;
  method: string;
  /** Path on the upstream, e.g. /v2/<upstream repo>/manifests/<reference>. */
  path: string;
  kind: 'manifest' | 'blob' | 'tags' | 'token';
  reference?: 'tag' | 'digest';
  /** HTTP status; 0 when the upstream could not be reached. */
  status: number;
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
].join(', '); // `accepts` in src/pkg/registry/client.go
const MAX_MANIFEST = 4 * 1024 * 1024;
const MAX_BLOB = 256 * 1024 * 1024; // the double buffers blobs it caches; test images are small
const MAX_TAG_PAGES = 100;
const TOO_MANY = 'too many requests to upstream registry'; // tooManyRequestsError in proxy.go
// errors.NotFoundError(cause) reads "resource not found: <cause>" (src/lib/errors/const.go).

const UPSTREAM_CODE: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUEST',
};

interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const upstreamRepo = (project: ProjectRecord, repo: string): string => repo.slice(project.name.length + 1);

/** The whole body, or an error once it passes `limit` bytes (leaving the iterator cancels the stream). */
async function readCapped(res: Response, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > limit) throw new Error(`upstream answer over ${limit} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Calls the upstream with the endpoint's credential, following a Bearer challenge once; records it. */
async function callUpstream(
  state: HarborState,
  project: ProjectRecord,
  method: string,
  path: string,
  kind: UpstreamRequestRecord['kind'],
  opts: { reference?: string; accept?: string; limit: number },
): Promise<Reply> {
  const up = project.upstream!;
  const record = (status: number, url: string, k = kind): void => {
    const rec: UpstreamRequestRecord = {
      project: project.name,
      method: k === 'token' ? 'GET' : method,
      path: new URL(url).pathname,
      kind: k,
      status,
    };
    if (k !== 'token' && opts.reference !== undefined)
      rec.reference = DIGEST_RE.test(opts.reference) ? 'digest' : 'tag';
    state.upstreamRequests.push(rec);
  };
  const basic = up.credentials
    ? `Basic ${Buffer.from(`${up.credentials.username}:${up.credentials.password}`).toString('base64')}`
    : undefined;
  const send = async (url: string, authorization: string | undefined, k = kind): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (authorization) headers.authorization = authorization;
    if (opts.accept) headers.accept = opts.accept;
    let res: Response;
    try {
      res = await fetch(url, { method: k === 'token' ? 'GET' : method, headers });
    } catch (err) {
      record(0, url, k);
      throw err;
    }
    record(res.status, url, k);
    return { status: res.status, headers: res.headers, body: await readCapped(res, opts.limit) };
  };
  const url = `${up.url}${path}`;
  const scope = `repository:${path.split('/').slice(2, -2).join('/')}:pull`;
  const cached = up.tokens.get(scope);
  let reply = await send(url, cached ? `Bearer ${cached}` : basic);
  const challenge = reply.headers.get('www-authenticate') ?? '';
  if (reply.status === 401 && /^bearer\s/i.test(challenge)) {
    const params = new Map([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    const realm = new URL(params.get('realm') ?? '');
    if (params.get('service')) realm.searchParams.set('service', params.get('service')!);
    realm.searchParams.set('scope', params.get('scope') ?? scope);
    const tokenReply = await send(realm.toString(), basic, 'token');
    if (tokenReply.status !== 200) return reply;
    const parsed = JSON.parse(tokenReply.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = parsed.token || parsed.access_token;
    if (!token) return reply;
    up.tokens.set(scope, token);
    reply = await send(url, `Bearer ${token}`);
  }
  return reply;
}

/** A token the front mints for its own calls to the backend, as Harbor core talks to its registry. */
function backendAuth(state: HarborState, repo: string): string {
  const access: Access[] = [{ type: 'repository', name: repo, actions: ['pull', 'push'] }];
  return `Bearer ${state.signer.issue('harbor#proxy-cache-service', access, 300).token}`;
}

async function backendBlobExists(state: HarborState, repo: string, digest: string): Promise<boolean> {
  const res = await fetch(`${state.backendUrl}/v2/${repo}/blobs/${digest}`, {
    method: 'HEAD',
    headers: { authorization: backendAuth(state, repo) },
  });
  return res.status === 200;
}

async function pushBlobToBackend(state: HarborState, repo: string, digest: string, data: Buffer): Promise<void> {
  const auth = backendAuth(state, repo);
  const start = await fetch(`${state.backendUrl}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization: auth },
  });
  await start.arrayBuffer();
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) throw new Error(`backend upload start: ${start.status}`);
  const put = new URL(location, `${state.backendUrl}/`);
  put.searchParams.set('digest', digest);
  const res = await fetch(put, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(data),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`backend blob upload ${digest}: ${res.status}`);
}

/** Runs `work` after any earlier work on the same key, so a digest is never copied twice at once. */
async function serialised<T>(up: ProxyUpstream, key: string, work: () => Promise<T>): Promise<T> {
  const run = (up.inflight.get(key) ?? Promise.resolve()).then(work, work);
  up.inflight.set(key, run);
  try {
    return await run;
  } finally {
    if (up.inflight.get(key) === run) up.inflight.delete(key);
  }
}

/** Fetches a blob from the upstream into the backend unless it is there by now; else the upstream's status. */
function cacheBlob(state: HarborState, project: ProjectRecord, repo: string, digest: string): Promise<number> {
  return serialised(project.upstream!, `${repo}@${digest}`, async () => {
    if (await backendBlobExists(state, repo, digest)) return 200;
    return copyBlob(state, project, repo, digest);
  });
}

async function copyBlob(state: HarborState, project: ProjectRecord, repo: string, digest: string): Promise<number> {
  const path = `/v2/${upstreamRepo(project, repo)}/blobs/${digest}`;
  const reply = await callUpstream(state, project, 'GET', path, 'blob', { reference: digest, limit: MAX_BLOB });
  if (reply.status !== 200) return reply.status;
  if (sha256(reply.body) !== digest) throw new Error(`upstream blob ${digest} does not match its digest`);
  await pushBlobToBackend(state, repo, digest, reply.body);
  return 200;
}

/** Harbor's ManifestCache / ManifestListCache (src/controller/proxy/manifestcache.go), done at once:
 * blobs the backend lacks come from the upstream, then the manifest is stored by digest and, for a
 * read by tag, tagged. Harbor caches an index trimmed to the children it holds, under a new digest;
 * the double caches an index only when it holds every child, and otherwise not at all. */
function cacheManifest(
  state: HarborState,
  project: ProjectRecord,
  repo: string,
  body: Buffer,
  contentType: string,
  tag: string | undefined,
): Promise<void> {
  const digest = sha256(body);
  return serialised(project.upstream!, `${repo}@${digest}`, () =>
    storeManifest(state, project, repo, digest, body, contentType, tag),
  );
}

async function storeManifest(
  state: HarborState,
  project: ProjectRecord,
  repo: string,
  digest: string,
  body: Buffer,
  contentType: string,
  tag: string | undefined,
): Promise<void> {
  let m: {
    manifests?: { digest?: string }[];
    config?: { digest?: string };
    layers?: { digest?: string }[];
    fsLayers?: { blobSum?: string }[];
  };
  try {
    m = JSON.parse(body.toString('utf8')) as typeof m;
  } catch {
    return;
  }
  if (Array.isArray(m.manifests)) {
    if (!m.manifests.every((c) => c.digest && state.db.resolve(repo, c.digest))) return;
  } else {
    const blobs = [
      m.config?.digest,
      ...(m.layers ?? []).map((l) => l.digest),
      ...(m.fsLayers ?? []).map((l) => l.blobSum),
    ];
    for (const blob of new Set(blobs)) {
      if (!blob || !DIGEST_RE.test(blob)) continue;
      if ((await cacheBlob(state, project, repo, blob)) !== 200) return;
    }
  }
  const res = await fetch(`${state.backendUrl}/v2/${repo}/manifests/${digest}`, {
    method: 'PUT',
    headers: { authorization: backendAuth(state, repo), 'content-type': contentType },
    body: new Uint8Array(body),
  });
  await res.arrayBuffer();
  if (res.status !== 201) return;
  state.db.recordManifest(repo, digest, body, contentType, tag);
  ensurePendingTags(state, project, repo, digest);
}

/** `EnsureTag` after a HEAD by tag: the tag lands on the digest once Harbor holds that digest. */
function ensurePendingTags(state: HarborState, project: ProjectRecord, repo: string, digest: string): void {
  const key = `${repo}@${digest}`;
  const tags = project.upstream!.pendingTags.get(key);
  if (!tags || !state.db.resolve(repo, digest)) return;
  for (const tag of tags) state.db.ensureTag(repo, tag, digest);
  project.upstream!.pendingTags.delete(key);
}

/** GET/HEAD of a manifest in a proxy-cache project (`handleManifest` + `UseLocalManifest`). */
export async function proxyManifest(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  project: ProjectRecord,
  repo: string,
  reference: string,
  serveLocal: () => Promise<void>,
): Promise<void> {
  const up = project.upstream!;
  const byDigest = DIGEST_RE.test(reference);
  const local = state.db.resolve(repo, reference);
  // A digest Harbor holds is served without asking the upstream.
  if (local && byDigest) return serveLocal();

  const path = `/v2/${upstreamRepo(project, repo)}/manifests/${reference}`;
  const ask = (method: string): Promise<Reply | undefined> =>
    callUpstream(state, project, method, path, 'manifest', {
      reference,
      accept: MANIFEST_ACCEPT,
      limit: MAX_MANIFEST,
    }).catch(() => undefined);
  const tagName = byDigest ? '' : reference;
  const head = await ask('HEAD');
  // Unreachable, 401, 5xx …: any error but "not found" and "rate limited" falls back to the cache.
  if (!head) return serveLocal();
  if (head.status === 429) {
    if (local) return serveLocal();
    return sendError(req, res, new HarborError('TOO_MANY_REQUEST', TOO_MANY));
  }
  if (head.status === 404) {
    if (local && up.localOnNotFound) return serveLocal();
    if (local && up.deleteOnNotFound) deleteCached(state, project, repo, local.digest);
    return sendError(
      req,
      res,
      new HarborError('NOT_FOUND', `resource not found: repo ${repo}, tag ${tagName} not found`),
    );
  }
  if (head.status < 200 || head.status > 299) return serveLocal();
  const upstreamDigest = head.headers.get('docker-content-digest') ?? '';
  if (local && upstreamDigest === local.digest) return serveLocal();

  if (req.method === 'HEAD') {
    // proxyManifestHead: a second HEAD, answered with the upstream's descriptor.
    const again = await ask('HEAD');
    if (!again) return serveLocal();
    if (again.status === 404)
      return sendError(
        req,
        res,
        new HarborError('NOT_FOUND', `resource not found: the tag ${repo}:${tagName} is not found`),
      );
    if (again.status === 429) return sendError(req, res, new HarborError('TOO_MANY_REQUEST', TOO_MANY));
    if (again.status < 200 || again.status > 299) return serveLocal();
    const digest = again.headers.get('docker-content-digest') ?? '';
    if (!byDigest && DIGEST_RE.test(digest)) {
      const key = `${repo}@${digest}`;
      up.pendingTags.set(key, (up.pendingTags.get(key) ?? new Set()).add(reference));
      ensurePendingTags(state, project, repo, digest);
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', again.headers.get('content-type') ?? '');
    res.setHeader('Content-Length', again.headers.get('content-length') ?? '0');
    res.setHeader('Docker-Content-Digest', digest);
    res.setHeader('Etag', digest);
    return void res.end();
  }

  // proxyManifestGet: the upstream's manifest, cached, then sent.
  const got = await ask('GET');
  if (!got) return serveLocal();
  if (got.status === 404)
    return sendError(
      req,
      res,
      new HarborError('NOT_FOUND', `resource not found: repo ${repo}, tag ${tagName} not found`),
    );
  if (got.status === 429) return sendError(req, res, new HarborError('TOO_MANY_REQUEST', TOO_MANY));
  if (got.status !== 200 || (byDigest && sha256(got.body) !== reference)) return serveLocal();
  const contentType = got.headers.get('content-type') ?? 'application/vnd.oci.image.manifest.v1+json';
  await cacheManifest(state, project, repo, got.body, contentType, byDigest ? undefined : reference);
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', got.body.length);
  // setHeaders(…, art.Digest) takes the digest from the request: empty on a read by tag.
  res.setHeader('Docker-Content-Digest', byDigest ? reference : '');
  res.setHeader('Etag', byDigest ? reference : '');
  res.end(got.body);
}

/** v2.14.0–v2.15.0: `DeleteManifest(repo, digest)` through Harbor's own /v2 DELETE, which removes the
 * artifact and every tag on it (not the backend's files: that is GC's job), and which an immutable
 * tag refuses (docs/harbor.md §6 policy errors). */
function deleteCached(state: HarborState, project: ProjectRecord, repo: string, digest: string): void {
  const pattern = project.immutableTagPattern;
  if (pattern && state.db.tagsOf(repo, digest).some((t) => pattern.test(t.name))) return;
  state.db.deleteArtifact(repo, digest);
}

/** GET of a blob in a proxy-cache project (`handleBlob`): the backend's copy, else the upstream's. */
export async function proxyBlob(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  project: ProjectRecord,
  repo: string,
  digest: string,
  sub: string,
): Promise<void> {
  const serveLocal = async (): Promise<void> =>
    void (await forward(state, req, res, {
      path: `/v2/${repo}/blobs/${digest}`,
      access: [{ type: 'repository', name: repo, actions: ['pull'] }],
      sub,
    }));
  if (!DIGEST_RE.test(digest) || (await backendBlobExists(state, repo, digest))) return serveLocal();
  let status: number;
  try {
    status = await cacheBlob(state, project, repo, digest);
  } catch {
    return sendError(req, res, new HarborError('UNKNOWN', 'upstream failed'));
  }
  if (status === 200) return serveLocal();
  // The upstream's status becomes Harbor's code (`do` in src/pkg/registry/client.go), the body elided.
  const code = UPSTREAM_CODE[status] ?? 'UNKNOWN';
  sendError(req, res, new HarborError(code, `http status code: ${status}, body: `));
}

/** tags/list in a proxy-cache project (`TagsListMiddleware`): Harbor's tags plus the upstream's;
 * when the upstream fails, Harbor's alone. Never 404. */
export async function proxyTagsList(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  project: ProjectRecord,
  repo: string,
  url: URL,
  page: (all: string[]) => string[],
): Promise<void> {
  const n = url.searchParams.get('n');
  const tags = new Set(n === '0' ? [] : (state.db.repository(repo)?.tags.keys() ?? []));
  let path: string | undefined = n === '0' ? undefined : `/v2/${upstreamRepo(project, repo)}/tags/list`;
  const upstreamTags: string[] = [];
  for (let pages = 0; path && pages < MAX_TAG_PAGES; pages++) {
    const reply = await callUpstream(state, project, 'GET', path, 'tags', { limit: MAX_MANIFEST }).catch(
      () => undefined,
    );
    if (reply?.status !== 200) {
      upstreamTags.length = 0;
      break;
    }
    try {
      upstreamTags.push(...((JSON.parse(reply.body.toString('utf8')) as { tags?: string[] | null }).tags ?? []));
    } catch {
      upstreamTags.length = 0;
      break;
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(reply.headers.get('link') ?? '')?.[1];
    path = next
      ? new URL(next, project.upstream!.url).pathname + new URL(next, project.upstream!.url).search
      : undefined;
  }
  for (const t of upstreamTags) tags.add(t);
  try {
    sendJson(req, res, 200, { name: repo, tags: page([...tags].sort()) });
  } catch (err) {
    sendError(req, res, err as HarborError);
  }
}
