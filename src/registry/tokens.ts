// Bearer tokens from a registry's token service (distribution token spec; Harbor /service/token),
// cached per set of scopes until shortly before they expire. The realm comes checked from the
// transport (auth-boundary.ts): the credentials are sent to it as given.
import type { Dispatcher } from 'undici';
import { request } from './http.js';
import type { BearerChallenge } from './challenge.js';
import { RegistryError, parseErrorBody } from '../errors/registry.js';
import { basicAuthorization, type Credentials } from './credentials.js';
import { addToken } from '../redact/secrets.js';

interface CachedToken {
  token: string;
  expiresAt: number;
}

const DEFAULT_LIFETIME_S = 60; // the token spec's default when expires_in is absent
const EXPIRY_MARGIN = 0.9; // refresh at 90% of the lifetime: a long upload must not start on a dying token
/** Harbor scopes a token to repositories, so a catalog run gets one per repository; the run works
 * through them a few dozen at a time, and memory must not follow the catalog. Least recently used
 * go first. */
const MAX_CACHED = 512;

export class TokenCache {
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly dispatcher: Dispatcher;
  private readonly credentials: Credentials | undefined;
  private readonly userAgent: string;

  constructor(dispatcher: Dispatcher, credentials: Credentials | undefined, userAgent: string) {
    this.dispatcher = dispatcher;
    this.credentials = credentials;
    this.userAgent = userAgent;
  }

  /** A valid token for these scopes, fetched at most once at a time per scope set. */
  async get(challenge: BearerChallenge, scopes: string[]): Promise<string> {
    const key = cacheKey(challenge, scopes);
    const cached = this.tokens.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt > Date.now()) {
        if (this.tokens.get(key) === cached) {
          this.tokens.delete(key); // most recently used last
          this.tokens.set(key, cached);
        }
        return token.token;
      }
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
    }
    const pending = this.fetchToken(challenge, scopes);
    this.tokens.set(key, pending);
    if (this.tokens.size > MAX_CACHED) this.tokens.delete(this.tokens.keys().next().value!);
    pending.catch(() => this.tokens.delete(key));
    return (await pending).token;
  }

  /** Forgets one scope set's token (it was refused). */
  invalidate(challenge: BearerChallenge, scopes: string[]): void {
    this.tokens.delete(cacheKey(challenge, scopes));
  }

  /** Forgets every token with a scope on a repository of `project` (`repository:<project>/…`). */
  invalidateProject(project: string): void {
    const needle = ` repository:${project}/`;
    for (const key of [...this.tokens.keys()]) if (key.includes(needle)) this.tokens.delete(key);
  }

  private async fetchToken(challenge: BearerChallenge, scopes: string[]): Promise<CachedToken> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (this.credentials) headers.authorization = basicAuthorization(this.credentials);
    const started = Date.now();
    const res = await request(url, { method: 'GET', headers, dispatcher: this.dispatcher });
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new RegistryError({
        message: `token service ${url.origin}${url.pathname} answered ${res.statusCode}${this.credentials ? ` for user ${this.credentials.username}` : ' (anonymous)'}`,
        status: res.statusCode,
        errors: parseErrorBody(text),
        request: `GET ${url.pathname}`,
      });
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown } | null;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = null;
    }
    if (typeof body !== 'object' || body === null) {
      throw new RegistryError({
        message: `token service ${url.origin}${url.pathname} answered 200 with a body that is not a JSON object`,
        status: 200,
        request: `GET ${url.pathname}`,
      });
    }
    // Harbor always sends access_token:"" beside token, so an empty string must not win.
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || !token) {
      throw new RegistryError({
        message: `token service ${url.origin} sent no token`,
        status: 200,
        request: `GET ${url.pathname}`,
      });
    }
    addToken(token); // a server's error text or a debug line may echo it
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_LIFETIME_S;
    return { token, expiresAt: started + lifetime * 1000 * EXPIRY_MARGIN };
  }
}

function cacheKey(challenge: BearerChallenge, scopes: string[]): string {
  return `${challenge.realm} ${challenge.service ?? ''} ${[...new Set(scopes)].sort().join(' ')}`;
}
