import { describe, it, expect } from 'vitest';
import { parseShard } from '../../src/config/shard-input.js';
import { shardOf } from '../../src/sync/shard.js';

describe('shards', () => {
  it('parses i/n and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/shard must be i\/n/);
  });

  // Every runner of a matrix computes its shard alone, in its own process, maybe on another day
  // or machine: a repository's shard may depend on its name and n, nothing else. Pinned values
  // (from sha256, as src/sync/shard.ts computes them) catch a hash that is salted per process,
  // reads the clock or state, or changes between releases (which would re-deal every repository).
  const KNOWN: [name: string, n: number, shard: number][] = [
    ['team-a/app', 4, 2],
    ['library/alpine', 4, 1],
    ['team-b/multi', 3, 3],
    ['a', 2, 1],
    ['team-a/tools/worker', 7, 5],
    ['cat/r-000', 64, 63],
    ['cat/r-001', 64, 9],
    ['team-a/app', 1, 1],
  ];

  it('deals known repositories to known shards', () => {
    expect(KNOWN.map(([name, n]) => shardOf(name, n))).toEqual(KNOWN.map(([, , shard]) => shard));
  });

  it("a repository's shard does not depend on the calls before it", () => {
    const names = Array.from({ length: 50 }, (_, i) => `team-${i % 3}/svc-${i}`);
    const forward = names.map((name) => shardOf(name, 5));
    const backward = [...names].reverse().map((name) => shardOf(name, 5));
    const interleaved = names.map((name, i) => {
      shardOf(`other/${i}`, 3);
      return shardOf(name, 5);
    });
    expect(backward.reverse()).toEqual(forward);
    expect(interleaved).toEqual(forward);
    expect(new Set(forward).size).toBe(5);
  });

  it('spreads many repositories over every shard, also names that differ only at one end', () => {
    const families: [string, (i: number) => string][] = [
      ['one project', (i) => `team/svc-${i}`],
      ['one repository name', (i) => `team-${i}/app`],
    ];
    for (const [family, name] of families)
      for (const n of [2, 3, 4, 7, 16]) {
        const counts = new Array<number>(n).fill(0);
        for (let i = 0; i < 100 * n; i++) {
          const shard = shardOf(name(i), n);
          expect(Number.isInteger(shard) && shard >= 1 && shard <= n, `${family}: ${name(i)} → ${shard} of ${n}`).toBe(
            true,
          );
          counts[shard - 1]! += 1;
        }
        // 100 expected in each: a hash of part of the name puts them all in one or a few.
        for (const c of counts) expect(c, `${family}, n=${n}: ${counts.join(' ')}`).toBeGreaterThan(70);
      }
  });
});
