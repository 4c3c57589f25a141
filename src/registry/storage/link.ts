// Reads a distribution `link` file: its whole content is the digest it points to
// (`sha256:<hex>`, no newline). Anything else is reported with the file's path.
import { readFile } from 'node:fs/promises';
import { corrupt, isMissing } from './errors.js';
import { isDigest } from './layout.js';

/** The digest the link points to; undefined when the link does not exist. */
export async function readLink(path: string, request: string): Promise<string | undefined> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw corrupt(`cannot read link file ${path}: ${(error as Error).message}`, request, error);
  }
  // A hand-edited link may end in a newline; tolerate whitespace, nothing else.
  const text = raw.toString('utf8').trim();
  if (!isDigest(text)) {
    const shown = JSON.stringify(raw.subarray(0, 80).toString('utf8'));
    throw corrupt(`corrupt link file ${path}: content ${shown} is not <algorithm>:<hex digest>`, request);
  }
  return text;
}

/** A link under `<algorithm>/<hex>/link` must point at that same digest. */
export async function readDigestLink(path: string, expected: string, request: string): Promise<string | undefined> {
  const target = await readLink(path, request);
  if (target !== undefined && target !== expected) {
    throw corrupt(`corrupt link file ${path}: points to ${target}, but its directory names ${expected}`, request);
  }
  return target;
}
