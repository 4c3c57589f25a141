// When and how long to wait before trying a request again (ky's retry-timing, regclient's
// reghttp): 408, 429 and 5xx and network failures are worth another try; other 4xx are not.
// Waits grow exponentially with jitter, and a server's Retry-After is honoured up to a cap.
import { AsyncLocalStorage } from 'node:async_hooks';
import { causeCode } from '../errors/causes.js';

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  /** Cap on any single wait, Retry-After included. */
  maxWaitMs: number;
  /** First backoff step. */
  baseMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, maxWaitMs: 60_000, baseMs: 500 };

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/** A failure of the connection rather than an answer: worth retrying. Looks through causes,
 * since undici wraps socket errors. */
export function isNetworkError(error: unknown): boolean {
  return causeCode(error, (code) => NETWORK_CODES.has(code)) !== undefined;
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Aborted: no further attempt (the run is being stopped). */
  signal?: AbortSignal | undefined;
  /** Whether attempt `attempt` (1 = the first) failed in a way worth another; the caller's rule
   * also decides how many attempts it allows (policy.retries, or its own). */
  shouldRetry(error: unknown, attempt: number): boolean;
}

/** The one retry loop (requests in the transport, whole blob copies, downloads): runs `work`
 * until it succeeds or `shouldRetry` declines, waiting with jittered backoff (or the server's
 * Retry-After, carried by a RetryLater) between attempts, each retry counted for the tag. */
export async function retrying<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (options.signal?.aborted || !options.shouldRetry(error, attempt)) throw error;
      countRetry();
      await sleep(
        retryDelay(attempt, error instanceof RetryLater ? error.retryAfter : undefined, options.policy),
        options.signal,
      );
    }
  }
}

/** An answer worth another try (408, 429, 5xx), thrown inside `retrying` so the loop waits as the
 * server asked; the last attempt returns the answer instead of throwing. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  readonly retryAfter: string | undefined;
  constructor(status: number, retryAfter: string | undefined) {
    super(`answered ${status}; worth another try`);
    this.retryAfter = retryAfter;
  }
}

/** Milliseconds to wait before attempt `attempt` (1 = the first retry). */
export function retryDelay(
  attempt: number,
  retryAfter: string | undefined,
  policy: RetryPolicy,
  now = Date.now(),
): number {
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return Math.min(asked, policy.maxWaitMs);
  const backoff = policy.baseMs * 2 ** (attempt - 1);
  return Math.min(backoff * (0.5 + Math.random()), policy.maxWaitMs); // jitter: 50%–150%
}

/** Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retries are counted per tag: the engine runs each tag's work inside its own counter. */
export const retryCounter = new AsyncLocalStorage<{ retries: number }>();

export function countRetry(): void {
  const counter = retryCounter.getStore();
  if (counter) counter.retries += 1;
}
