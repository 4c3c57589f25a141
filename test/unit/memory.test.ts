// The young generation is grown to 4 MB semi-spaces and held there (src/memory.ts): fewer
// scavenges than at V8's 1 MB start, without the 64 MB V8 would grow to when much survives, which
// left tens of MB of spent blob buffers waiting between collections. A child process loads the
// module as the entry points do and allocates the way a sync does: fast, with a share surviving.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_BYTES } from '../../src/memory.ts';

const MEMORY = fileURLToPath(new URL('../../src/memory.ts', import.meta.url));

const WORKLOAD = `
const { getHeapSpaceStatistics } = require('node:v8');
const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
(async () => {
  const kept = [];
  const sizes = [];
  for (let turn = 0; turn < 400; turn++) {
    for (let i = 0; i < 5000; i++) {
      const o = { tag: 'v' + i, digest: 'sha256:' + turn + ':' + i, bytes: new Array(8).fill(i) };
      if (i % 4 === 0) kept.push(o);
    }
    if (kept.length > 40000) kept.splice(0, 20000);
    sizes.push(young());
    await new Promise((r) => setImmediate(r));
  }
  // The second half, sorted: V8 adds pages for a moment while it marks, so single samples vary.
  const settled = sizes.slice(sizes.length / 2).sort((a, b) => a - b);
  console.log(JSON.stringify({ median: settled[settled.length >> 1], low: settled[0] }));
})();
`;

/** New space's size once the load has run a while: its median and least. */
function youngGeneration(preload: string[]): { median: number; low: number } {
  const out = execFileSync(process.execPath, [...preload, '-e', WORKLOAD], { encoding: 'utf8' });
  return JSON.parse(out) as { median: number; low: number };
}

describe('the young generation', () => {
  it('grows to two 4 MB semi-spaces under a sync-like load and stays there', () => {
    const held = youngGeneration(['--import', MEMORY]);
    expect(held.low).toBe(YOUNG_GENERATION_BYTES);
    expect(held.median).toBe(YOUNG_GENERATION_BYTES);
  });

  it("without it the same load grows V8's young generation past that", () => {
    const free = youngGeneration([]);
    expect(free.median).toBeGreaterThan(2 * YOUNG_GENERATION_BYTES);
  });
});
