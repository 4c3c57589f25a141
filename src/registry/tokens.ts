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

/** A token, the scopes it was asked for, and the first scope it is filed under. */
interface Entry {
  scopes: Set<string>;
  token: Promise<CachedToken>;
  first?: string;
}

const DEFAULT_LIFETIME_S = 60; // the token spec's default when expires_in is absent
const EXPIRY_MARGIN = 0.9; // refresh at 90% of the lifetime: a long upload must not start on a dying token
/** Harbor scopes a token to repositories, so a catalog run gets one per repository; the run works
 * through them a few dozen at a time, and memory must not follow the catalog. Least recently used
 * go first. */
const MAX_CACHED = 512;
/** Mount sources a push token also asks pull on. A catalog's mounts come from the few repositories
 * its base layers went to first; many scopes make a token URL Harbor refuses (414, docs/harbor.md
 * §10). */
const MAX_MOUNT_SOURCES = 4;

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
  private readonly tokens = new Map<string, Entry>();
  /** The newest token asked for each first scope (the repository a request is about), which may
   * carry more scopes than the request that fetched it. */
  private readonly byFirstScope = new Map<string, string>();
  /** Repositories recently mounted from (their pull scopes), newest first. */
  private readonly mountSources: string[] = [];
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

  /** A valid token for these scopes, fetched at most once at a time per scope set. The first scope
   * names the repository the request is about; a token asked for it with more scopes serves too.
   *
   * A mount needs pull on its source besides push on the target (docs/harbor.md §6). Without more,
   * each repository would take two tokens: one for its uploads, one for its mounts. So a push
   * token also asks pull on the last few repositories mounted from, and a catalog's repositories
   * take one token each (docs/performance.md). Harbor grants only what the caller holds, and a
   * token goes only to the registry that challenged. */
  async get(challenge: BearerChallenge, scopes: string[]): Promise<string> {
    this.noteMountSources(scopes);
    const key = cacheKey(challenge, scopes);
    const found = this.lookup(challenge, key, scopes);
    if (found) {
      const [foundKey, entry] = found;
      const token = await entry.token.catch(() => undefined);
      if (token && token.expiresAt > Date.now()) {
        if (this.tokens.get(foundKey) === entry) {
          this.tokens.delete(foundKey); // most recently used last
          this.tokens.set(foundKey, entry);
        }
        return token.token;
      }
      if (this.tokens.get(foundKey) === entry) this.drop(foundKey);
    }
    const asked = this.widen(scopes);
    const askedKey = cacheKey(challenge, asked);
    const first = scopes.length > 0 ? firstKey(challenge, scopes[0]!) : undefined;
    const entry: Entry = { scopes: new Set(asked), token: this.fetchToken(challenge, asked), first };
    this.drop(askedKey); // an expired token asked for the same scopes
    this.tokens.set(askedKey, entry);
    if (first !== undefined) this.byFirstScope.set(first, askedKey);
    if (this.tokens.size > MAX_CACHED) this.drop(this.tokens.keys().next().value!);
    entry.token.catch(() => {
      if (this.tokens.get(askedKey) === entry) this.drop(askedKey);
    });
    return (await entry.token).token;
  }

  /** Forgets the token these scopes were served (it was refused). */
  invalidate(challenge: BearerChallenge, scopes: string[]): void {
    const found = this.lookup(challenge, cacheKey(challenge, scopes), scopes);
    if (found) this.drop(found[0]);
  }

  /** Forgets every token with a scope on a repository of `project` (`repository:<project>/…`). */
  invalidateProject(project: string): void {
    const needle = ` repository:${project}/`;
    for (const key of [...this.tokens.keys()]) if (key.includes(needle)) this.drop(key);
  }

  /** The token asked for exactly these scopes, or else the newest one asked for the same first
   * scope, when it was asked for all of these. */
  private lookup(challenge: BearerChallenge, key: string, scopes: string[]): [string, Entry] | undefined {
    const exact = this.tokens.get(key);
    if (exact) return [key, exact];
    if (scopes.length === 0) return undefined;
    const wider = this.byFirstScope.get(firstKey(challenge, scopes[0]!));
    const entry = wider === undefined ? undefined : this.tokens.get(wider);
    if (entry && scopes.every((s) => entry.scopes.has(s))) return [wider!, entry];
    return undefined;
  }

  private drop(key: string): void {
    const entry = this.tokens.get(key);
    this.tokens.delete(key);
    if (entry?.first !== undefined && this.byFirstScope.get(entry.first) === key) this.byFirstScope.delete(entry.first);
  }

  /** A mount asks push on its target, then pull on its source: the source is remembered. */
  private noteMountSources(scopes: string[]): void {
    if (scopes.length < 2 || !isPush(scopes[0]!)) return;
    for (const scope of scopes.slice(1)) {
      if (!scope.endsWith(':pull')) continue;
      const at = this.mountSources.indexOf(scope);
      if (at === 0) continue;
      if (at > 0) this.mountSources.splice(at, 1);
      this.mountSources.unshift(scope);
      if (this.mountSources.length > MAX_MOUNT_SOURCES) this.mountSources.pop();
    }
  }

  /** A push token's scopes and pull on the recent mount sources, but not on its own repository. */
  private widen(scopes: string[]): string[] {
    const first = scopes[0];
    if (first === undefined || !isPush(first) || this.mountSources.length === 0) return scopes;
    const own = `${first.slice(0, first.lastIndexOf(':'))}:pull`;
    const extra = this.mountSources.filter((s) => s !== own && !scopes.includes(s));
    return extra.length ? [...scopes, ...extra] : scopes;
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

function firstKey(challenge: BearerChallenge, scope: string): string {
  return `${challenge.realm} ${challenge.service ?? ''} ${scope}`;
}

/** `repository:<name>:pull,push` and the like: the actions are the text after the last colon. */
function isPush(scope: string): boolean {
  const actions = scope.slice(scope.lastIndexOf(':') + 1).split(',');
  return scope.startsWith('repository:') && actions.includes('push');
}
