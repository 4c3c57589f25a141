// `shard: i/n` as the Shard the engine uses (src/sync/shard.ts).
import { ConfigError } from '../errors/base.js';
import { printable } from '../redact/text.js';
import type { Shard } from '../model/config.js';

/** More shards than any matrix runs: report-merge takes no more (MAX_SHARDS in src/report/merge.ts). */
const MAX_SHARDS = 10_000;

export function parseShard(text: string, input = 'shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count || count > MAX_SHARDS) {
    throw new ConfigError(
      `${input} must be i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS} (e.g. 2/4), not "${printable(text.slice(0, 100))}"`,
    );
  }
  return { index, count };
}
