// `dir:///var/lib/registry` and `file:///backup/registry.tar[.gz]` → a local path. Only absolute
// paths: `dir://var/lib/registry` would silently mean host "var", so it is refused with the fix.
import { fileURLToPath } from 'node:url';

export type StorageKind = 'dir' | 'file' | 'download';

const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz)$/i;

/** dir:// and file://, and an http(s) URL whose path names a tarball (downloaded first). */
export function isStorageUrl(url: string): boolean {
  const text = url.trim();
  if (/^(dir|file):\/\//i.test(text)) return true;
  try {
    const parsed = new URL(text);
    return /^https?:$/.test(parsed.protocol) && ARCHIVE_NAME.test(parsed.pathname);
  } catch {
    return false;
  }
}

export function parseStorageUrl(url: string): { kind: StorageKind; path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error(`"${url}" is not a URL: write dir:///path/to/registry or file:///path/to/registry.tar.gz`);
  }
  const kind = parsed.protocol.slice(0, -1).toLowerCase();
  if ((kind === 'http' || kind === 'https') && ARCHIVE_NAME.test(parsed.pathname)) return { kind: 'download', path: parsed.toString() };
  if (kind !== 'dir' && kind !== 'file') throw new Error(`"${url}": only dir://, file:// and an http(s) URL of a .tar/.tar.gz name a storage source`);
  if (parsed.host !== '' && parsed.host !== 'localhost') {
    throw new Error(`"${url}": the path must be absolute, with three slashes: ${kind}:///${parsed.host}${parsed.pathname}`);
  }
  // dir: is not a file: URL to Node; reuse its decoding (%20 and the like) all the same.
  return { kind, path: fileURLToPath(`file://${parsed.pathname}`) };
}
