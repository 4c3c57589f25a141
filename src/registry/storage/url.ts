// `dir:///var/lib/registry` and `file:///backup/registry.tar[.gz]` → a local path. Only absolute
// paths: `dir://var/lib/registry` would silently mean host "var", so it is refused with the fix.
import { fileURLToPath } from 'node:url';

export type StorageKind = 'dir' | 'file';

export function isStorageUrl(url: string): boolean {
  return /^(dir|file):\/\//i.test(url.trim());
}

export function parseStorageUrl(url: string): { kind: StorageKind; path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error(`"${url}" is not a URL: write dir:///path/to/registry or file:///path/to/registry.tar.gz`);
  }
  const kind = parsed.protocol.slice(0, -1).toLowerCase();
  if (kind !== 'dir' && kind !== 'file') throw new Error(`"${url}": only dir:// and file:// name a storage source`);
  if (parsed.host !== '' && parsed.host !== 'localhost') {
    throw new Error(`"${url}": the path must be absolute, with three slashes: ${kind}:///${parsed.host}${parsed.pathname}`);
  }
  // dir: is not a file: URL to Node; reuse its decoding (%20 and the like) all the same.
  return { kind, path: fileURLToPath(`file://${parsed.pathname}`) };
}
