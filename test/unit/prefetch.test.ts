// Prefetch: the GET that checks a blob is on the source is held for the upload that copies it.
import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { HOLD_MAX_BYTES, holdLimits, Prefetch } from '../../src/transfer/prefetch.ts';

const response = () => ({ body: Readable.from([Buffer.from('layer')]), size: 5 });

describe('Prefetch', () => {
  it('hands the held response to the upload, once', async () => {
    const prefetch = new Prefetch({ small: 2, large: 1 }, () => false);
    const res = response();
    expect(await prefetch.open('tag a', 'sha256:1', 5, async () => res)).toBe(5);
    expect(prefetch.wants('sha256:1', 5)).toBe(false); // already held
    expect(await prefetch.take('sha256:1')).toBe(res);
    expect(await prefetch.take('sha256:1')).toBeUndefined();
    expect(res.body.destroyed).toBe(false);
  });

  it('holds no more than its limit, nothing already on its way to Harbor, and nothing that 404s', async () => {
    const uploading = new Set(['sha256:up']);
    const prefetch = new Prefetch({ small: 2, large: 1 }, (d) => uploading.has(d));
    expect(prefetch.wants('sha256:up', 5)).toBe(false);
    expect(await prefetch.open('tag a', 'sha256:gone', 5, async () => undefined)).toBeUndefined();
    expect(prefetch.wants('sha256:gone', 5)).toBe(true); // a 404 is not held
    await prefetch.open('tag a', 'sha256:1', 5, async () => response());
    await prefetch.open('tag b', 'sha256:2', 5, async () => response());
    expect(prefetch.wants('sha256:3', 5)).toBe(false);
  });

  it('holds large blobs (over the 1 MiB read buffer) within a budget of their own', async () => {
    const prefetch = new Prefetch({ small: 2, large: 1 }, () => false);
    const big = HOLD_MAX_BYTES + 1;
    expect(prefetch.wants('sha256:large', big)).toBe(true);
    await prefetch.open('tag a', 'sha256:large', big, async () => response());
    // The large budget is spent; the small one is untouched.
    expect(prefetch.wants('sha256:large-2', big)).toBe(false);
    expect(prefetch.wants('sha256:small', HOLD_MAX_BYTES)).toBe(true);
    await prefetch.open('tag a', 'sha256:s1', 5, async () => response());
    await prefetch.open('tag a', 'sha256:s2', 5, async () => response());
    expect(prefetch.wants('sha256:s3', 5)).toBe(false);
    // Taken by its upload, the large hold is free again.
    await prefetch.take('sha256:large');
    expect(prefetch.wants('sha256:large-2', big)).toBe(true);
    expect(prefetch.wants('sha256:s3', 5)).toBe(false);
  });

  it('sixteen small holds per unit of concurrency, at most 256; two large ones', () => {
    expect(holdLimits(4)).toEqual({ small: 64, large: 8 });
    expect(holdLimits(64)).toEqual({ small: 256, large: 128 });
  });

  it('release closes what the tag opened and nobody took, and leaves other tags alone', async () => {
    const prefetch = new Prefetch({ small: 4, large: 1 }, () => false);
    const mine = response();
    const theirs = response();
    await prefetch.open('tag a', 'sha256:1', 5, async () => mine);
    await prefetch.open('tag b', 'sha256:2', 5, async () => theirs);
    prefetch.release('tag a');
    await new Promise((r) => setImmediate(r));
    expect(mine.body.destroyed).toBe(true);
    expect(theirs.body.destroyed).toBe(false);
    expect(await prefetch.take('sha256:1')).toBeUndefined();
    expect(await prefetch.take('sha256:2')).toBe(theirs);
  });

  // Without the listener Prefetch adds, the 'error' event below is uncaught and vitest fails the run.
  it('an error on a held body before anyone reads it is not an unhandled error', async () => {
    const prefetch = new Prefetch({ small: 1, large: 1 }, () => false);
    const res = response();
    await prefetch.open('tag a', 'sha256:1', 5, async () => res);
    res.body.destroy(new Error('socket hang up'));
    await new Promise((r) => setImmediate(r));
    expect(res.body.destroyed).toBe(true);
  });

  it('a failed GET (not a 404) fails the check and frees the slot', async () => {
    const prefetch = new Prefetch({ small: 1, large: 1 }, () => false);
    await expect(prefetch.open('tag a', 'sha256:1', 5, async () => Promise.reject(new Error('503')))).rejects.toThrow(
      '503',
    );
    expect(prefetch.wants('sha256:1', 5)).toBe(true);
  });
});
