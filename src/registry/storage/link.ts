// Reads a distribution `link` file: its whole content is the digest it points to
// (`sha256:<hex>`, no newline). It is read as data from someone else's tree: a few hundred bytes at
// most, only from a regular file of the tree (tree.ts), and never echoed in a message, since a
// link that is not a digest may hold anything.
import { corrupt, unsafe } from './errors.js';
import { isDigest } from './layout.js';
import type { StorageTree } from './tree.js';

/** A digest is under 200 bytes (sha512: 135); a bigger link file is damage. */
const LINK_LIMIT = 256;

/** The digest the link points to; undefined when the link does not exist. */
export async function readLink(tree: StorageTree, path: string, request: string): Promise<string | undefined> {
  const file = await tree.open(path, 'link file', request);
  if (!file) return undefined;
  const shown = tree.show(path);
  let raw: Buffer;
  try {
    if (file.size > LINK_LIMIT)
      throw unsafe(
        `corrupt link file ${shown}: it is ${file.size} bytes, more than a digest (at most ${LINK_LIMIT})`,
        request,
      );
    // One byte more than allowed shows a file that grew since the fstat.
    raw = await file.read(LINK_LIMIT + 1, 'link file', request);
  } finally {
    await file.close();
  }
  if (raw.length > LINK_LIMIT)
    throw unsafe(`corrupt link file ${shown}: it grew past ${LINK_LIMIT} bytes while being read`, request);
  // A hand-edited link may end in a newline; tolerate whitespace, nothing else.
  const text = raw.toString('utf8').trim();
  if (!isDigest(text))
    throw corrupt(`corrupt link file ${shown}: its ${raw.length} bytes are not <algorithm>:<hex digest>`, request);
  return text;
}

/** A link under `<algorithm>/<hex>/link` must point at that same digest. */
export async function readDigestLink(
  tree: StorageTree,
  path: string,
  expected: string,
  request: string,
): Promise<string | undefined> {
  const target = await readLink(tree, path, request);
  if (target !== undefined && target !== expected) {
    throw corrupt(
      `corrupt link file ${tree.show(path)}: points to ${target}, but its directory names ${expected}`,
      request,
    );
  }
  return target;
}
