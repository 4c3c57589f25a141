// The parts of Harbor's /api/v2.0 we use (swagger.yaml of Harbor v2.15). Basic auth on every call
// and no cookie jar: Harbor's CSRF check applies to any API request that carries the `sid`
// session cookie, so a client that keeps cookies gets 403 "CSRF token invalid" on writes
// (docs/harbor.md §5, Harbor #12455). Requests go through the same transport as the registry calls
// (retries, time-outs, TLS options).
import { RegistryError, parseErrorBody } from '../errors/registry.js';
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
  close(): Promise<void>;
}

export interface RepositoryListing {
  tags: Map<string, string>;
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
    const tags = new Map<string, string>();
    let artifactCount = 0;
    let next: string | undefined =
      `api/v2.0/projects/${encodeURIComponent(project)}/repositories/${repo}/artifacts?with_tag=true&page_size=100&page=1`;
    while (next) {
      const url: URL = new URL(next, this.url);
      const res = await this.call('GET', url.pathname.slice(1) + url.search);
      const text = await res.body.text();
      if (res.status === 404) return { tags, artifacts: 0 };
      if (res.status !== 200) throw this.failure('GET', url.pathname.slice(1), res.status, text);
      const artifacts = parseArtifacts(text);
      if (!artifacts) {
        throw new RegistryError({
          message: `GET ${url.pathname} on ${this.url.host}: the answer is not a JSON list of artifacts`,
          status: res.status,
          request: `GET ${url.pathname}`,
        });
      }
      artifactCount += artifacts.length;
      for (const { digest, tags: names } of artifacts) {
        if (typeof digest !== 'string' || !Array.isArray(names)) continue;
        for (const tag of names) if (typeof tag?.name === 'string' && tag.name) tags.set(tag.name, digest);
      }
      // A next page on another origin throws: a shortened listing would claim tags are missing.
      const link = nextLink(headerValue(res.headers, 'link'), url);
      next = link ? link.pathname.slice(1) + link.search : undefined;
    }
    return { tags, artifacts: artifactCount };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private call(method: Method, path: string, body?: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.transport.send({ method, url: new URL(path, this.url), headers, ...(body !== undefined && { body }) });
  }

  private failure(method: string, path: string, status: number, text: string): RegistryError {
    const errors = parseErrorBody(text);
    const first = errors[0];
    return new RegistryError({
      message: `${method} /${path} on ${this.url.host}: ${status}${first ? ` ${first.code}: ${first.message}` : ''}`,
      status,
      errors,
      request: `${method} /${path.split('?')[0]}`,
    });
  }
}

type Artifact = { digest?: unknown; tags?: unknown };

/** Harbor's artifact list, or undefined when the answer is not one. */
function parseArtifacts(text: string): Artifact[] | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'object' && a !== null)
      ? (parsed as Artifact[])
      : undefined;
  } catch {
    return undefined;
  }
}
