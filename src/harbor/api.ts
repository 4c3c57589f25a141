// The parts of Harbor's /api/v2.0 we use (swagger.yaml of Harbor v2.15). Basic auth on every call
// and no cookie jar: Harbor's CSRF check applies to any API request that carries the `sid`
// session cookie, so a client that keeps cookies gets 403 "CSRF token invalid" on writes
// (BEHAVIOR §5, Harbor #12455).
import { Agent, request, type Dispatcher } from 'undici';
import { RegistryError, parseErrorBody } from '../registry/errors.js';
import { basicAuthorization, type Credentials } from '../registry/credentials.js';

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
  close(): Promise<void>;
}

export interface HarborApiOptions {
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
  private readonly userAgent: string;
  private readonly robotPrefix: string;
  private readonly dispatcher: Dispatcher = new Agent({ connections: 4, keepAliveTimeout: 30_000, headersTimeout: 60_000, bodyTimeout: 60_000 });

  constructor(options: HarborApiOptions) {
    this.url = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.credentials = options.credentials;
    this.userAgent = options.userAgent;
    this.robotPrefix = options.robotPrefix ?? 'robot$';
  }

  async ping(): Promise<void> {
    const res = await this.call('GET', 'api/v2.0/ping');
    const text = await res.body.text();
    if (res.statusCode !== 200) throw this.failure('GET', 'api/v2.0/ping', res.statusCode, text);
    if (text.trim() !== 'Pong') {
      throw new RegistryError({ message: `${this.url.origin} answered /api/v2.0/ping with "${text.slice(0, 60)}": is harbor-url a Harbor 2.x?`, status: 200, request: 'GET /api/v2.0/ping' });
    }
  }

  async version(): Promise<string | undefined> {
    const res = await this.call('GET', 'api/v2.0/systeminfo');
    const text = await res.body.text();
    if (res.statusCode !== 200) return undefined;
    return (JSON.parse(text) as { harbor_version?: string }).harbor_version;
  }

  async whoami(): Promise<HarborIdentity> {
    const res = await this.call('GET', 'api/v2.0/users/current');
    const text = await res.body.text();
    // Robots get 412 here (BEHAVIOR §5): the credentials were accepted, as a robot.
    if (res.statusCode === 412 && this.credentials?.username.startsWith(this.robotPrefix)) {
      return { kind: 'robot', name: this.credentials.username, sysadmin: false };
    }
    if (res.statusCode !== 200) throw this.failure('GET', 'api/v2.0/users/current', res.statusCode, text);
    const user = JSON.parse(text) as { username?: string; sysadmin_flag?: boolean };
    return { kind: 'user', name: user.username ?? '', sysadmin: user.sysadmin_flag === true };
  }

  async projectExists(name: string): Promise<boolean> {
    const path = `api/v2.0/projects?project_name=${encodeURIComponent(name)}`;
    const res = await this.call('HEAD', path);
    await res.body.dump();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw this.failure('HEAD', 'api/v2.0/projects', res.statusCode, '');
  }

  async createProject(name: string, visibility: 'private' | 'public'): Promise<boolean> {
    // Metadata values are strings in Harbor's API (BEHAVIOR §3).
    const body = JSON.stringify({ project_name: name, metadata: { public: visibility === 'public' ? 'true' : 'false' } });
    const res = await this.call('POST', 'api/v2.0/projects', body);
    const text = await res.body.text();
    if (res.statusCode === 201) return true;
    if (res.statusCode === 409) return false;
    throw this.failure('POST', 'api/v2.0/projects', res.statusCode, text);
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private call(method: 'GET' | 'HEAD' | 'POST', path: string, body?: string) {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    if (this.credentials) headers.authorization = basicAuthorization(this.credentials);
    if (body !== undefined) headers['content-type'] = 'application/json';
    return request(new URL(path, this.url), { method, headers, body: body ?? null, dispatcher: this.dispatcher });
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
