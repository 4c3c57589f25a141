// Errors that keep what a user needs to act: HTTP status, the registry's error code and message,
// and the operation that failed. Modeled on go-containerregistry's transport.Error.
// A server's words are untrusted: every text taken from an error body is cut to a short,
// single-line, printable excerpt here, before anything can show it (SECURITY.md).
import { excerpt } from '../redact/text.js';
import { HarborSyncError, isHarborSyncError } from './base.js';
import type { ErrorCode } from './codes.js';

/** One entry of the distribution error body `{"errors":[{code,message,detail}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

const BODY_LIMIT = 64 * 1024;

/** An answer of a registry (or of Harbor's API) that is an error, or a refusal of ours about
 * what a registry sent (a foreign Link, a realm over plain HTTP). */
export class RegistryError extends HarborSyncError {
  override readonly name = 'RegistryError';
  /** Survives bundling two copies of this module, unlike instanceof. */
  readonly isRegistryError = true;
  readonly errors: RegistryErrorEntry[];
  /** Method and URL path (never the query string, which may carry tokens). */
  declare readonly request: string;
  /** The message only restates the answer (httpError): reports then show the registry's words. */
  readonly restatesAnswer: boolean;

  constructor(options: {
    message: string;
    status?: number;
    errors?: RegistryErrorEntry[];
    request: string;
    cause?: unknown;
    code?: ErrorCode;
    hint?: string;
    restatesAnswer?: boolean;
    retryable?: boolean;
  }) {
    const errors = options.errors ?? [];
    const registryCode = errors[0]?.code;
    super({
      code: options.code ?? codeFor(options.status, registryCode),
      message: options.message,
      request: options.request,
      ...(options.status !== undefined && { status: options.status }),
      ...(registryCode !== undefined && { registryCode }),
      ...(options.hint !== undefined && { hint: options.hint }),
      ...(options.cause !== undefined && { cause: options.cause }),
      ...(options.retryable && { retryable: true }),
    });
    this.errors = errors;
    this.restatesAnswer = options.restatesAnswer ?? false;
  }

  /** The registry's own message when it sent one, else ours. */
  get registryMessage(): string {
    const first = this.errors[0];
    if (!first) return this.message;
    const detail = describeDetail(first.detail);
    return detail ? `${first.message} (${detail})` : first.message;
  }
}

/** Our code for a registry's answer: its own code where that says more than the status. */
function codeFor(status: number | undefined, registryCode: string | undefined): ErrorCode {
  switch (registryCode) {
    case 'DIGEST_INVALID':
      return 'DIGEST_MISMATCH';
    case 'SIZE_INVALID':
      return 'SIZE_MISMATCH';
    case 'MANIFEST_INVALID':
      return 'MANIFEST_INVALID';
    case 'NAME_INVALID':
    case 'TAG_INVALID':
      return 'NAME_INVALID';
  }
  if (status === 404) return 'NOT_FOUND';
  if (status === 401 || status === 403) return 'PERMISSION_DENIED';
  return 'HTTP_ERROR';
}

/** The one builder of an error from an HTTP answer, for the registry client and Harbor's API:
 * `GET /v2/a/b/manifests/1 on host: 404 MANIFEST_UNKNOWN: manifest unknown`. */
export function httpError(answer: {
  method: string;
  path: string;
  host: string;
  status: number;
  body: string;
  code?: ErrorCode;
  hint?: string;
  retryable?: boolean;
}): RegistryError {
  const errors = parseErrorBody(answer.body.slice(0, BODY_LIMIT));
  const first = errors[0];
  const path = `/${answer.path.replace(/^\//, '')}`;
  return new RegistryError({
    message: `${answer.method} ${path} on ${answer.host}: ${answer.status}${first ? ` ${first.code}: ${first.message}` : ''}`,
    status: answer.status,
    errors,
    request: `${answer.method} ${path.split('?')[0]}`,
    ...(answer.code && { code: answer.code }),
    ...(answer.hint && { hint: answer.hint }),
    ...(answer.retryable && { retryable: true }),
    restatesAnswer: true,
  });
}

export function isRegistryError(error: unknown): error is RegistryError {
  return (
    typeof error === 'object' && error !== null && (error as { isRegistryError?: unknown }).isRegistryError === true
  );
}

/** The registry answered 404: the thing asked for is not there (as opposed to a failure). */
export function isNotFound(error: unknown): boolean {
  return isHarborSyncError(error) && error.status === 404;
}

/** Parses a distribution or Harbor error body; tolerant of anything else (HTML from a proxy, empty). */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text.slice(0, BODY_LIMIT)) as { errors?: unknown; code?: unknown; message?: unknown };
    if (Array.isArray(parsed.errors)) {
      return parsed.errors
        .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
        .slice(0, MAX_ENTRIES)
        .map((e) => ({
          code: errorCode(e.code),
          message: excerpt(String(e.message ?? ''), MESSAGE_LIMIT),
          detail: e.detail,
        }));
    }
    // Harbor's CSRF middleware answers {"code":"FORBIDDEN","message":"CSRF token invalid"} without the errors array.
    if (typeof parsed.code === 'string')
      return [{ code: errorCode(parsed.code), message: excerpt(String(parsed.message ?? ''), MESSAGE_LIMIT) }];
  } catch {
    // not JSON: fall through
  }
  const snippet = excerpt(text.slice(0, 1000), SNIPPET_LIMIT);
  return snippet ? [{ code: 'UNKNOWN', message: snippet }] : [];
}

const MAX_ENTRIES = 10;
const MESSAGE_LIMIT = 300;
const SNIPPET_LIMIT = 200;

/** A registry error code is an upper-case identifier (`MANIFEST_UNKNOWN`); anything else is not one. */
function errorCode(value: unknown): string {
  const code = String(value ?? 'UNKNOWN');
  return /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'UNKNOWN';
}

function describeDetail(detail: unknown): string {
  if (detail === undefined || detail === null || detail === '') return '';
  if (typeof detail === 'string') return excerpt(detail, MESSAGE_LIMIT);
  if (Array.isArray(detail)) return detail.map(describeDetail).filter(Boolean).join(', ');
  if (typeof detail === 'object') {
    const d = detail as Record<string, unknown>;
    for (const key of ['digest', 'Digest', 'name', 'Name', 'Tag', 'Reference']) {
      if (typeof d[key] === 'string') return `${key.toLowerCase()} ${excerpt(d[key] as string, MESSAGE_LIMIT)}`;
    }
    return excerpt(JSON.stringify(detail) ?? '', SNIPPET_LIMIT);
  }
  return excerpt(String(detail), SNIPPET_LIMIT);
}
