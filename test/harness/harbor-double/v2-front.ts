// The /v2 front: Harbor core's registry middlewares (artifact info, security, v2auth) and its own
// handlers for manifests, tags/list, _catalog and referrers; everything else is proxied to the backend.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forward } from './backend-proxy.ts';
import type { Action, ProjectRecord } from './database.ts';
import { basicCredentials, bearerToken, HarborError, readBody, sendError, sendJson } from './http-util.ts';
import { ANONYMOUS, type Identity } from './identities.ts';
import { TOKEN_SERVICE, type Access, type TokenClaims } from './jwt.ts';
import { proxyBlob, proxyManifest, proxyTagsList } from './proxy-cache.ts';
import type { HarborState } from './state.ts';

const MAX_MANIFEST = 4 * 1024 * 1024; // maxManifestBodySize in distribution v2.8.3 (docs/harbor.md §6)
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const API_VERSION = { 'Docker-Distribution-Api-Version': 'registry/2.0' };

export type V2Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'manifest'; repo: string; reference: string }
  | { kind: 'blob'; repo: string; digest: string }
  | { kind: 'upload'; repo: string; rest: string }
  | { kind: 'tags'; repo: string }
  | { kind: 'referrers'; repo: string; digest: string }
  | { kind: 'other' };

export function parseV2(pathname: string): V2Route {
  if (pathname === '/v2' || pathname === '/v2/') return { kind: 'base' };
  if (pathname === '/v2/_catalog') return { kind: 'catalog' };
  let m = /^\/v2\/(.+)\/blobs\/uploads\/?(.*)$/.exec(pathname);
  if (m) return { kind: 'upload', repo: m[1]!, rest: m[2]! };
  if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname)))
    return { kind: 'manifest', repo: m[1]!, reference: m[2]! };
  if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(pathname))) return { kind: 'blob', repo: m[1]!, digest: m[2]! };
  if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(pathname))) return { kind: 'tags', repo: m[1]! };
  if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(pathname))) return { kind: 'referrers', repo: m[1]!, digest: m[2]! };
  return { kind: 'other' };
}

/** What the security middleware made of the request. */
interface Security {
  identity: Identity;
  /** Set when a bearer token was accepted: its access claims decide (v2_token.go). */
  claims?: TokenClaims;
  authenticated: boolean;
}

interface Need {
  repo: string;
  action: Action;
}

export async function handleV2(state: HarborState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
  const route = parseV2(url.pathname);
  const method = req.method ?? 'GET';

  if (route.kind === 'other') return sendError(req, res, new HarborError('NOT_FOUND', 'not found'));

  // docs/harbor.md §2.4: single-component repositories are refused before authentication.
  const mountFrom =
    route.kind === 'upload' && method === 'POST' && url.searchParams.get('mount')
      ? (url.searchParams.get('from') ?? '')
      : undefined;
  if ('repo' in route && !route.repo.includes('/')) {
    return sendError(req, res, new HarborError('BAD_REQUEST', `invalid repository name: ${route.repo}`));
  }
  // docs/harbor.md §6: a mount `from` with a single path component is a 400 too.
  if (mountFrom !== undefined && !mountFrom.includes('/')) {
    return sendError(req, res, new HarborError('BAD_REQUEST', `invalid repository name: ${mountFrom}`));
  }

  const needs: Need[] = [];
  if ('repo' in route) {
    const action: Action = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
    needs.push({ repo: route.repo, action });
    if (mountFrom !== undefined) needs.push({ repo: mountFrom, action: 'pull' }); // docs/harbor.md §6 mount
  }
  const sec = security(state, req, needs);

  // v2auth (docs/harbor.md §1, §2, §6).
  if (route.kind === 'base') {
    // A token with an empty subject is not authenticated on GET /v2/ (docs/harbor.md §1).
    if (!sec.authenticated) return unauthorized(state, req, res, [], 'unauthorized');
    return void (await forward(state, req, res, { path: '/v2/', access: [], sub: sec.identity.name }));
  }
  if (route.kind === 'catalog') {
    // Catalog needs a system admin via Basic; bearer tokens never work here (docs/harbor.md §6).
    if (!(sec.claims === undefined && state.identities.isSysadmin(sec.identity))) {
      return unauthorized(state, req, res, [], 'unauthorized to list catalog');
    }
    return catalog(state, req, res, url);
  }
  for (const need of needs) {
    // Without any Authorization header a GET/HEAD always gets the challenge, even on a public project (#11271).
    if (!req.headers.authorization && (method === 'GET' || method === 'HEAD')) {
      return unauthorized(state, req, res, needs, 'authorize header needed to send HEAD to repository');
    }
    const projectName = need.repo.split('/')[0]!;
    if (!state.db.project(projectName)) {
      // docs/harbor.md §2.3: "not found" becomes UNAUTHORIZED with an empty Www-Authenticate.
      const msg = `project ${projectName} not found`;
      return sendError(req, res, new HarborError('UNAUTHORIZED', `${msg}: ${msg}`, { 'Www-Authenticate': '' }));
    }
    if (!can(state, sec, need)) {
      const msg = `unauthorized to access repository: ${need.repo}, action: ${need.action}`;
      return unauthorized(state, req, res, needs, `${msg}: ${msg}`); // wrapped errors read doubled (docs/harbor.md, Errors)
    }
    // A proxy-cache project refuses every push (repoproxy middleware, docs/harbor.md §7); DeniedError
    // puts "denied: " before the cause.
    if (need.action === 'push' && state.db.project(projectName)?.registryId) {
      req.resume();
      const msg = `denied: can not push artifact to a proxy project: ${projectName}`;
      return sendError(req, res, new HarborError('DENIED', msg));
    }
  }

  const repo = (route as { repo: string }).repo;
  const sub = sec.identity.name;
  const pullPush: Access = { type: 'repository', name: repo, actions: ['pull', 'push'] };
  // Reads in a proxy-cache project go through the repoproxy middleware first (docs/harbor.md §7.1).
  const proxy = state.db.project(repo.split('/')[0]!);
  if (proxy?.upstream && (method === 'GET' || method === 'HEAD')) {
    if (route.kind === 'manifest') {
      const local = () => getManifest(state, req, res, repo, route.reference, sub);
      return proxyManifest(state, req, res, proxy, repo, route.reference, local);
    }
    // Only GET: a blob HEAD has no proxy middleware and answers from the backend alone.
    if (route.kind === 'blob' && method === 'GET') return proxyBlob(state, req, res, proxy, repo, route.digest, sub);
    if (route.kind === 'tags') {
      const paged = (all: string[]) => page(all, url, `/v2/${repo}/tags/list`, res);
      return proxyTagsList(state, req, res, proxy, repo, url, paged);
    }
  }
  switch (route.kind) {
    case 'manifest':
      if (method === 'GET' || method === 'HEAD') return getManifest(state, req, res, repo, route.reference, sub);
      if (method === 'PUT') return putManifest(state, req, res, repo, route.reference, sub);
      if (method === 'DELETE') return deleteManifest(state, req, res, repo, route.reference);
      return sendError(req, res, new HarborError('UNSUPPORTED', 'The operation is unsupported.'));
    case 'tags':
      return tagsList(state, req, res, repo, url);
    case 'referrers':
      return referrers(state, req, res, repo, route.digest, url);
    case 'blob':
      return void (await forward(state, req, res, {
        path: url.pathname + url.search,
        access: [{ type: 'repository', name: repo, actions: method === 'DELETE' ? ['delete'] : ['pull'] }],
        sub,
      }));
    case 'upload': {
      const access = [pullPush];
      if (mountFrom !== undefined) access.push({ type: 'repository', name: mountFrom, actions: ['pull'] });
      return void (await forward(state, req, res, { path: url.pathname + url.search, access, sub }));
    }
  }
}

/** Basic credentials, or a verified bearer token unless it predates a project it names (docs/harbor.md §1). */
function security(state: HarborState, req: IncomingMessage, needs: Need[]): Security {
  const creds = basicCredentials(req);
  if (creds) {
    // Wrong credentials: carry on as anonymous (docs/harbor.md §1).
    const identity = state.identities.authenticate(creds.username, creds.password) ?? ANONYMOUS;
    return { identity, authenticated: identity.kind !== 'anonymous' };
  }
  const raw = bearerToken(req);
  if (raw) {
    const claims = state.signer.verify(raw);
    if (!claims) return { identity: ANONYMOUS, authenticated: false };
    for (const need of needs) {
      // A token issued before its project (iat + 60 s < creation) or naming a missing project is
      // ignored, mount source included (docs/harbor.md §1, v2_token.go).
      const project = state.db.project(need.repo.split('/')[0]!);
      if (!project || (claims.iat + 60) * 1000 < project.createdAt.getTime())
        return { identity: ANONYMOUS, authenticated: false };
    }
    const identity: Identity = claims.sub ? { kind: 'user', name: claims.sub, sysadmin: false, id: 0 } : ANONYMOUS;
    return { identity, claims, authenticated: claims.sub !== '' };
  }
  return { identity: ANONYMOUS, authenticated: false };
}

function can(state: HarborState, sec: Security, need: Need): boolean {
  if (sec.claims) {
    return sec.claims.access.some(
      (a) => a.type === 'repository' && a.name === need.repo && a.actions.includes(need.action),
    );
  }
  const project: ProjectRecord | undefined = state.db.project(need.repo.split('/')[0]!);
  return state.identities.actionsOn(sec.identity, project).includes(need.action);
}

/** 401 with Harbor's challenge: Basic when any Authorization was sent, else Bearer with scopes (docs/harbor.md §1). */
function unauthorized(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  needs: Need[],
  message: string,
): void {
  let challenge: string;
  if (req.headers.authorization || new URL(req.url ?? '/', 'http://x').pathname === '/v2/_catalog') {
    challenge = 'Basic realm="harbor"';
  } else {
    const host = req.headers.host ?? state.frontHost;
    challenge = `Bearer realm="http://${host}/service/token",service="${TOKEN_SERVICE}"`;
    const scope = needs.map((n) => `repository:${n.repo}:${n.action === 'push' ? 'pull,push' : n.action}`).join(' ');
    if (scope) challenge += `,scope="${scope}"`;
  }
  sendError(req, res, new HarborError('UNAUTHORIZED', message, { ...API_VERSION, 'Www-Authenticate': challenge }));
}

/** GET/HEAD look the artifact up in Harbor's database first: a miss is 404 NOT_FOUND (docs/harbor.md §6). */
async function getManifest(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  repo: string,
  reference: string,
  sub: string,
): Promise<void> {
  const art = state.db.resolve(repo, reference);
  if (!art) {
    const sep = DIGEST_RE.test(reference) ? '@' : ':';
    return sendError(req, res, new HarborError('NOT_FOUND', `artifact ${repo}${sep}${reference} not found`));
  }
  await forward(state, req, res, {
    path: `/v2/${repo}/manifests/${art.digest}`,
    access: [{ type: 'repository', name: repo, actions: ['pull'] }],
    sub,
  });
}

/** PUT by tag: Harbor stores the manifest under its digest and records the tag itself (docs/harbor.md §6). */
async function putManifest(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  repo: string,
  reference: string,
  sub: string,
): Promise<void> {
  const byDigest = DIGEST_RE.test(reference);
  const project = state.db.project(repo.split('/')[0]!)!;
  // Overwriting an existing tag that matches an immutability rule → 412 (docs/harbor.md §6 policy errors).
  // The message names the repository without its project, as Harbor's ParseRepository leaves it.
  if (!byDigest && project.immutableTagPattern?.test(reference) && state.db.repository(repo)?.tags.has(reference)) {
    req.resume();
    const short = repo.slice(repo.indexOf('/') + 1);
    return sendError(
      req,
      res,
      new HarborError(
        'PRECONDITION',
        `Failed to process request due to '${short}:${reference}' configured as immutable.`,
      ),
    );
  }
  const body = await readBody(req, MAX_MANIFEST);
  if (!body) return sendError(req, res, new HarborError('MANIFEST_INVALID', 'manifest invalid: payload exceeds 4 MiB')); // docs/harbor.md §6
  const digest = byDigest ? reference : `sha256:${createHash('sha256').update(body).digest('hex')}`;
  let subject: string | undefined;
  try {
    subject = (JSON.parse(body.toString('utf8')) as { subject?: { digest?: string } }).subject?.digest;
  } catch {
    // Unparseable: the backend answers MANIFEST_INVALID in its own format (docs/harbor.md, Errors).
  }
  await forward(state, req, res, {
    path: `/v2/${repo}/manifests/${digest}`,
    access: [{ type: 'repository', name: repo, actions: ['pull', 'push'] }],
    sub,
    body,
    onResponse: (status) => {
      if (status !== 201) return; // backend errors (MANIFEST_BLOB_UNKNOWN …) pass through unchanged
      state.db.recordManifest(repo, digest, body, req.headers['content-type'], byDigest ? undefined : reference);
      // Since v2.9.0 a manifest with a subject answers OCI-Subject (docs/harbor.md §6).
      return subject ? { 'OCI-Subject': subject } : undefined;
    },
  });
}

/** DELETE takes a digest only; Harbor removes the artifact from its database and answers 202 (docs/harbor.md §6). */
function deleteManifest(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  repo: string,
  reference: string,
): void {
  if (!DIGEST_RE.test(reference)) {
    return sendError(req, res, new HarborError('UNSUPPORTED', 'The operation is unsupported.'));
  }
  const pattern = state.db.project(repo.split('/')[0]!)?.immutableTagPattern;
  const immutable = pattern ? state.db.tagsOf(repo, reference).find((t) => pattern.test(t.name)) : undefined;
  if (immutable) {
    const short = repo.slice(repo.indexOf('/') + 1);
    return sendError(
      req,
      res,
      new HarborError(
        'PRECONDITION',
        `Failed to process request due to '${short}:${immutable.name}' configured as immutable.`,
      ),
    );
  }
  if (!state.db.deleteArtifact(repo, reference)) {
    return sendError(req, res, new HarborError('NOT_FOUND', `artifact ${repo}@${reference} not found`));
  }
  res.statusCode = 202;
  res.setHeader('Content-Length', '0');
  res.end();
}

/** `n`/`last` paging shared by tags/list and _catalog (docs/harbor.md §6). */
function page(all: string[], url: URL, linkPath: string, res: ServerResponse): string[] {
  const nRaw = url.searchParams.get('n');
  const last = url.searchParams.get('last');
  let items = last ? all.filter((x) => x > last) : all;
  if (nRaw === null || nRaw === '') return items;
  const n = Number(nRaw);
  if (!/^\d+$/.test(nRaw) || !Number.isSafeInteger(n))
    throw new HarborError('BAD_REQUEST', 'the N must be a positive int type');
  if (n === 0) return [];
  if (items.length > n) {
    items = items.slice(0, n);
    res.setHeader('Link', `<${linkPath}?last=${encodeURIComponent(items[items.length - 1]!)}&n=${n}>; rel="next"`);
  }
  return items;
}

function tagsList(state: HarborState, req: IncomingMessage, res: ServerResponse, repo: string, url: URL): void {
  const record = state.db.repository(repo);
  if (!record || record.artifacts.size === 0)
    return sendError(req, res, new HarborError('NOT_FOUND', `repository ${repo} not found`));
  const all = [...new Set(record.tags.keys())].sort();
  try {
    sendJson(req, res, 200, { name: repo, tags: page(all, url, `/v2/${repo}/tags/list`, res) });
  } catch (err) {
    sendError(req, res, err as HarborError);
  }
}

function catalog(state: HarborState, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const all = state.db.listRepositories().map((r) => r.name);
  const last = url.searchParams.get('last');
  try {
    if (last && !all.includes(last))
      throw new HarborError('BAD_REQUEST', `the last: ${last} should be a valid repository name.`);
    sendJson(req, res, 200, { repositories: page(all, url, '/v2/_catalog', res) });
  } catch (err) {
    sendError(req, res, err as HarborError);
  }
}

/** Referrers of a subject in the same repository, served from the database (docs/harbor.md §6). */
function referrers(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  repo: string,
  digest: string,
  url: URL,
): void {
  if (!DIGEST_RE.test(digest))
    return sendError(req, res, new HarborError('BAD_REQUEST', `invalid reference: ${digest}`));
  const filter = url.searchParams.get('artifactType');
  const arts = [...(state.db.repository(repo)?.artifacts.values() ?? [])].filter(
    (a) => a.subject === digest && (!filter || a.artifactType === filter),
  );
  const headers: Record<string, string> = filter ? { 'OCI-Filters-Applied': 'artifactType' } : {};
  const body = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: arts.map((a) => ({
      mediaType: a.manifestMediaType,
      digest: a.digest,
      size: a.manifestSize,
      artifactType: a.artifactType,
    })),
  };
  sendJson(req, res, 200, body, { ...headers, 'Content-Type': 'application/vnd.oci.image.index.v1+json' });
}
