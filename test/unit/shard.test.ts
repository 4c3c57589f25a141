import { describe, it, expect } from 'vitest';
import { parseShard } from '../../src/config/shard.js';
import { shardOf } from '../../src/sync/shard.js';

describe('shards', () => {
  it('parses i/n and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/shard must be i\/n/);
  });

  it('puts a repository in the same shard every time and spreads many over all shards', () => {
    expect(shardOf('team-a/app', 4)).toBe(shardOf('team-a/app', 4));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[shardOf(`team-${i % 7}/svc-${i}`, 4) - 1]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(60);
  });
});
