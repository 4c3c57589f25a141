// A blob streams through in chunks that live outside V8's heap and are freed only when a scavenge
// finds their handles dead. The young generation is sized for a stream of small requests
// (src/memory.ts), and a stream of large blobs allocates little on the heap, so it would
// scavenge too rarely: spent chunks pile up (a 2 GiB layer peaked at 167 MB instead of 130, and
// ran 1.23× its floor). So a large blob passes through a counter, and every SCAVENGE_EVERY bytes
// streamed, over all blobs, one scavenge is asked for: about half a millisecond each, 2 GiB makes
// 256 (docs/performance.md, "Memory").
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Blobs from this size on are counted chunk by chunk; a smaller one is counted whole as it
 * starts: over many blobs the count comes out the same, without a stream in between. */
const LARGE_BLOB_BYTES = 4 * 1024 * 1024;
const SCAVENGE_EVERY = 8 * 1024 * 1024;

type Collect = (options: { type: 'minor' }) => void;
let collect: Collect | undefined;
let streamed = 0;

/** V8's `gc` from a context made after `--expose-gc` is set: the flag can be set at run time,
 * and only new contexts see it, so the entry points need no flag on the command line. */
function scavenger(): Collect {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  return collect;
}

function count(bytes: number): void {
  streamed += bytes;
  if (streamed < SCAVENGE_EVERY) return;
  streamed = 0;
  scavenger()({ type: 'minor' });
}

/** Passes a large blob's bytes through unchanged, counting them as they go. */
class SpentBufferRelease extends Transform {
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, chunk);
    count(chunk.length);
  }
}

/** The blob's body, counted towards the next scavenge: whole now if it is small, as it streams if
 * it is large. */
export function releasingSpent(body: Readable, length: number): Readable {
  if (length < LARGE_BLOB_BYTES) {
    count(length);
    return body;
  }
  return pipeline(body, new SpentBufferRelease(), () => undefined);
}
