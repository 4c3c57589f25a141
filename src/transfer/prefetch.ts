// Blob GETs opened while a tag is classified. Classifying must know that every blob is on the
// source before anything is written to Harbor; for a blob this run is about to upload, the GET
// that copies it can be that check, instead of a HEAD first and a GET later (one request fewer per
// uploaded blob, which on a CPU-bound source is time). The response waits, unread, until the
// upload takes it; the tag that opened it releases whatever no upload took.
import type { Readable } from 'node:stream';

export interface BlobResponse {
  body: Readable;
  size: number | undefined;
}

interface Held {
  owner: string;
  /** Undefined when the blob answered 404 (the classification saw that too). */
  response: Promise<BlobResponse | undefined>;
}

/** At the widest concurrency (64) sixteen each would be a thousand source connections held open. */
const MAX_HELD = 256;

/** Responses held at once: tags are read at the width of the cheap look (four per unit of
 * concurrency) and wait for a copy slot with their GETs held, a few small blobs each (a config and
 * a layer or two). With fewer holds than that, a tag read while they are full checks its blobs with
 * a HEAD and GETs them again to copy them: at 2,000 tiny repositories, 8,900 source HEADs where
 * 2,000 do (issue 30). Each hold is a source connection (the source's pool has room for them). */
export function prefetchLimit(concurrency: number): number {
  return Math.min(concurrency * 16, MAX_HELD);
}

/** A blob is held only if it fits the read buffer (1 MiB): a held response then waits whole in
 * memory, and its connection idle. A larger blob is checked with a HEAD: one request more, which
 * next to its transfer costs nothing, and held buffers stay bounded (`prefetchLimit` × 1 MiB). */
export const HOLD_MAX_BYTES = 1024 * 1024;

export class Prefetch {
  private readonly held = new Map<string, Held>();
  private readonly max: number;
  private readonly uploadStarted: (digest: string) => boolean;

  /** `max` bounds the responses held at once: each holds a source connection, so it must stay
   * below the source's connection limit or uploads waiting for a connection could wait forever. */
  constructor(max: number, uploadStarted: (digest: string) => boolean) {
    this.max = max;
    this.uploadStarted = uploadStarted;
  }

  /** Worth a GET now: small enough to hold, nobody has it open or uploaded it, and there is room. */
  wants(digest: string, size: number): boolean {
    return size <= HOLD_MAX_BYTES && this.held.size < this.max && !this.held.has(digest) && !this.uploadStarted(digest);
  }

  /** Holds the GET `open` starts for `owner` (a tag); resolves to the size, or undefined on 404. */
  async open(
    owner: string,
    digest: string,
    open: () => Promise<BlobResponse | undefined>,
  ): Promise<number | undefined> {
    const response = open().then((res) => {
      // Nobody reads it while it waits: an error then (an abandoned run, a stall) must not be
      // an unhandled 'error' event; the upload that takes it sees the error when it reads.
      res?.body.on('error', () => undefined);
      return res;
    });
    const entry: Held = { owner, response };
    this.held.set(digest, entry);
    try {
      const res = await response;
      if (!res) this.drop(digest, entry);
      return res ? (res.size ?? -1) : undefined;
    } catch (error) {
      this.drop(digest, entry);
      throw error;
    }
  }

  /** The held response for this blob, for the upload that copies it (whichever tag runs it). */
  async take(digest: string): Promise<BlobResponse | undefined> {
    const entry = this.held.get(digest);
    if (!entry) return undefined;
    this.held.delete(digest);
    return await entry.response.catch(() => undefined);
  }

  /** Closes what `owner` opened and no upload took (the tag was stale, or mounted the blob). */
  release(owner: string): void {
    for (const [digest, entry] of [...this.held]) {
      if (entry.owner !== owner) continue;
      this.held.delete(digest);
      void entry.response.then(
        (res) => res?.body.destroy(),
        () => undefined,
      );
    }
  }

  private drop(digest: string, entry: Held): void {
    if (this.held.get(digest) === entry) this.held.delete(digest);
  }
}
