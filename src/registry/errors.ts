// Errors that keep what a user needs to act: HTTP status, the registry's error code and message,
// and the operation that failed. Modeled on go-containerregistry's transport.Error.

/** One entry of the distribution error body `{"errors":[{code,message,detail}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

const BODY_LIMIT = 64 * 1024;

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  /** Survives bundling two copies of this module, unlike instanceof. */
  readonly isRegistryError = true;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly errors: RegistryErrorEntry[];
  /** Method and URL path (never the query string, which may carry tokens). */
  readonly request: string;

  constructor(options: { message: string; status?: number; errors?: RegistryErrorEntry[]; request: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.errors = options.errors ?? [];
    this.code = this.errors[0]?.code;
    this.request = options.request;
  }

  /** The registry's own message when it sent one, else ours. */
  get registryMessage(): string {
    const first = this.errors[0];
    if (!first) return this.message;
    const detail = describeDetail(first.detail);
    return detail ? `${first.message} (${detail})` : first.message;
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return typeof error === 'object' && error !== null && (error as { isRegistryError?: unknown }).isRegistryError === true;
}

/** The registry answered 404: the thing asked for is not there (as opposed to a failure). */
export function isNotFound(error: unknown): boolean {
  return isRegistryError(error) && error.status === 404;
}

/** Parses a distribution or Harbor error body; tolerant of anything else (HTML from a proxy, empty). */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text.slice(0, BODY_LIMIT)) as { errors?: unknown; code?: unknown; message?: unknown };
    if (Array.isArray(parsed.errors)) {
      return parsed.errors
        .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
        .map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? ''), detail: e.detail }));
    }
    // Harbor's CSRF middleware answers {"code":"FORBIDDEN","message":"CSRF token invalid"} without the errors array.
    if (typeof parsed.code === 'string') return [{ code: parsed.code, message: String(parsed.message ?? '') }];
  } catch {
    // not JSON: fall through
  }
  const snippet = text.slice(0, 200).replace(/\s+/g, ' ').trim();
  return snippet ? [{ code: 'UNKNOWN', message: snippet }] : [];
}

function describeDetail(detail: unknown): string {
  if (detail === undefined || detail === null || detail === '') return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map(describeDetail).filter(Boolean).join(', ');
  if (typeof detail === 'object') {
    const d = detail as Record<string, unknown>;
    for (const key of ['digest', 'Digest', 'name', 'Name', 'Tag', 'Reference']) {
      if (typeof d[key] === 'string') return `${key.toLowerCase()} ${d[key] as string}`;
    }
    return JSON.stringify(detail).slice(0, 200);
  }
  return String(detail);
}

export function readBodyLimit(): number {
  return BODY_LIMIT;
}
