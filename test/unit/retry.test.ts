import { describe, it, expect } from 'vitest';
import { parseRetryAfter, retryDelay } from '../../src/registry/retry.js';

describe('retry timing', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 08:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('caps every wait and grows the backoff with jitter', () => {
    const policy = { retries: 5, maxWaitMs: 2000, baseMs: 100 };
    expect(retryDelay(1, '3600', policy)).toBe(2000);
    for (let i = 0; i < 50; i++) {
      const d = retryDelay(3, undefined, policy);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(600);
    }
  });
});
