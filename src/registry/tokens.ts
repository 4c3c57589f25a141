// Bearer tokens from a registry's token service (distribution token spec; Harbor /service/token),
// cached per set of scopes until shortly before they expire. The realm comes checked from the
// transport (auth-boundary.ts): the credentials are sent to it as given.
import type { Dispatcher } from 'undici';
import { request } from './http.js';
import type { BearerChallenge } from './challenge.js';
import { RegistryError, parseErrorBody } from '../errors/registry.js';
import { basicAuthorization, type Credentials } from './credentials.js';
import { addToken } from '../redact/secrets.js';
import { readErrorText, readJson, type Answer } from './body.js';
import { TOKEN_READ_LIMIT } from './limits.js';
import { ignoredIfWrong, object, optional, positive, string } from '../errors/json-shape.js';

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

/** The token spec's answer. A lifetime of the wrong shape is taken as absent (the spec's default
 * applies); a token must be a string. */
const TOKEN_ANSWER = object({
  token: optional(string),
  access_token: optional(string),
  expires_in: ignoredIfWrong(positive),
});

/** A token goes into an Authorization header: visible ASCII only (RFC 6750's b64token is a subset,
 * and registries' opaque tokens stay within it too), so no answer can add to the header. */
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

export class TokenCache {
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly dispatcher: Dispatcher;
  private readonly credentials: Credentials | undefined;
  private readonly userAgent: string;

  private readonly stallMs: number;

  /** `stallMs`: the most time a token answer may take to arrive whole (the stall timeout). */
  constructor(dispatcher: Dispatcher, credentials: Credentials | undefined, userAgent: string, stallMs = 120_000) {
    this.dispatcher = dispatcher;
    this.credentials = credentials;
    this.userAgent = userAgent;
    this.stallMs = stallMs;
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
    const answer: Answer = {
      status: res.statusCode,
      headers: res.headers,
      body: res.body,
      url,
      request: `GET ${url.pathname}`,
      stallMs: this.stallMs,
    };
    if (res.statusCode !== 200) {
      throw new RegistryError({
        message: `token service ${url.origin}${url.pathname} answered ${res.statusCode}${this.credentials ? ` for user ${this.credentials.username}` : ' (anonymous)'}`,
        status: res.statusCode,
        errors: parseErrorBody(await readErrorText(answer)),
        request: answer.request,
      });
    }
    const body = await readJson(
      answer,
      { bytes: TOKEN_READ_LIMIT, code: 'HTTP_ERROR', what: 'token answer' },
      TOKEN_ANSWER,
    );
    // Harbor always sends access_token:"" beside token, so an empty string must not win.
    const token = body.token || body.access_token;
    if (!token) {
      throw new RegistryError({
        message: `token service ${url.origin} sent no token`,
        status: 200,
        request: answer.request,
      });
    }
    if (!TOKEN_TEXT.test(token)) {
      throw new RegistryError({
        message: `token service ${url.origin} sent a token with spaces or control characters, which no token has: not used`,
        status: 200,
        request: answer.request,
      });
    }
    addToken(token); // a server's error text or a debug line may echo it
    const lifetime = body.expires_in ?? DEFAULT_LIFETIME_S;
    return { token, expiresAt: started + lifetime * 1000 * EXPIRY_MARGIN };
  }
}

function cacheKey(challenge: BearerChallenge, scopes: string[]): string {
  return `${challenge.realm} ${challenge.service ?? ''} ${[...new Set(scopes)].sort().join(' ')}`;
}
