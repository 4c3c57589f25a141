// Where the run put each blob: shared while in flight, remembered once done, forgotten least
// recently used first past the bound, never remembered when the upload failed.
import { describe, expect, it } from 'vitest';
import { BlobHomes } from '../../src/transfer/blob-homes.ts';

const digest = (n: number): string => `sha256:${String(n).padStart(64, '0')}`;

describe('BlobHomes', () => {
  it('shares an upload in flight and remembers where it went', async () => {
    const homes = new BlobHomes(10);
    let uploads = 0;
    const upload = async (repository: string): Promise<string> => {
      uploads++;
      await new Promise((r) => setTimeout(r, 5));
      return repository;
    };
    const a = homes.run(digest(1), () => upload('team/a'));
    const b = homes.run(digest(1), () => upload('team/b'));
    expect([a.first, b.first]).toEqual([true, false]);
    expect(await b.promise).toBe('team/a');
    const c = homes.run(digest(1), () => upload('team/c'));
    expect(c.first).toBe(false);
    expect(await c.promise).toBe('team/a');
    expect(uploads).toBe(1);
    expect(homes.has(digest(1))).toBe(true);
  });

  it('forgets a failed upload, so a later tag tries again', async () => {
    const homes = new BlobHomes(10);
    const failed = homes.run(digest(1), () => Promise.reject(new Error('502')));
    await expect(failed.promise).rejects.toThrow('502');
    expect(homes.has(digest(1))).toBe(false);
    expect(homes.run(digest(1), async () => 'team/b').first).toBe(true);
  });

  it('keeps at most its bound, the blobs used most recently (a shared base layer stays)', async () => {
    const homes = new BlobHomes(100);
    await homes.run(digest(0), async () => 'team/base').promise;
    for (let n = 1; n <= 1_000; n++) {
      await homes.run(digest(n), async () => `team/app-${n}`).promise;
      // Every tenth repository mounts the base layer: it is used, so it is kept.
      if (n % 10 === 0) expect(homes.run(digest(0), async () => 'again').first).toBe(false);
    }
    expect(homes.has(digest(0))).toBe(true);
    expect(homes.has(digest(1_000))).toBe(true);
    expect(homes.has(digest(1))).toBe(false);
    const kept = Array.from({ length: 1_001 }, (_, n) => homes.has(digest(n))).filter(Boolean).length;
    expect(kept).toBe(100);
  });
});
