// A large blob's chunks live outside V8's heap and are freed only by a scavenge; with the young
// generation held at 4 MB (src/memory.ts) a stream of them alone scavenges too rarely, so
// transfer/spent-buffers.ts asks for a scavenge every 8 MB streamed. A child process loads both
// modules as the entry points do and streams 128 MB of fresh 64 KB chunks, as a socket delivers
// them, through the counter or past it, noting the most memory outside the heap held at once.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MEMORY = fileURLToPath(new URL('../../src/memory.ts', import.meta.url));
const SPENT = fileURLToPath(new URL('../../src/transfer/spent-buffers.ts', import.meta.url));
const MB = 1024 * 1024;

const STREAM = `
const { releasingSpent } = await import(${JSON.stringify(SPENT)});
const { Readable, Writable } = await import('node:stream');
const { pipeline } = await import('node:stream/promises');
const { createHash } = await import('node:crypto');
const CHUNKS = 2048, SIZE = 65536;
let sent = 0, peak = 0;
const sentHash = createHash('sha256');
const source = new Readable({
  read() {
    if (sent++ >= CHUNKS) return this.push(null);
    const chunk = Buffer.allocUnsafeSlow(SIZE).fill(sent & 255);
    sentHash.update(chunk);
    this.push(chunk);
  },
});
const received = createHash('sha256');
const body = process.argv[1] === 'counted' ? releasingSpent(source, CHUNKS * SIZE) : source;
await pipeline(body, new Writable({
  write(chunk, _encoding, done) {
    received.update(chunk);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    setImmediate(done);
  },
}));
console.log(JSON.stringify({ same: received.digest('hex') === sentHash.digest('hex'), peak }));
`;

function stream(mode: 'counted' | 'past'): { same: boolean; peak: number } {
  const out = execFileSync(process.execPath, ['--import', MEMORY, '--input-type=module', '-e', STREAM, mode], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { same: boolean; peak: number };
}

describe('a large blob streamed through the spent-buffer counter', () => {
  it('arrives byte for byte, with no more than about three scavenges’ worth of chunks held at once', () => {
    const counted = stream('counted');
    expect(counted.same).toBe(true);
    expect(counted.peak).toBeLessThan(28 * MB);
  });

  it('without it the same stream holds more than 36 MB of spent chunks at once', () => {
    const past = stream('past');
    expect(past.same).toBe(true);
    expect(past.peak).toBeGreaterThan(36 * MB);
  });
});
