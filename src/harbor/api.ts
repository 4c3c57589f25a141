// The parts of Harbor's /api/v2.0 we use (swagger.yaml of Harbor v2.15). Basic auth on every call
// and no cookie jar: Harbor's CSRF check applies to any API request that carries the `sid`
// session cookie, so a client that keeps cookies gets 403 "CSRF token invalid" on writes
// (docs/harbor.md §5, Harbor #12455). Requests go through the same transport as the registry calls
// (retries, time-outs, TLS options).
import { RegistryError, httpError, isRegistryError, parseErrorBody } from '../errors/registry.js';
import type { Credentials } from '../registry/credentials.js';
import {
  Transport,
  headerValue,
  type ConnectionOptions,
  type HttpResponse,
  type Method,
} from '../registry/transport.js';
import { LIST_LIMITS, ListGuard, nextLink, type ListLimits } from '../registry/pagination.js';
import { discardBody, readErrorText, readJson, type ReadLimit } from '../registry/body.js';
import { API_READ_LIMIT, LIST_READ_LIMIT } from '../registry/limits.js';
import { isDigest, isRepositoryName, isTag } from '../registry/reference.js';
import {
  anything,
  array,
  boolean,
  count,
  grammar,
  ignoredIfWrong,
  object,
  optional,
  record,
  string,
  type Shape,
} from '../errors/json-shape.js';
import { excerpt, printable } from '../redact/text.js';

export interface HarborIdentity {
  kind: 'user' | 'robot';
  name: string;
  sysadmin: boolean;
}

export interface HarborApi {
  readonly url: URL;
  ping(): Promise<void>;
  /** `harbor_version` (only sent to authenticated callers), or undefined. */
  version(): Promise<string | undefined>;
  /** Who the credentials are; throws 401 when Harbor does not accept them. */
  whoami(): Promise<HarborIdentity>;
  projectExists(name: string): Promise<boolean>;
  /** Creates a project; false when it already existed (409), which is fine for us. */
  createProject(name: string, visibility: 'private' | 'public'): Promise<boolean>;
  /** Every tag of a repository with its artifact digest, in a request per 100 artifacts: the cheap
   * way to know what Harbor already holds (docs/harbor.md §4). `artifacts` 0: the repository holds
   * nothing (Harbor lists an unknown repository as empty). */
  tagDigests(project: string, path: string): Promise<RepositoryListing>;
  /** What harbor-sync reads of an existing project (docs/harbor.md §11.1); undefined when these
   * credentials may not read the project itself. */
  projectSettings(name: string): Promise<ProjectSettings | undefined>;
  /** A tag-retention policy (§11.2); undefined when these credentials may not read it. */
  retentionPolicy(id: number): Promise<RetentionPolicy | undefined>;
  /** A project's tag-immutability rules (§11.3); undefined when these credentials may not list them. */
  immutableRules(project: string): Promise<PolicyRule[] | undefined>;
  /** Every repository of a project with its artifact count, one request per 100 (§11.4). */
  listRepositories(project: string): Promise<RepositorySummary[]>;
  close(): Promise<void>;
}

export interface RepositoryListing {
  /** Tag → artifact digest. */
  tags: Map<string, string>;
  /** Tag → when Harbor says it was pushed (ISO 8601), where it says. */
  pushedAt: Map<string, string>;
  artifacts: number;
}

export interface ProjectSettings {
  /** Set (> 0) for a proxy-cache project: pushes into it are refused (§7). */
  registryId?: number;
  /** The project's tag-retention policy, when it has one. */
  retentionId?: number;
}

/** A rule of a retention policy or of a project's immutability rules (§11.2, §11.3). */
export interface PolicyRule {
  disabled?: boolean;
  action?: string;
  template?: string;
  params?: Record<string, unknown>;
  tag_selectors?: { kind?: string; decoration?: string; pattern?: string }[];
  scope_selectors?: Record<string, { kind?: string; decoration?: string; pattern?: string }[]>;
}

export interface RetentionPolicy {
  id: number;
  rules: PolicyRule[];
  trigger?: { kind?: string; settings?: Record<string, unknown> };
}

export interface RepositorySummary {
  /** With the project: `team-a/tools/worker`. */
  name: string;
  artifacts: number;
}

export interface HarborApiOptions extends ConnectionOptions {
  url: string;
  credentials?: Credentials;
  userAgent: string;
  robotPrefix?: string;
  /** Caps on a paged list (tests lower them); LIST_LIMITS otherwise. */
  listLimits?: ListLimits;
}

export function createHarborApi(options: HarborApiOptions): HarborApi {
  return new HarborRestApi(options);
}

class HarborRestApi implements HarborApi {
  readonly url: URL;
  private readonly credentials: Credentials | undefined;
  private readonly robotPrefix: string;
  private readonly transport: Transport;
  private readonly listLimits: ListLimits;

  constructor(options: HarborApiOptions) {
    const { url, robotPrefix, listLimits, ...transportOptions } = options;
    this.url = new URL(url.endsWith('/') ? url : `${url}/`);
    this.credentials = options.credentials;
    this.robotPrefix = robotPrefix ?? 'robot$';
    this.listLimits = listLimits ?? LIST_LIMITS;
    this.transport = new Transport({ connections: 4, ...transportOptions, origin: this.url, preemptiveBasic: true });
  }

  async ping(): Promise<void> {
    const res = await this.call('GET', 'api/v2.0/ping');
    const text = await readErrorText(res); // "Pong", or a page that says what answers instead
    if (res.status === 200 && text.trim() === 'Pong') return;
    // A redirect (http:// to https://, a moved host): say where to, so the user can use that.
    const moved =
      res.status >= 300 && res.status < 400 ? redirectOf(res, new URL('api/v2.0/ping', this.url)) : undefined;
    if (moved) {
      throw Object.assign(
        new RegistryError({
          message: `${this.url.origin} is not where Harbor's API answers: GET /api/v2.0/ping answered ${res.status}, a redirect to ${moved.shown}`,
          status: res.status,
          request: 'GET /api/v2.0/ping',
        }),
        { redirectedTo: moved.base },
      );
    }
    throw new RegistryError({
      message: `${this.url.origin} is not a Harbor 2.x: GET /api/v2.0/ping answered ${res.status}${text ? ` "${text.slice(0, 60).trim()}"` : ''} (Harbor answers 200 "Pong")`,
      status: res.status,
      errors: res.status === 200 ? [] : parseErrorBody(text),
      request: 'GET /api/v2.0/ping',
    });
  }

  async version(): Promise<string | undefined> {
    const res = await this.call('GET', 'api/v2.0/systeminfo');
    if (res.status !== 200) {
      await discardBody(res);
      return undefined;
    }
    return (await readJson(res, apiObject('system information'), SYSTEM_INFO)).harbor_version;
  }

  async whoami(): Promise<HarborIdentity> {
    const res = await this.call('GET', 'api/v2.0/users/current');
    // Robots get 412 here (docs/harbor.md §5): the credentials were accepted, as a robot.
    if (res.status === 412 && this.credentials?.username.startsWith(this.robotPrefix)) {
      await discardBody(res);
      return { kind: 'robot', name: this.credentials.username, sysadmin: false };
    }
    if (res.status !== 200) throw await this.failure('GET', 'api/v2.0/users/current', res);
    const user = await readJson(res, apiObject('current user'), CURRENT_USER);
    return { kind: 'user', name: user.username, sysadmin: user.sysadmin_flag === true };
  }

  async projectExists(name: string): Promise<boolean> {
    const res = await this.call('HEAD', `api/v2.0/projects?project_name=${encodeURIComponent(name)}`);
    await discardBody(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.failure('HEAD', 'api/v2.0/projects', res);
  }

  async createProject(name: string, visibility: 'private' | 'public'): Promise<boolean> {
    // Metadata values are strings in Harbor's API (docs/harbor.md §3).
    const body = JSON.stringify({
      project_name: name,
      metadata: { public: visibility === 'public' ? 'true' : 'false' },
    });
    const res = await this.call('POST', 'api/v2.0/projects', body);
    if (res.status !== 201 && res.status !== 409) throw await this.failure('POST', 'api/v2.0/projects', res);
    await discardBody(res);
    return res.status === 201;
  }

  async tagDigests(project: string, path: string): Promise<RepositoryListing> {
    // {repository_name} is URL-encoded twice: a/b → a%252Fb (docs/harbor.md §4).
    const repo = encodeURIComponent(encodeURIComponent(path));
    const listing: RepositoryListing = { tags: new Map(), pushedAt: new Map(), artifacts: 0 };
    const first = `api/v2.0/projects/${encodeURIComponent(project)}/repositories/${repo}/artifacts?with_tag=true&page_size=100&page=1`;
    // An unknown repository is listed as empty (404 for an admin when the project is gone).
    const what = `the artifacts of Harbor repository ${project}/${path}`;
    // Each tag counts as an entry too: one artifact may carry many.
    const size = (a: Artifact) => 1 + (a.tags?.length ?? 0);
    for await (const artifacts of this.pages(first, what, ARTIFACT, [404], {}, size)) {
      listing.artifacts += artifacts.length;
      for (const { digest, tags, push_time } of artifacts) {
        for (const tag of tags ?? []) {
          listing.tags.set(tag.name, digest);
          const pushed = tag.push_time ?? push_time;
          if (pushed !== undefined && !pushed.startsWith('0001-')) listing.pushedAt.set(tag.name, pushed);
        }
      }
    }
    return listing;
  }

  async projectSettings(name: string): Promise<ProjectSettings | undefined> {
    const path = `api/v2.0/projects/${encodeURIComponent(name)}`;
    // A name of digits only would be read as an ID without this header (§11.1).
    const res = await this.call('GET', path, undefined, { 'x-is-resource-name': 'true' });
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      await discardBody(res);
      return undefined;
    }
    if (res.status !== 200) throw await this.failure('GET', path, res);
    const project = await readJson(res, apiObject('project'), PROJECT);
    const registryId = project.registry_id;
    const retentionId = project.metadata?.retention_id;
    return {
      ...(registryId !== undefined && registryId > 0 && { registryId }),
      ...(retentionId !== undefined && retentionId > 0 && { retentionId }),
    };
  }

  async retentionPolicy(id: number): Promise<RetentionPolicy | undefined> {
    const path = `api/v2.0/retentions/${id}`;
    const res = await this.call('GET', path);
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      await discardBody(res);
      return undefined;
    }
    if (res.status !== 200) throw await this.failure('GET', path, res);
    const policy = await readJson(res, apiObject('retention policy'), RETENTION);
    return { id, rules: policy.rules, ...(policy.trigger && { trigger: policy.trigger }) };
  }

  async immutableRules(project: string): Promise<PolicyRule[] | undefined> {
    const rules: PolicyRule[] = [];
    const first = `api/v2.0/projects/${encodeURIComponent(project)}/immutabletagrules?page_size=100&page=1`;
    try {
      for await (const page of this.pages(first, `the tag immutability rules of project ${project}`, RULE, [], {
        'x-is-resource-name': 'true',
      }))
        for (const rule of page) rules.push(rule);
    } catch (error) {
      // Listing them needs project admin or maintainer (§11.3): a push-only robot may not.
      if (isRegistryError(error) && (error.status === 401 || error.status === 403)) return undefined;
      throw error;
    }
    return rules;
  }

  async listRepositories(project: string): Promise<RepositorySummary[]> {
    const repositories: RepositorySummary[] = [];
    const first = `api/v2.0/projects/${encodeURIComponent(project)}/repositories?page_size=100&page=1`;
    // A name outside the project would be reported as the project's: the list is not to be trusted.
    const name = grammar((n) => isRepositoryName(n) && n.startsWith(`${project}/`), `a repository name in ${project}/`);
    const shape = object({ name, artifact_count: optional(count) });
    for await (const page of this.pages(first, `the repositories of Harbor project ${project}`, shape, [404])) {
      for (const r of page) repositories.push({ name: r.name, artifacts: r.artifact_count ?? 0 });
    }
    return repositories;
  }

  /** The pages of a paged list (JSON arrays, `Link` rel="next"), each as it arrives, every entry
   * checked against `item`. A status in `empty` ends the list with nothing; a page that is not a list
   * of such entries, a next page on another origin, a loop or a list past the caps (ListGuard)
   * throws LIST_INCOMPLETE naming `what`: a shortened list would say things are missing that are not. */
  private async *pages<T>(
    first: string,
    what: string,
    item: Shape<T>,
    empty: number[],
    headers: Record<string, string> = {},
    size: (entry: T) => number = () => 1,
  ): AsyncGenerator<T[]> {
    const guard = new ListGuard(what, this.listLimits);
    const shape = array(item);
    let next: URL | undefined = new URL(first, this.url);
    while (next) {
      const url: URL = next;
      guard.page(url);
      const res = await this.call('GET', url.pathname.slice(1) + url.search, undefined, headers);
      if (empty.includes(res.status)) {
        await discardBody(res);
        return;
      }
      if (res.status !== 200) throw await this.failure('GET', url.pathname.slice(1), res);
      const page = await readJson(
        res,
        { bytes: LIST_READ_LIMIT, code: 'LIST_INCOMPLETE', what: `page of ${what}` },
        shape,
      );
      let entries = 0;
      for (const entry of page) entries += size(entry);
      guard.count(entries, url);
      yield page;
      next = nextLink(headerValue(res.headers, 'link'), url);
    }
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private call(method: Method, path: string, body?: string, extra: Record<string, string> = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.transport.send({ method, url: new URL(path, this.url), headers, ...(body !== undefined && { body }) });
  }

  /** The error for an answer with an unexpected status: its body (the first 64 KiB) explains it. */
  private async failure(method: string, path: string, res: HttpResponse): Promise<RegistryError> {
    const body = method === 'HEAD' ? '' : await readErrorText(res);
    return httpError({ method, path, host: this.url.host, status: res.status, body });
  }
}

/** The Harbor URL a ping's redirect points to, when ping() failed on one that names it. */
export function redirectedTo(error: unknown): string | undefined {
  const base = (error as { redirectedTo?: unknown } | null)?.redirectedTo;
  return typeof base === 'string' ? base : undefined;
}

/** Where a redirect of the ping points: `shown` for messages (no query, printable, cut short);
 * `base`, the Harbor URL to use instead, when the target is the same ping under another base. */
function redirectOf(res: HttpResponse, asked: URL): { shown: string; base?: string } | undefined {
  const location = headerValue(res.headers, 'location');
  if (!location) return undefined;
  const target = URL.parse(location, asked);
  if (!target || (target.protocol !== 'https:' && target.protocol !== 'http:'))
    return { shown: `"${excerpt(location, 120)}"` };
  const shown = excerpt(`${target.origin}${target.pathname}`, 120);
  const base = target.pathname.endsWith('/api/v2.0/ping')
    ? `${target.origin}${target.pathname.slice(0, -'/api/v2.0/ping'.length)}`
    : undefined;
  return { shown, ...(base !== undefined && base.length <= 200 && { base: printable(base) }) };
}

/** One object of Harbor's API: a malformed one is an error naming the field (HTTP_ERROR). */
function apiObject(what: string): ReadLimit {
  return { bytes: API_READ_LIMIT, code: 'HTTP_ERROR', what };
}

// What harbor-sync reads of Harbor's answers (swagger.yaml), checked where they enter: the names and
// digests against their grammars; fields that only inform (a version, a push time) are taken as
// unknown when they have another shape, rather than failing the run over them.

/** `v2.15.2-<gitcommit>` (docs/harbor.md §5); anything else is shown as an unknown version. */
const HARBOR_VERSION = /^v?[0-9A-Za-z.+_-]{1,64}$/;
const SYSTEM_INFO = object({
  harbor_version: ignoredIfWrong(grammar((v) => HARBOR_VERSION.test(v), 'a version')),
});

/** A name shown in the run's first line: printable, of Harbor's length (255). */
const USER_NAME = grammar((n) => n.length > 0 && n.length <= 255 && printable(n) === n, 'a printable user name');
const CURRENT_USER = object({ username: USER_NAME, sysadmin_flag: ignoredIfWrong(boolean) });

/** An ID as Harbor sends it: a number, or a string of digits in `metadata` (docs/harbor.md §11.1). */
const id: Shape<number> = (value) =>
  count(typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value);
const PROJECT = object({
  registry_id: optional(id),
  metadata: optional(object({ retention_id: optional(id) })),
});

const SELECTOR = object({ kind: optional(string), decoration: optional(string), pattern: optional(string) });
const RULE: Shape<PolicyRule> = object({
  disabled: optional(boolean),
  action: optional(string),
  template: optional(string),
  params: optional(record(anything)),
  tag_selectors: optional(array(SELECTOR)),
  scope_selectors: optional(record(array(SELECTOR))),
});
const RETENTION = object({
  rules: array(RULE),
  trigger: optional(object({ kind: optional(string), settings: optional(record(anything)) })),
});

/** RFC 3339, as Harbor writes times; a push time is shown in the report. */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const PUSH_TIME = ignoredIfWrong(grammar((t) => TIME.test(t), 'a time'));
const ARTIFACT = object({
  digest: grammar(isDigest, 'a digest (sha256:<64 lowercase hex>)'),
  push_time: PUSH_TIME,
  tags: optional(array(object({ name: grammar(isTag, 'a tag'), push_time: PUSH_TIME }))),
});
type Artifact = ReturnType<typeof ARTIFACT>;
