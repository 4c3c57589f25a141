// The HTTP layer every registry call goes through, layered as regclient and go-containerregistry do:
// auth (challenge → basic or bearer token per scope) → retry (idempotent requests) → undici request.
// The credentials belong to one origin; auth-boundary.ts says where else they may go.
import type { Dispatcher } from 'undici';
import { Agent, request } from './http.js';
import type { Readable } from 'node:stream';
import { bearerChallenge, offersBasic, type BearerChallenge } from './challenge.js';
import { basicAuthorization, type Credentials } from './credentials.js';
import { TokenCache } from './tokens.js';
import { AuthBoundary } from './auth-boundary.js';
import { AbortFanout } from './abort-fanout.js';
import { discardBody, type Answer } from './body.js';
import { NetworkError } from '../errors/base.js';
import { causeText, certificateCode } from '../errors/cause-chain.js';
import { addCredentials } from '../redact/secrets.js';
import { DEFAULT_RETRY_POLICY, RetryLater, isRetryableStatus, retrying, type RetryPolicy } from './retry.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: Method;
  url: URL;
  headers?: Record<string, string>;
  /** A stream body cannot be replayed: such a request is sent once, with the auth learned before. */
  body?: Readable | Buffer | string;
  /** Token scopes the request needs, e.g. `repository:p/r:pull`. */
  scopes?: string[];
  /** Follow 3xx for GET/HEAD (blob storage redirects); auth is only sent to the registry's origin. */
  followRedirects?: boolean;
  /** Bytes of the response body buffered before the socket is paused (undici's default: 64 KiB). */
  highWaterMark?: number;
}

/** An answer: its body is read through body.ts (bounded in bytes and time) or streamed (a blob). */
export interface HttpResponse extends Answer {
  body: Dispatcher.ResponseData['body'];
}

export interface TransportOptions {
  /** The URL the user named: its origin is the only one the credentials are sent to (besides the
   * token realm it announces). */
  origin: URL | string;
  credentials?: Credentials;
  userAgent: string;
  /** Connections per origin; keep-alive is on. */
  connections?: number;
  dispatcher?: Dispatcher;
  retry?: RetryPolicy;
  /** Seconds without a byte on an open response before it counts as stalled. */
  stallTimeoutSeconds?: number;
  /** Aborts every request in flight (an interrupted run past its grace period). */
  signal?: AbortSignal;
  /** TLS: skip verification, or trust these CA certificates (PEM). `insecure` also accepts a
   * token realm over plain HTTP for an HTTPS registry. */
  tls?: TlsOptions;
  /** Send Basic credentials from the first request (Harbor's API never challenges). */
  preemptiveBasic?: boolean;
}

export interface TlsOptions {
  insecure?: boolean;
  ca?: string;
}

/** What every client (registry or Harbor API) takes besides its URL and credentials. */
export type ConnectionOptions = Pick<
  TransportOptions,
  'retry' | 'stallTimeoutSeconds' | 'signal' | 'tls' | 'connections'
>;

const MAX_REDIRECTS = 5;

export class Transport {
  readonly dispatcher: Dispatcher;
  private readonly credentials: Credentials | undefined;
  private readonly userAgent: string;
  private readonly tokens: TokenCache;
  private readonly retry: RetryPolicy;
  private readonly signal: AbortSignal | undefined;
  /** The same signal as requests take it: one listener on it, not one per request. */
  private readonly abort: AbortFanout | undefined;
  private readonly boundary: AuthBoundary;
  /** The stall timeout: no byte for this long is a stall; a small body (body.ts) must be whole by then. */
  readonly stallMs: number;
  /** What the registry asked for the last time it challenged us. */
  private scheme: 'unknown' | 'none' | 'basic' | 'bearer' = 'unknown';
  private bearer: BearerChallenge | undefined;

  constructor(options: TransportOptions) {
    this.credentials = options.credentials;
    addCredentials(options.credentials); // known to the redaction point before any request
    this.boundary = new AuthBoundary(new URL(options.origin), options.tls?.insecure === true);
    this.userAgent = options.userAgent;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.signal = options.signal;
    this.abort = options.signal && new AbortFanout(options.signal);
    const stall = (options.stallTimeoutSeconds ?? 120) * 1000;
    this.stallMs = stall;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.connections ?? 16,
        keepAliveTimeout: 30_000,
        connect: {
          timeout: 30_000,
          ...(options.tls?.insecure && { rejectUnauthorized: false }),
          ...(options.tls?.ca && { ca: options.tls.ca }),
        },
        headersTimeout: stall, // total time from the request sent to the last header byte
        bodyTimeout: stall, // inactivity between bytes, not total: a 5 GB layer may take long
      });
    this.tokens = new TokenCache(this.dispatcher, this.credentials, this.userAgent, stall);
    if (options.preemptiveBasic && this.credentials) this.scheme = 'basic';
  }

  /** Drops the cached tokens naming a repository of `project`: Harbor ignores a token's access to
   * a project created after the token was issued (docs/harbor.md §1). */
  invalidateTokens(project: string): void {
    this.tokens.invalidateProject(project);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Sends a request, answering challenges; returns whatever status the registry ends with. A 401
   * from another origin than the registry's is not answered: it throws, saying so. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.sendAuthorized(req);
    if (res.status === 401 && !this.boundary.mayAuthorize(res.url)) {
      await discardBody(res);
      throw this.boundary.foreignChallenge(describe(req), req.url, res.url);
    }
    return res;
  }

  private async sendAuthorized(req: HttpRequest): Promise<HttpResponse> {
    const replayable = !isStream(req.body);
    const sent = await this.authorization(req);
    let res = await this.sendWithRetry(req, sent, replayable);
    // Only the registry's own challenge is answered (a redirect target's goes back to send()).
    if (res.status !== 401 || !replayable || !this.boundary.mayAuthorize(res.url)) return res;

    const header = headerValue(res.headers, 'www-authenticate');
    const challenge = bearerChallenge(header);
    if (challenge) {
      await discardBody(res);
      const realm = this.boundary.acceptRealm(challenge.realm, describe(req));
      const scopes = union(req.scopes ?? [], challenge.scopes);
      this.scheme = 'bearer';
      this.bearer = { realm, service: challenge.service, scopes: [] };
      // A cached token that was refused (expired, or issued before a Harbor project existed) is
      // dropped and fetched again once; a fresh token refused again is a real 401. A request sent
      // without one (the run's first, side by side, before the scheme was known) refused nothing:
      // they share the one token the first of them fetches.
      if (sent?.startsWith('Bearer ')) this.tokens.invalidate(this.bearer, scopes);
      const token = await this.tokens.get(this.bearer, scopes);
      return await this.sendWithRetry(req, `Bearer ${token}`, true);
    }
    if (this.scheme === 'bearer' && this.bearer) {
      // Harbor answers a refused token with a Basic challenge (docs/harbor.md §1): try a fresh token,
      // then Basic, which Harbor accepts on every /v2 path.
      await discardBody(res);
      this.tokens.invalidate(this.bearer, req.scopes ?? []);
      res = await this.sendWithRetry(req, `Bearer ${await this.tokens.get(this.bearer, req.scopes ?? [])}`, true);
      if (
        res.status !== 401 ||
        !this.boundary.mayAuthorize(res.url) ||
        !this.credentials ||
        !offersBasic(headerValue(res.headers, 'www-authenticate'))
      )
        return res;
      await discardBody(res);
      return await this.sendWithRetry(req, basicAuthorization(this.credentials), true);
    }
    if (offersBasic(header) && this.credentials && this.scheme !== 'basic') {
      this.scheme = 'basic';
      await discardBody(res);
      res = await this.sendWithRetry(req, basicAuthorization(this.credentials), true);
    }
    return res;
  }

  private async authorization(req: HttpRequest): Promise<string | undefined> {
    if (!this.boundary.mayAuthorize(req.url)) return undefined;
    if (this.scheme === 'basic' && this.credentials) return basicAuthorization(this.credentials);
    if (this.scheme === 'bearer' && this.bearer)
      return `Bearer ${await this.tokens.get(this.bearer, req.scopes ?? [])}`;
    return undefined;
  }

  /** A stream body cannot be replayed: such a request gets one attempt (its caller starts the
   * whole copy over instead). */
  private sendWithRetry(
    req: HttpRequest,
    authorization: string | undefined,
    replayable: boolean,
  ): Promise<HttpResponse> {
    if (!replayable) return this.sendFollowingRedirects(req, authorization);
    return retrying(
      async (attempt) => {
        const res = await this.sendFollowingRedirects(req, authorization);
        if (attempt > this.retry.retries || !isRetryableStatus(res.status)) return res;
        const retryAfter = headerValue(res.headers, 'retry-after');
        await discardBody(res);
        throw new RetryLater(res.status, retryAfter);
      },
      { policy: this.retry, signal: this.signal },
    );
  }

  private async sendFollowingRedirects(req: HttpRequest, authorization: string | undefined): Promise<HttpResponse> {
    const asked = describe(req);
    let url = req.url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
      // Credentials never leave the registry's origin (S3 or CDN redirects get none).
      if (authorization && this.boundary.mayAuthorize(url)) headers.authorization = authorization;
      this.abort?.throwIfAborted();
      const res = await request(url, {
        method: req.method,
        headers,
        body: req.body ?? null,
        dispatcher: this.dispatcher,
        // undici closes the connection after every HEAD unless told not to (for servers that send
        // a body anyway); registries do not, and a new connection per blob check costs both sides.
        ...(req.method === 'HEAD' && { reset: false }),
        ...(req.highWaterMark && { highWaterMark: req.highWaterMark }),
        // undici takes any object with addEventListener for a signal (abort-fanout.ts says why).
        ...(this.abort && { signal: this.abort as unknown as AbortSignal }),
      }).catch((error: unknown) => {
        throw untrustedCertificate(error, req.method, url) ?? error;
      });
      const location = headerValue(res.headers, 'location');
      const redirect = req.followRedirects && res.statusCode >= 300 && res.statusCode < 400 && location;
      if (!redirect || hop >= MAX_REDIRECTS) {
        return {
          status: res.statusCode,
          headers: res.headers,
          body: res.body,
          url,
          request: asked,
          stallMs: this.stallMs,
        };
      }
      await discardBody({ body: res.body, stallMs: this.stallMs });
      url = new URL(location, url);
    }
  }
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A TLS certificate refused by whatever origin answered (the registry, or where it redirected):
 * said with that origin, which the user must trust (`*-ca-file`) or stop checking (`*-insecure`). */
function untrustedCertificate(error: unknown, method: string, url: URL): NetworkError | undefined {
  const code = certificateCode(error);
  if (code === undefined) return undefined;
  return new NetworkError({
    code: 'TLS_FAILED',
    request: `${method} ${url.pathname}`,
    message: `${method} ${url.pathname} on ${url.origin}: its TLS certificate is not trusted (${code}: ${causeText(error)})`,
    hint: `trust the CA that signed the certificate of ${url.host} with the ca-file input of the registry you named (source-ca-file, harbor-ca-file or upstream-ca-file), or set its insecure input`,
    cause: error,
  });
}

/** Method and path for messages: never the query string, which may carry tokens. */
function describe(req: HttpRequest): string {
  return `${req.method} ${req.url.pathname}`;
}

function isStream(body: HttpRequest['body']): body is Readable {
  return (
    typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && typeof (body as Readable).pipe === 'function'
  );
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
