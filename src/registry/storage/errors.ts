// The errors a storage source throws. What the registry would answer with a status (a 404 for what
// a repository does not link, a 400 for a bad name) is a RegistryError with that status and
// distribution's code, so the engine classifies tags exactly as for an HTTP source. What only a
// storage tree can get wrong (a damaged file, a symlink) is a StorageError naming the file.
import { StorageError } from '../../errors/base.js';
import type { ErrorCode } from '../../errors/codes.js';
import { RegistryError } from '../../errors/registry.js';

export type NotFoundCode = 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN' | 'NAME_UNKNOWN';

/** What the registry answers with 404. `request` mirrors the HTTP operation for messages. */
export function notFound(code: NotFoundCode, message: string, request: string): RegistryError {
  return new RegistryError({
    message: `${request}: 404 ${code}: ${message}`,
    status: 404,
    errors: [{ code, message }],
    request,
    restatesAnswer: true,
  });
}

/** A request the registry would refuse with 400 (bad name, tag or digest). */
export function invalid(
  code: 'NAME_INVALID' | 'TAG_INVALID' | 'DIGEST_INVALID',
  message: string,
  request: string,
): RegistryError {
  return new RegistryError({
    message: `${request}: 400 ${code}: ${message}`,
    status: 400,
    errors: [{ code, message }],
    request,
    code: 'NAME_INVALID',
    restatesAnswer: true,
  });
}

/** A damaged file (wrong digest, bad link content): the message names the file. */
export function corrupt(message: string, request: string, cause?: unknown): StorageError {
  return storageError('STORAGE_CORRUPT', message, request, cause);
}

/** Something the filesystem driver never writes where a regular file belongs: a symlink, a FIFO,
 * a device, an oversized link. Never followed, never opened. */
export function unsafe(message: string, request: string, cause?: unknown): StorageError {
  return storageError('STORAGE_UNSAFE', message, request, cause);
}

/** The source as a whole cannot be opened (no layout, an unsafe or unreadable archive): a fatal
 * error at the storage step. */
export function unusable(code: ErrorCode, message: string, cause?: unknown, hint?: string): StorageError {
  return new StorageError({
    code,
    step: 'storage',
    message,
    ...(cause !== undefined && { cause }),
    ...(hint !== undefined && { hint }),
  });
}

export function readOnly(operation: string): StorageError {
  return storageError('INTERNAL', 'a storage directory source is read-only; harbor-sync never writes to it', operation);
}

export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function storageError(code: ErrorCode, message: string, request: string, cause?: unknown): StorageError {
  return new StorageError({ code, message: `${request}: ${message}`, request, ...(cause !== undefined && { cause }) });
}
