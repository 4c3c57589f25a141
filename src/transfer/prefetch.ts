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

/** Responses held at once: two per tag running (tags share most blobs, few have many of their own). */
export function prefetchLimit(concurrency: number): number {
  return concurrency * 2;
}

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

  /** Worth a GET now: nobody has it open or uploaded it, and there is room. */
  wants(digest: string): boolean {
    return this.held.size < this.max && !this.held.has(digest) && !this.uploadStarted(digest);
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
