// A blob read from its data file, hashed on the way: a truncated or damaged file then fails with
// the file's path instead of a bare digest mismatch at the upload (the engine checks too, but
// cannot say which file was wrong). It reads the file as opened and checked by its tree (tree.ts),
// so the file streamed is the one that was checked. `path` is as messages show it.
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { corrupt } from './errors.js';
import type { TreeFile } from './tree.js';

export function readBlobFile(file: TreeFile, path: string, digest: string, request: string): Readable {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  const hash = createHash(algorithm);
  const size = file.size;
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
      const what =
        bytes < size
          ? `ended after ${bytes} of ${size} bytes (changed while reading?)`
          : `holds ${bytes} bytes hashing to ${actual}`;
      callback(corrupt(`blob data file ${path} is truncated or damaged: it ${what}, expected ${digest}`, request));
    },
  });
  // The stream closes the file when it ends or is destroyed.
  const stream = file.stream();
  // Read errors (EIO) name the file too.
  stream.on('error', (error) =>
    check.destroy(corrupt(`cannot read blob data file ${path}: ${error.message}`, request, error)),
  );
  // A consumer that stops early (upload refused, sizes differ) must not leave the file open.
  check.on('close', () => stream.destroy());
  stream.pipe(check);
  return check;
}
