// /api/v2.0: the part of Harbor's REST API harbor-sync uses (docs/harbor.md §3, §4, §5). Basic auth only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROJECT_NAME_RE, type ArtifactRecord, type ProjectRecord, type RepositoryRecord } from './database.ts';
import { basicCredentials, HarborError, pageLink, readBody, sendEmpty, sendError, sendJson } from './http-util.ts';
import { ANONYMOUS, type Identity } from './identities.ts';
import type { HarborState } from './state.ts';

const PREFIX = '/api/v2.0';
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const GO_ZERO_TIME = '0001-01-01T00:00:00.000Z';

export async function handleApi(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  // The router decodes the path once and handlers decode parameters again, which is why
  // `a/b` must be sent as `a%252Fb` (docs/harbor.md §4).
  let segments: string[];
  try {
    segments = decodeURIComponent(url.pathname.slice(PREFIX.length))
      .split('/')
      .filter((s) => s !== '');
  } catch {
    return sendError(req, res, new HarborError('BAD_REQUEST', 'invalid path'));
  }
  const method = req.method ?? 'GET';
  const creds = basicCredentials(req);
  // Robots are accepted; wrong credentials leave the caller anonymous (docs/harbor.md §1, §5).
  const who: Identity = (creds && state.identities.authenticate(creds.username, creds.password)) ?? ANONYMOUS;
  const [s0, s1, s2, s3, s4, s5, ...more] = segments;

  try {
    if (s0 === 'ping' && !s1 && method === 'GET') {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      return void res.end('Pong'); // docs/harbor.md §5: no authentication
    }
    if (s0 === 'systeminfo' && !s1 && method === 'GET') return systemInfo(state, req, res, who);
    if (s0 === 'users' && s1 === 'current' && !s2 && method === 'GET') return currentUser(req, res, who);
    if (s0 === 'projects' && !s1) {
      if (method === 'HEAD') return headProject(state, req, res, who, url);
      if (method === 'GET') return listProjects(state, req, res, who, url);
      if (method === 'POST') return await createProject(state, req, res, who);
    }
    if (s0 === 'projects' && s1 && method === 'GET') {
      const project = visibleProject(state, who, s1, !s2 && req.headers['x-is-resource-name'] === 'true');
      if (!s2) return sendJson(req, res, 200, projectJson(state, project, who));
      if (s2 === 'repositories' && !s3) return listRepositories(state, req, res, project, url);
      if (s2 === 'immutabletagrules' && !s3) return listImmutableRules(state, req, res, who, project, url);
      if (s2 === 'repositories' && s3 && s4 === 'artifacts' && more.length === 0) {
        const repoName = `${project.name}/${decodeURIComponent(s3)}`; // second decode (docs/harbor.md §4)
        if (!s5) return listArtifacts(state, req, res, project, repoName, url);
        return getArtifact(state, req, res, project, repoName, decodeURIComponent(s5), url);
      }
    }
    if (s0 === 'retentions' && s1 && !s2 && method === 'GET') return getRetention(state, req, res, who, s1);
    sendError(req, res, new HarborError('NOT_FOUND', `no route for ${method} ${url.pathname}`));
  } catch (err) {
    if (err instanceof HarborError) return sendError(req, res, err);
    throw err;
  }
}

function systemInfo(state: HarborState, req: IncomingMessage, res: ServerResponse, who: Identity): void {
  const info: Record<string, unknown> = {
    auth_mode: 'db_auth',
    primary_auth_mode: false,
    project_creation_restriction: state.options.projectCreationRestriction,
    self_registration: false,
    has_ca_root: false,
    read_only: state.readOnly,
    notification_enable: true,
    banner_message: '',
    current_time: new Date().toISOString(),
    registry_url: state.frontHost,
    external_url: `http://${state.frontHost}`,
  };
  // harbor_version only for authenticated callers (docs/harbor.md §5).
  if (who.kind !== 'anonymous') {
    info.harbor_version = state.options.version;
    info.registry_storage_provider_name = 'filesystem';
  }
  sendJson(req, res, 200, info);
}

function currentUser(req: IncomingMessage, res: ServerResponse, who: Identity): void {
  if (who.kind === 'anonymous') throw new HarborError('UNAUTHORIZED', 'unauthorized');
  // Robots get 412 (docs/harbor.md §5).
  if (who.kind === 'robot')
    throw new HarborError('PRECONDITION', 'get current user not available for security context: robot');
  const t = new Date(0).toISOString();
  sendJson(req, res, 200, {
    user_id: who.id,
    username: who.name,
    email: '',
    realname: who.name,
    comment: '',
    sysadmin_flag: who.sysadmin,
    admin_role_in_auth: false,
    creation_time: t,
    update_time: t,
  });
}

function canSee(state: HarborState, who: Identity, p: ProjectRecord): boolean {
  return state.identities.isSysadmin(who) || p.public || state.identities.actionsOn(who, p).length > 0;
}

/** A project the caller may read, or Harbor's error: 404 admin / 403 user / 401 anonymous (docs/harbor.md §3, §4). */
function visibleProject(state: HarborState, who: Identity, nameOrId: string, forceName: boolean): ProjectRecord {
  // An integer is an ID unless X-Is-Resource-Name: true (docs/harbor.md §3).
  const project =
    /^\d+$/.test(nameOrId) && !forceName ? state.db.project(Number(nameOrId)) : state.db.project(nameOrId);
  if (project && canSee(state, who, project)) return project;
  if (who.kind === 'anonymous') throw new HarborError('UNAUTHORIZED', 'unauthorized');
  if (!project && state.identities.isSysadmin(who)) throw new HarborError('NOT_FOUND', `project ${nameOrId} not found`);
  throw new HarborError('FORBIDDEN', 'forbidden');
}

function headProject(state: HarborState, req: IncomingMessage, res: ServerResponse, who: Identity, url: URL): void {
  // docs/harbor.md §3: 200 exists, 404 not, 401 anonymous.
  if (who.kind === 'anonymous') throw new HarborError('UNAUTHORIZED', 'unauthorized');
  const name = url.searchParams.get('project_name') ?? '';
  sendEmpty(res, state.db.project(name) ? 200 : 404);
  void req;
}

/** page / page_size (default 1 / 10, max 100 → 422 from swagger validation; docs/harbor.md §3). */
function paging(url: URL): { page: number; pageSize: number } {
  const page = Number(url.searchParams.get('page') ?? '1');
  const pageSize = Number(url.searchParams.get('page_size') ?? '10');
  if (!Number.isInteger(page) || page < 1)
    throw new HarborError('UNPROCESSABLE_ENTITY', 'page in query should be greater than or equal to 1');
  if (!Number.isInteger(pageSize) || pageSize < 0)
    throw new HarborError('UNPROCESSABLE_ENTITY', 'page_size in query should be greater than or equal to 0');
  if (pageSize > 100)
    throw new HarborError('UNPROCESSABLE_ENTITY', 'page_size in query should be less than or equal to 100');
  return { page, pageSize: pageSize === 0 ? 10 : pageSize };
}

function sendPage<T>(req: IncomingMessage, res: ServerResponse, url: URL, all: T[], render: (x: T) => unknown): void {
  const { page, pageSize } = paging(url);
  const items = all.slice((page - 1) * pageSize, page * pageSize);
  const headers: Record<string, string> = { 'X-Total-Count': String(all.length) };
  const link = pageLink(url.pathname, url.searchParams, page, pageSize, all.length);
  if (link) headers.Link = link;
  sendJson(req, res, 200, items.map(render), headers);
}

/** `q=k=v,k2=~v2` as Harbor's query builder reads the simple forms (docs/harbor.md §3). */
function parseQ(url: URL): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (url.searchParams.get('q') ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function matchValue(value: string, rule: string): boolean {
  if (rule.startsWith('~')) return value.includes(rule.slice(1));
  const any = /^\{(.*)\}$/.exec(rule);
  if (any) return any[1]!.split(' ').includes(value);
  return value === rule;
}

function listProjects(state: HarborState, req: IncomingMessage, res: ServerResponse, who: Identity, url: URL): void {
  const name = url.searchParams.get('name'); // substring match (docs/harbor.md §3)
  const q = parseQ(url);
  const publicFilter = url.searchParams.get('public');
  const all = [...state.db.projects.values()]
    .filter((p) => canSee(state, who, p)) // anonymous: public projects only
    .filter((p) => (name ? p.name.includes(name) : true))
    .filter((p) => (q.has('name') ? matchValue(p.name, q.get('name')!) : true))
    .filter((p) => (publicFilter === null ? true : String(p.public) === publicFilter))
    .sort((a, b) => a.name.localeCompare(b.name));
  sendPage(req, res, url, all, (p) => projectJson(state, p, who));
}

function projectJson(state: HarborState, p: ProjectRecord, who: Identity): unknown {
  const actions = state.identities.actionsOn(who, p);
  return {
    project_id: p.id,
    owner_id: p.ownerName === state.options.admin.username ? 1 : p.id + 100,
    name: p.name,
    registry_id: p.registryId ?? 0,
    creation_time: p.createdAt.toISOString(),
    update_time: p.createdAt.toISOString(),
    deleted: false,
    owner_name: p.ownerName,
    togglable: true,
    // 1 project admin, 2 developer, 3 guest
    current_user_role_ids:
      state.identities.isSysadmin(who) || p.members.has(who.name)
        ? [1]
        : actions.includes('push')
          ? [2]
          : actions.length
            ? [3]
            : [],
    repo_count: state.db.listRepositories(p.name).length,
    // Metadata values are strings (docs/harbor.md §3), retention_id too (§11.1).
    metadata: {
      public: String(p.public),
      ...(p.retention && { retention_id: String(p.retention.id) }),
      ...(p.upstream?.localOnNotFound !== undefined && {
        proxy_cache_local_on_not_found: String(p.upstream.localOnNotFound),
      }),
    },
    cve_allowlist: { id: 0, project_id: p.id, items: [], creation_time: GO_ZERO_TIME, update_time: GO_ZERO_TIME },
  };
}

async function createProject(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  who: Identity,
): Promise<void> {
  const raw = await readBody(req, 1024 * 1024);
  // docs/harbor.md §3 error table, in Harbor's order: authentication, restriction, robot level.
  if (who.kind === 'anonymous') throw new HarborError('UNAUTHORIZED', 'unauthorized');
  const isAdmin = state.identities.isSysadmin(who);
  const robotMayCreate = who.kind === 'robot' && who.level === 'system' && who.robot.canCreateProjects === true;
  if (state.options.projectCreationRestriction === 'adminonly' && !isAdmin && !robotMayCreate) {
    throw new HarborError('FORBIDDEN', 'Only system admin can create project');
  }
  if (who.kind === 'robot' && who.level === 'project')
    throw new HarborError('FORBIDDEN', 'Only system level robot can create project');
  if (who.kind === 'robot' && !robotMayCreate) throw new HarborError('FORBIDDEN', 'forbidden');

  let body: {
    project_name?: unknown;
    metadata?: Record<string, unknown> | null;
    public?: unknown;
    storage_limit?: unknown;
    registry_id?: unknown;
  };
  try {
    body = JSON.parse((raw ?? Buffer.alloc(0)).toString('utf8')) as typeof body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
  } catch {
    throw new HarborError('BAD_REQUEST', 'parsing project body from "" failed, because invalid JSON');
  }
  const name = body.project_name;
  if (name !== undefined && typeof name !== 'string')
    throw new HarborError('BAD_REQUEST', 'project_name in body must be of type string');
  if (typeof name === 'string' && name.length > 255) {
    throw new HarborError('UNPROCESSABLE_ENTITY', 'project_name in body should be at most 255 chars long'); // swagger maxLength
  }
  if (typeof name !== 'string' || !PROJECT_NAME_RE.test(name)) {
    throw new HarborError('BAD_REQUEST', 'project name is not in lower case or contains illegal characters');
  }
  if (body.registry_id !== undefined && body.registry_id !== null) {
    throw new HarborError('BAD_REQUEST', 'proxy-cache projects are not supported by this double');
  }
  // Metadata values are strings; `public` must be "true" or "false", absent means "false" (docs/harbor.md §3).
  let isPublic = false;
  const meta = body.metadata ?? {};
  if (typeof meta !== 'object') throw new HarborError('BAD_REQUEST', 'metadata in body must be of type object');
  const pub = (meta as Record<string, unknown>).public;
  if (pub !== undefined) {
    if (pub !== 'true' && pub !== 'false')
      throw new HarborError(
        'BAD_REQUEST',
        `invalid value of metadata public: ${JSON.stringify(pub)}, it should be "true" or "false"`,
      );
    isPublic = pub === 'true';
  } else if (typeof body.public === 'boolean') {
    isPublic = body.public; // the deprecated boolean field
  }
  if (state.db.project(name)) throw new HarborError('CONFLICT', `The project named ${name} already exists`);
  // storage_limit is honoured for system admins only (docs/harbor.md §3).
  const storageLimit = isAdmin && typeof body.storage_limit === 'number' ? body.storage_limit : -1;
  // A robot's project is owned by admin and grants the robot nothing (Harbor #15461, docs/harbor.md §10).
  const owner = who.kind === 'user' ? who.name : state.options.admin.username;
  const project = state.db.createProject(name, { public: isPublic, owner, storageLimit });
  if (who.kind === 'user' && !who.sysadmin) project.members.set(who.name, ['pull', 'push']);
  const byName = req.headers['x-resource-name-in-location'] === 'true';
  sendEmpty(res, 201, { Location: `${PREFIX}/projects/${byName ? name : project.id}` });
}

function listRepositories(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  project: ProjectRecord,
  url: URL,
): void {
  const q = parseQ(url);
  const all = state.db
    .listRepositories(project.name)
    .filter((r) => (q.has('name') ? matchValue(r.name, q.get('name')!) : true));
  sendPage(req, res, url, all, (r: RepositoryRecord) => ({
    id: r.id,
    project_id: r.projectId,
    name: r.name,
    description: '',
    artifact_count: r.artifacts.size,
    pull_count: 0,
    creation_time: r.createdAt.toISOString(),
    update_time: r.updatedAt.toISOString(),
  }));
}

function artifactJson(
  state: HarborState,
  project: ProjectRecord,
  repo: RepositoryRecord,
  a: ArtifactRecord,
  withTag: boolean,
): unknown {
  const pattern = project.immutableTagPattern;
  const image =
    a.children.length > 0 || /container\.image\.v1\+json|vnd\.oci\.image\.config\.v1\+json/.test(a.mediaType);
  const out: Record<string, unknown> = {
    id: a.id,
    type: image ? 'IMAGE' : 'UNKNOWN',
    media_type: a.mediaType,
    manifest_media_type: a.manifestMediaType,
    artifact_type: a.artifactType ?? a.mediaType,
    project_id: project.id,
    repository_id: repo.id,
    repository_name: repo.name,
    digest: a.digest,
    size: a.size,
    icon: '',
    push_time: a.pushTime.toISOString(),
    pull_time: GO_ZERO_TIME,
    extra_attrs: {},
    annotations: null,
    references: a.children.map((d) => ({ parent_id: a.id, child_id: repo.artifacts.get(d)?.id ?? 0, child_digest: d })),
    labels: null,
    addition_links: {},
  };
  if (withTag) {
    out.tags = state.db.tagsOf(repo.name, a.digest).map((t) => ({
      id: t.id,
      repository_id: repo.id,
      artifact_id: a.id,
      name: t.name,
      push_time: t.pushTime.toISOString(),
      pull_time: GO_ZERO_TIME,
      immutable: pattern ? pattern.test(t.name) : false,
    }));
  }
  return out;
}

function listArtifacts(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  project: ProjectRecord,
  repoName: string,
  url: URL,
): void {
  const repo = state.db.repository(repoName);
  if (!repo || repo.artifacts.size === 0) {
    // An empty list, as Harbor gives for a repository it does not know.
    return sendPage(req, res, url, [], (x) => x);
  }
  const withTag = url.searchParams.get('with_tag') !== 'false'; // default true (docs/harbor.md §4)
  const q = parseQ(url);
  const children = new Set([...repo.artifacts.values()].flatMap((a) => a.children));
  const tagsRule = q.get('tags');
  const all = [...repo.artifacts.values()]
    .filter((a) => {
      const tags = state.db.tagsOf(repoName, a.digest).map((t) => t.name);
      // Children of an index are not listed on their own unless tagged, as in Harbor's UI/API.
      if (children.has(a.digest) && tags.length === 0 && !q.has('digest')) return false;
      if (tagsRule === '*' && tags.length === 0) return false;
      if (tagsRule === 'nil' && tags.length > 0) return false;
      if (tagsRule && tagsRule !== '*' && tagsRule !== 'nil' && !tags.some((t) => matchValue(t, tagsRule)))
        return false;
      if (q.has('digest') && !matchValue(a.digest, q.get('digest')!)) return false;
      if (q.has('media_type') && !matchValue(a.mediaType, q.get('media_type')!)) return false;
      return true;
    })
    .sort((a, b) => b.pushTime.getTime() - a.pushTime.getTime() || b.id - a.id);
  sendPage(req, res, url, all, (a) => artifactJson(state, project, repo, a, withTag));
}

function getArtifact(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  project: ProjectRecord,
  repoName: string,
  reference: string,
  url: URL,
): void {
  const art = state.db.resolve(repoName, reference);
  const repo = state.db.repository(repoName);
  if (!art || !repo) {
    const sep = DIGEST_RE.test(reference) ? '@' : ':';
    throw new HarborError('NOT_FOUND', `artifact ${repoName}${sep}${reference} not found`); // docs/harbor.md §4
  }
  sendJson(req, res, 200, artifactJson(state, project, repo, art, url.searchParams.get('with_tag') !== 'false'));
}

/** GET /retentions/{id}: the policy, for those who may read the project's tag-retention settings
 * (project members, system admins; docs/harbor.md §11.2). */
function getRetention(state: HarborState, req: IncomingMessage, res: ServerResponse, who: Identity, id: string): void {
  const project = [...state.db.projects.values()].find((p) => p.retention?.id === Number(id));
  if (!project?.retention) throw new HarborError('NOT_FOUND', `retention policy ${id} not found`);
  if (!state.identities.isSysadmin(who) && !project.members.has(who.name))
    throw new HarborError('FORBIDDEN', 'forbidden');
  sendJson(req, res, 200, { id: project.retention.id, ...project.retention.policy });
}

/** GET /projects/{p}/immutabletagrules: the project's immutability rule, in Harbor's shape
 * (docs/harbor.md §11.3); project admins and system admins only. */
function listImmutableRules(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  who: Identity,
  project: ProjectRecord,
  url: URL,
): void {
  if (!state.identities.isSysadmin(who) && !project.members.has(who.name))
    throw new HarborError('FORBIDDEN', 'forbidden');
  const rules = project.immutableTagPattern
    ? [
        {
          id: 1,
          priority: 0,
          disabled: false,
          action: 'immutable',
          template: 'immutable_template',
          params: {},
          tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: project.immutableTagGlob ?? '**' }],
          scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
        },
      ]
    : [];
  sendPage(req, res, url, rules, (r) => r);
}
