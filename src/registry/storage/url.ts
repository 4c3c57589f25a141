// `dir:///var/lib/registry` and `file:///backup/registry.tar[.gz]` → a local path; an http(s) URL
// of a tarball → downloaded first. Only absolute local paths: `dir://var/lib/registry` would
// silently mean host "var", so it is refused with the fix. No user-info anywhere: a local path has
// no use for it, and a download takes source-username/source-password instead. These messages
// never echo the URL when it may hold a password.
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors/base.js';

export type StorageKind = 'dir' | 'file' | 'download';

const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz|tar\.zst|tzst)$/i;
/** `scheme://user[:password]@…`, found in the text: `file://u:p@…` does not even parse as a URL. */
const USER_INFO = /^\s*[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;
const NO_USER_INFO = 'source-registry must not carry a user name or password in the URL';

/** A storage URL the config layer should refuse (exit 2): the message is safe to print, and reads
 * after a `source-registry: ` prefix. */
export class StorageUrlError extends ConfigError {
  override readonly name = 'StorageUrlError';
}

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
  if (USER_INFO.test(url))
    throw new StorageUrlError(
      `${NO_USER_INFO}: a local path needs none, and a download takes source-username and source-password`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new StorageUrlError('not a valid URL: write dir:///path/to/registry or file:///path/to/registry.tar.gz');
  }
  const kind = parsed.protocol.slice(0, -1).toLowerCase();
  if ((kind === 'http' || kind === 'https') && ARCHIVE_NAME.test(parsed.pathname))
    return { kind: 'download', path: parsed.toString() };
  if (kind !== 'dir' && kind !== 'file')
    throw new StorageUrlError('only dir://, file:// and an http(s) URL of a .tar/.tar.gz name a storage source');
  if (parsed.host !== '' && parsed.host !== 'localhost') {
    // Host and path only: no query string in the message.
    throw new StorageUrlError(
      `the path must be absolute, with three slashes (a ${kind}:// URL names no host, not "${parsed.host}"): ${kind}:///${parsed.host}${parsed.pathname}`,
    );
  }
  // dir: is not a file: URL to Node; reuse its decoding (%20 and the like) all the same.
  return { kind, path: fileURLToPath(`file://${parsed.pathname}`) };
}
