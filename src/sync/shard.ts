// `shard: i/n` spreads a catalog over n runners. Whole repositories go to one shard, chosen by a
// stable hash of the repository name, so a repository's tags stay together and every nightly run
// sends it to the same runner.
import { createHash } from 'node:crypto';
import type { Shard } from '../model/config.js';

export function shardOf(repository: string, count: number): number {
  const hash = createHash('sha256').update(repository).digest();
  return (hash.readUInt32BE(0) % count) + 1;
}

export function inShard(repository: string, shard: Shard | undefined): boolean {
  return !shard || shardOf(repository, shard.count) === shard.index;
}
