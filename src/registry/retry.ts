// When and how long to wait before trying a request again (ky's retry-timing, regclient's
// reghttp): 408, 429 and 5xx and network failures are worth another try; other 4xx are not.
// Waits grow exponentially with jitter, and a server's Retry-After is honoured up to a cap.
import { AsyncLocalStorage } from 'node:async_hooks';

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
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  }
  return false;
}

/** Milliseconds to wait before attempt `attempt` (1 = the first retry). */
export function retryDelay(attempt: number, retryAfter: string | undefined, policy: RetryPolicy, now = Date.now()): number {
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
