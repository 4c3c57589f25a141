// What the two storage kinds share (storage-directory.ts, storage-archive.ts): the grammar of
// their URLs and the options their client is opened with.
//   dir:///var/lib/registry            a local directory
//   file:///backup/registry.tar[.gz]   a local tarball (or a directory, read as one)
//   https://host/registry.tar[.gz]     a tarball downloaded first
// Only absolute local paths: `dir://var/lib/registry` would silently mean host "var", so it is
// refused with the fix. No user-info anywhere: a local path has no use for it, and a download
// takes source-username/source-password instead. These messages never echo the URL when it may
// hold a password.
import { fileURLToPath } from 'node:url';
import { addSecret } from '../redact/secrets.js';
import {
  createStorageSource,
  type StorageLocation,
  type StorageSource,
  type StorageSourceOptions,
} from '../registry/storage/open-storage.js';
import { SourceUrlError, schemeOf, type OpenContext, type SourceTraits } from './kind.js';

export type { StorageLocation } from '../registry/storage/open-storage.js';

const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz|tar\.zst|tzst)$/i;
/** `scheme://user[:password]@…`, found in the text: `file://u:p@…` does not even parse as a URL. */
const USER_INFO = /^\s*[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;
const NO_USER_INFO = 'source-registry must not carry a user name or password in the URL';

/** True for a name a tarball has: `.tar`, `.tar.gz`, `.tgz`, `.tar.zst`, `.tzst`. */
export function namesTarball(path: string): boolean {
  return ARCHIVE_NAME.test(path);
}

/** An http(s) URL whose path names a tarball: downloaded, not asked for the registry API. */
export function isTarballDownload(url: string): boolean {
  const scheme = schemeOf(url);
  if (scheme !== 'http' && scheme !== 'https') return false;
  const path = URL.parse(url.trim())?.pathname;
  return path !== undefined && namesTarball(path);
}

/** Where a storage URL points; throws SourceUrlError. Its query values become secrets: a
 * presigned tarball URL carries its signature there. */
export function storageLocation(url: string): StorageLocation {
  if (USER_INFO.test(url))
    throw new SourceUrlError(
      `${NO_USER_INFO}: a local path needs none, and a download takes source-username and source-password`,
    );
  const parsed = URL.parse(url.trim());
  if (!parsed)
    throw new SourceUrlError('not a valid URL: write dir:///path/to/registry or file:///path/to/registry.tar.gz');
  for (const query of parsed.searchParams.values()) addSecret(query);
  const kind = parsed.protocol.slice(0, -1).toLowerCase();
  if ((kind === 'http' || kind === 'https') && namesTarball(parsed.pathname))
    return { kind: 'download', path: parsed.toString() };
  if (kind !== 'dir' && kind !== 'file')
    throw new SourceUrlError('only dir://, file:// and an http(s) URL of a .tar/.tar.gz name a storage source');
  if (parsed.host !== '' && parsed.host !== 'localhost') {
    // Host and path only: no query string in the message.
    throw new SourceUrlError(
      `the path must be absolute, with three slashes (a ${kind}:// URL names no host, not "${parsed.host}"): ${kind}:///${parsed.host}${parsed.pathname}`,
    );
  }
  // dir: is not a file: URL to Node; reuse its decoding (%20 and the like) all the same.
  return { kind, path: fileURLToPath(`file://${parsed.pathname}`) };
}

/** The storage client, opened at first use, with what the kind's traits say it takes: the source
 * credentials and TLS options for a download only, work-dir only where temporary files go. */
export function openStorage(location: StorageLocation, traits: SourceTraits, context: OpenContext): StorageSource {
  const { source, connection, logger } = context;
  const download = traits.sourceCredentials === 'download';
  const options: StorageSourceOptions = {
    userAgent: connection.userAgent,
    retry: connection.retry,
    stallTimeoutSeconds: connection.stallTimeoutSeconds,
    ...(connection.signal && { signal: connection.signal }),
    ...(logger && { log: (message: string) => logger.info(message) }),
    ...(traits.workDir && { workDirOption: context.naming.name('work-dir') }),
    ...(traits.workDir && context.workDir && { workDir: context.workDir }),
    ...(download && source.credentials && { credentials: source.credentials }),
    ...(download && source.tls && { tls: source.tls }),
  };
  return createStorageSource(location, options);
}
