// An http(s):// tarball source is downloaded into a temporary directory through the project's own
// Transport, as a registry request would be: source-username/source-password answer that URL's
// origin only (the transport never sends them along a redirect to another origin), TLS options
// apply, nothing is printed, and a message names the URL by origin and path only (no user-info,
// no query string, which may carry a signature).
import { unusable } from './errors.js';
import { isHarborSyncError } from '../../errors/base.js';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Credentials } from '../credentials.js';
import { DEFAULT_RETRY_POLICY, retrying, type RetryPolicy } from '../retry.js';
import { Transport, type TlsOptions } from '../transport.js';
import { makeTempDir, removeTree, workDirOf } from './temp-dir.js';

export interface DownloadOptions {
  userAgent?: string;
  credentials?: Credentials;
  tls?: TlsOptions;
  retry?: RetryPolicy;
  stallTimeoutSeconds?: number;
  signal?: AbortSignal;
  /** Where the download goes (default $RUNNER_TEMP, else the OS temp dir). */
  workDir?: string;
}

export interface Downloaded {
  file: string;
  cleanup(): Promise<void>;
}

/** How a download URL may appear in messages. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export async function downloadArchive(url: string, options: DownloadOptions = {}): Promise<Downloaded> {
  const shown = shownUrl(url);
  const dir = await makeTempDir('download', workDirOf(options.workDir));
  const file = join(dir, 'registry.tar');
  const transport = new Transport({
    // The credentials are for this origin: a redirect elsewhere gets none, and its 401 is not answered.
    origin: new URL(url),
    userAgent: options.userAgent ?? 'harbor-sync',
    connections: 1,
    // Given for this URL: sent from the first request (file hosts often answer 404, not 401,
    // without them), and only ever to this origin.
    preemptiveBasic: true,
    ...(options.credentials && { credentials: options.credentials }),
    ...(options.tls && { tls: options.tls }),
    ...(options.retry && { retry: options.retry }),
    ...(options.stallTimeoutSeconds !== undefined && { stallTimeoutSeconds: options.stallTimeoutSeconds }),
    ...(options.signal && { signal: options.signal }),
  });
  try {
    await fetchInto(transport, new URL(url), file, shown, options);
  } catch (error) {
    await removeTree(dir);
    if (isHarborSyncError(error)) throw error;
    // Network errors name hosts, not URLs; the query string is cut out all the same.
    const search = new URL(url).search;
    const message = (error as Error).message;
    throw unusable(
      'DOWNLOAD_FAILED',
      `downloading ${shown} failed: ${search ? message.split(search).join('') : message}`,
      error,
    );
  } finally {
    await transport.close().catch(() => undefined);
  }
  return { file, cleanup: () => removeTree(dir) };
}

async function fetchInto(
  transport: Transport,
  url: URL,
  file: string,
  shown: string,
  options: DownloadOptions,
): Promise<void> {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  // The transport retries the request; a body cut short is started over here, from byte 0.
  await retrying(
    async () => {
      const res = await transport.send({ method: 'GET', url, followRedirects: true });
      if (res.status !== 200) {
        await res.body.dump().catch(() => undefined);
        const hint = res.status === 401 || res.status === 403 ? ' (check source-username and source-password)' : '';
        throw unusable('DOWNLOAD_FAILED', `downloading ${shown} failed: the server answered ${res.status}${hint}`);
      }
      await pipeline(res.body, createWriteStream(file, { mode: 0o600 }));
    },
    { policy, signal: options.signal },
  );
}
