// The errors a storage source throws, shaped like the registry's answers (RegistryError with
// status and distribution error code) so the engine classifies them exactly as for HTTP.
import { RegistryError } from '../errors.js';

export type NotFoundCode = 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN' | 'NAME_UNKNOWN';

/** What the registry answers with 404. `request` mirrors the HTTP operation for messages. */
export function notFound(code: NotFoundCode, message: string, request: string): RegistryError {
  return new RegistryError({ message: `${request}: 404 ${code}: ${message}`, status: 404, errors: [{ code, message }], request });
}

/** A request the registry would refuse with 400 (bad name, tag or digest). */
export function invalid(code: 'NAME_INVALID' | 'TAG_INVALID' | 'DIGEST_INVALID', message: string, request: string): RegistryError {
  return new RegistryError({ message: `${request}: 400 ${code}: ${message}`, status: 400, errors: [{ code, message }], request });
}

/** Damaged storage: no HTTP status (the registry would answer 500 or serve garbage); the message
 * names the file so someone can look at it. */
export function corrupt(message: string, request: string, cause?: unknown): RegistryError {
  return new RegistryError({ message: `${request}: ${message}`, errors: [{ code: 'STORAGE_CORRUPT', message }], request, cause });
}

export function readOnly(operation: string): RegistryError {
  const message = `${operation}: a storage directory source is read-only; harbor-sync never writes to it`;
  return new RegistryError({ message, errors: [{ code: 'UNSUPPORTED', message }], request: operation });
}

export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
