// A blob read from its data file, hashed on the way: a truncated or damaged file then fails with
// the file's path instead of a bare digest mismatch at the upload (the engine checks too, but
// cannot say which file was wrong).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { corrupt } from './errors.js';

export function readBlobFile(path: string, digest: string, size: number, request: string): Readable {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  const hash = createHash(algorithm);
  let bytes = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = `${algorithm}:${hash.digest('hex')}`;
      if (actual === digest) return callback();
      const what = bytes < size ? `ended after ${bytes} of ${size} bytes (changed while reading?)` : `holds ${bytes} bytes hashing to ${actual}`;
      callback(corrupt(`blob data file ${path} is truncated or damaged: it ${what}, expected ${digest}`, request));
    },
  });
  const file = createReadStream(path);
  // Read errors (EIO, a file removed under us) name the file too.
  file.on('error', (error) => check.destroy(corrupt(`cannot read blob data file ${path}: ${error.message}`, request, error)));
  // A consumer that stops early (upload refused) must not leave the file open.
  check.on('close', () => file.destroy());
  file.pipe(check);
  return check;
}
