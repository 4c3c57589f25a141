// What is tried again, and how long to wait first (ky's retry-timing, regclient's reghttp,
// go-containerregistry's retry predicate). One rule, retryRule, decides for every loop that
// retries: requests in the transport, whole blob copies, tarball downloads. 408, 429 and 5xx and
// network failures are worth another try; other 4xx are not. Waits grow exponentially with jitter,
// and a server's Retry-After is honoured up to a cap.
import { AsyncLocalStorage } from 'node:async_hooks';
import { isHarborSyncError } from '../errors/base.js';
import { causeCode } from '../errors/cause-chain.js';

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

/** What one failed attempt is worth: `again` up to the policy's retries; `once` one more try
 * whatever the policy (content that did not match its digest: a byte flipped in transit is gone the
 * next time, and a second mismatch proves the source's copy damaged); `never`. */
export type RetryRule = 'again' | 'once' | 'never';

/** The one predicate of what is retried, everywhere. */
export function retryRule(error: unknown): RetryRule {
  if (error instanceof RetryLater || isNetworkError(error)) return 'again';
  if (!isHarborSyncError(error)) return 'never';
  if (error.code === 'DIGEST_MISMATCH') return 'once';
  // `retryable`: the one who made the error knows the answer is worth another try although its
  // status says otherwise (a 401 to a streamed upload: its token expired while the body went).
  if (error.retryable || (error.status !== undefined && isRetryableStatus(error.status))) return 'again';
  return 'never';
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Aborted: no further attempt (the run is being stopped). */
  signal?: AbortSignal | undefined;
}

/** The one retry loop (requests in the transport, whole blob copies, downloads): runs `work`
 * until it succeeds or retryRule declines, waiting with jittered backoff (or the server's
 * Retry-After, carried by a RetryLater) between attempts, each retry counted for the tag. */
export async function retrying<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retries = options.policy.retries;
  let again = 0;
  let once = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const rule = retryRule(error);
      if (rule === 'never' || (rule === 'once' && once) || (rule === 'again' && again >= retries)) throw error;
      if (rule === 'once') once = true;
      else again += 1;
      countRetry();
      await sleep(
        retryDelay(attempt, error instanceof RetryLater ? error.retryAfter : undefined, options.policy),
        options.signal,
      );
    }
  }
}

/** Content that does not hash to its digest: ours, or the registry's 400 DIGEST_INVALID on commit. */
export function isDigestMismatch(error: unknown): boolean {
  return isHarborSyncError(error) && error.code === 'DIGEST_MISMATCH';
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

function countRetry(): void {
  const counter = retryCounter.getStore();
  if (counter) counter.retries += 1;
}
