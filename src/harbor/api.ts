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
import { nextLink } from '../registry/pagination.js';

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
}

export function createHarborApi(options: HarborApiOptions): HarborApi {
  return new HarborRestApi(options);
}

class HarborRestApi implements HarborApi {
  readonly url: URL;
  private readonly credentials: Credentials | undefined;
  private readonly robotPrefix: string;
  private readonly transport: Transport;

  constructor(options: HarborApiOptions) {
    const { url, robotPrefix, ...transportOptions } = options;
    this.url = new URL(url.endsWith('/') ? url : `${url}/`);
    this.credentials = options.credentials;
    this.robotPrefix = robotPrefix ?? 'robot$';
    this.transport = new Transport({ connections: 4, ...transportOptions, origin: this.url, preemptiveBasic: true });
  }

  async ping(): Promise<void> {
    const res = await this.call('GET', 'api/v2.0/ping');
    const text = await res.body.text();
    if (res.status === 200 && text.trim() === 'Pong') return;
    throw new RegistryError({
      message: `${this.url.origin} is not a Harbor 2.x: GET /api/v2.0/ping answered ${res.status}${text ? ` "${text.slice(0, 60).trim()}"` : ''} (Harbor answers 200 "Pong")`,
      status: res.status,
      errors: res.status === 200 ? [] : parseErrorBody(text),
      request: 'GET /api/v2.0/ping',
    });
  }

  async version(): Promise<string | undefined> {
    const res = await this.call('GET', 'api/v2.0/systeminfo');
    const text = await res.body.text();
    if (res.status !== 200) return undefined;
    return (JSON.parse(text) as { harbor_version?: string }).harbor_version;
  }

  async whoami(): Promise<HarborIdentity> {
    const res = await this.call('GET', 'api/v2.0/users/current');
    const text = await res.body.text();
    // Robots get 412 here (docs/harbor.md §5): the credentials were accepted, as a robot.
    if (res.status === 412 && this.credentials?.username.startsWith(this.robotPrefix)) {
      return { kind: 'robot', name: this.credentials.username, sysadmin: false };
    }
    if (res.status !== 200) throw this.failure('GET', 'api/v2.0/users/current', res.status, text);
    const user = JSON.parse(text) as { username?: string; sysadmin_flag?: boolean };
    return { kind: 'user', name: user.username ?? '', sysadmin: user.sysadmin_flag === true };
  }

  async projectExists(name: string): Promise<boolean> {
    const res = await this.call('HEAD', `api/v2.0/projects?project_name=${encodeURIComponent(name)}`);
    await res.body.dump();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw this.failure('HEAD', 'api/v2.0/projects', res.status, '');
  }

  async createProject(name: string, visibility: 'private' | 'public'): Promise<boolean> {
    // Metadata values are strings in Harbor's API (docs/harbor.md §3).
    const body = JSON.stringify({
      project_name: name,
      metadata: { public: visibility === 'public' ? 'true' : 'false' },
    });
    const res = await this.call('POST', 'api/v2.0/projects', body);
    const text = await res.body.text();
    if (res.status === 201) return true;
    if (res.status === 409) return false;
    throw this.failure('POST', 'api/v2.0/projects', res.status, text);
  }

  async tagDigests(project: string, path: string): Promise<RepositoryListing> {
    // {repository_name} is URL-encoded twice: a/b → a%252Fb (docs/harbor.md §4).
    const repo = encodeURIComponent(encodeURIComponent(path));
    const listing: RepositoryListing = { tags: new Map(), pushedAt: new Map(), artifacts: 0 };
    const first = `api/v2.0/projects/${encodeURIComponent(project)}/repositories/${repo}/artifacts?with_tag=true&page_size=100&page=1`;
    // An unknown repository is listed as empty (404 for an admin when the project is gone).
    for await (const artifacts of this.pages<Artifact>(first, 'artifacts', [404])) {
      listing.artifacts += artifacts.length;
      for (const { digest, tags, push_time } of artifacts) {
        if (typeof digest !== 'string' || !Array.isArray(tags)) continue;
        for (const tag of tags) {
          if (typeof tag?.name !== 'string' || !tag.name) continue;
          listing.tags.set(tag.name, digest);
          const pushed = typeof tag.push_time === 'string' ? tag.push_time : push_time;
          if (typeof pushed === 'string' && !pushed.startsWith('0001-')) listing.pushedAt.set(tag.name, pushed);
        }
      }
    }
    return listing;
  }

  async projectSettings(name: string): Promise<ProjectSettings | undefined> {
    const path = `api/v2.0/projects/${encodeURIComponent(name)}`;
    // A name of digits only would be read as an ID without this header (§11.1).
    const res = await this.call('GET', path, undefined, { 'x-is-resource-name': 'true' });
    const text = await res.body.text();
    if (res.status === 401 || res.status === 403 || res.status === 404) return undefined;
    if (res.status !== 200) throw this.failure('GET', path, res.status, text);
    const project = parseJson(text) as { registry_id?: unknown; metadata?: { retention_id?: unknown } } | undefined;
    const registryId = Number(project?.registry_id);
    const retentionId = Number(project?.metadata?.retention_id);
    return {
      ...(Number.isInteger(registryId) && registryId > 0 && { registryId }),
      ...(Number.isInteger(retentionId) && retentionId > 0 && { retentionId }),
    };
  }

  async retentionPolicy(id: number): Promise<RetentionPolicy | undefined> {
    const path = `api/v2.0/retentions/${id}`;
    const res = await this.call('GET', path);
    const text = await res.body.text();
    if (res.status === 401 || res.status === 403 || res.status === 404) return undefined;
    if (res.status !== 200) throw this.failure('GET', path, res.status, text);
    const policy = parseJson(text) as Partial<RetentionPolicy> | undefined;
    return policy && Array.isArray(policy.rules)
      ? { id, rules: policy.rules, ...(policy.trigger && { trigger: policy.trigger }) }
      : undefined;
  }

  async immutableRules(project: string): Promise<PolicyRule[] | undefined> {
    const rules: PolicyRule[] = [];
    const first = `api/v2.0/projects/${encodeURIComponent(project)}/immutabletagrules?page_size=100&page=1`;
    try {
      for await (const page of this.pages<PolicyRule>(first, 'immutable tag rules', [], {
        'x-is-resource-name': 'true',
      }))
        rules.push(...page);
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
    for await (const page of this.pages<{ name?: unknown; artifact_count?: unknown }>(first, 'repositories', [404])) {
      for (const r of page)
        if (typeof r.name === 'string') repositories.push({ name: r.name, artifacts: Number(r.artifact_count) || 0 });
    }
    return repositories;
  }

  /** The pages of a paged list (JSON arrays, `Link` rel="next"), each as it arrives. A status in
   * `empty` ends the list with nothing; a page that is not a list, or a next page on another
   * origin, throws: a shortened list would say things are missing that are not. */
  private async *pages<T extends object>(
    first: string,
    what: string,
    empty: number[],
    headers: Record<string, string> = {},
  ): AsyncGenerator<T[]> {
    let next: string | undefined = first;
    while (next) {
      const url: URL = new URL(next, this.url);
      const res = await this.call('GET', url.pathname.slice(1) + url.search, undefined, headers);
      const text = await res.body.text();
      if (empty.includes(res.status)) return;
      if (res.status !== 200) throw this.failure('GET', url.pathname.slice(1), res.status, text);
      const page = parseJson(text);
      if (!Array.isArray(page) || !page.every((x) => typeof x === 'object' && x !== null)) {
        throw new RegistryError({
          message: `GET ${url.pathname} on ${this.url.host}: the answer is not a JSON list of ${what}`,
          status: res.status,
          request: `GET ${url.pathname}`,
          code: 'LIST_INCOMPLETE',
        });
      }
      yield page as T[];
      const link = nextLink(headerValue(res.headers, 'link'), url);
      next = link ? link.pathname.slice(1) + link.search : undefined;
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

  private failure(method: string, path: string, status: number, text: string): RegistryError {
    return httpError({ method, path, host: this.url.host, status, body: text });
  }
}

type Artifact = { digest?: unknown; push_time?: unknown; tags?: { name?: unknown; push_time?: unknown }[] | null };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
