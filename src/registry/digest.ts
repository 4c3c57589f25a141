import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { HarborSyncError } from '../errors/base.js';

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

class DigestMismatchError extends HarborSyncError {
  override readonly name = 'DigestMismatchError';
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string, bytes: number) {
    super({
      code: 'DIGEST_MISMATCH',
      message: `content digest ${actual} (${bytes} bytes) does not match the expected ${expected}`,
    });
    this.expected = expected;
    this.actual = actual;
  }
}

/** Passes bytes through while hashing them; fails at the end on a digest mismatch
 * (containers/image digesting_reader), so a corrupt blob is never committed. */
export class DigestVerifier extends Transform {
  readonly expected: string;
  private readonly hash: Hash;
  bytes = 0;
  /** Set when the content did not match: callers report this rather than whatever the
   * consumer of the stream made of the error. */
  mismatch: DigestMismatchError | undefined;

  constructor(expected: string) {
    super();
    this.expected = expected;
    const algorithm = expected.split(':')[0] ?? 'sha256';
    this.hash = createHash(algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `${this.expected.split(':')[0]}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) this.mismatch = new DigestMismatchError(this.expected, actual, this.bytes);
    callback(this.mismatch ?? null);
  }
}
