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
  large: boolean;
  /** Undefined when the blob answered 404 (the classification saw that too). */
  response: Promise<BlobResponse | undefined>;
}

/** How many responses are held at once: small blobs (a config, a small layer) and large ones. */
export interface HoldLimits {
  small: number;
  large: number;
}

/** A blob up to the read buffer (1 MiB) is small: its held response waits whole in memory. */
export const HOLD_MAX_BYTES = 1024 * 1024;

/** At the widest concurrency (64) sixteen each would be a thousand source connections held open. */
const MAX_SMALL_HELD = 256;

/** Tags are read at the width of the cheap look (four per unit of concurrency) and wait for a copy
 * slot with their GETs held: a few small blobs each. With fewer holds than that, a tag read while
 * they are full checks its blobs with a HEAD and GETs them again to copy them: at 2,000 tiny
 * repositories, 8,900 source HEADs where 2,000 do (issue 30). Large blobs keep the two per unit of
 * concurrency they always had (the copies running next): each buffers up to 1 MiB, then waits. */
export function holdLimits(concurrency: number): HoldLimits {
  return { small: Math.min(concurrency * 16, MAX_SMALL_HELD), large: concurrency * 2 };
}

/** Source connections the held responses may take (each holds one): the source's pool has room
 * for them besides the transfers, or an upload waiting for a connection could wait for ever. */
export function prefetchConnections(concurrency: number): number {
  const { small, large } = holdLimits(concurrency);
  return small + large;
}

export class Prefetch {
  private readonly held = new Map<string, Held>();
  private readonly limits: HoldLimits;
  private readonly uploadStarted: (digest: string) => boolean;
  private largeHeld = 0;

  constructor(limits: HoldLimits, uploadStarted: (digest: string) => boolean) {
    this.limits = limits;
    this.uploadStarted = uploadStarted;
  }

  /** Worth a GET now: nobody has it open or uploaded it, and there is room among its size's holds. */
  wants(digest: string, size: number): boolean {
    if (this.held.has(digest) || this.uploadStarted(digest)) return false;
    return size > HOLD_MAX_BYTES
      ? this.largeHeld < this.limits.large
      : this.held.size - this.largeHeld < this.limits.small;
  }

  /** Holds the GET `open` starts for `owner` (a tag); resolves to the size, or undefined on 404. */
  async open(
    owner: string,
    digest: string,
    size: number,
    open: () => Promise<BlobResponse | undefined>,
  ): Promise<number | undefined> {
    const response = open().then((res) => {
      // Nobody reads it while it waits: an error then (an abandoned run, a stall) must not be
      // an unhandled 'error' event; the upload that takes it sees the error when it reads.
      res?.body.on('error', () => undefined);
      return res;
    });
    const entry: Held = { owner, large: size > HOLD_MAX_BYTES, response };
    this.hold(digest, entry);
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
    this.drop(digest, entry);
    return await entry.response.catch(() => undefined);
  }

  /** Closes what `owner` opened and no upload took (the tag was stale, or mounted the blob). */
  release(owner: string): void {
    for (const [digest, entry] of [...this.held]) {
      if (entry.owner !== owner) continue;
      this.drop(digest, entry);
      void entry.response.then(
        (res) => res?.body.destroy(),
        () => undefined,
      );
    }
  }

  private hold(digest: string, entry: Held): void {
    this.held.set(digest, entry);
    if (entry.large) this.largeHeld += 1;
  }

  private drop(digest: string, entry: Held): void {
    if (this.held.get(digest) !== entry) return;
    this.held.delete(digest);
    if (entry.large) this.largeHeld -= 1;
  }
}
