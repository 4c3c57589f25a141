// One error type for everything harbor-sync reports (go-containerregistry's transport.Error, ky's
// HTTPError): a stable code, the step, the HTTP status and the registry's own code where there is
// one, the request (method and path, never a query string), what to do, and the cause. Domain
// subclasses add what their domain knows; decisions are made on these fields, never on text.
import type { ErrorCode, Step } from './codes.js';

export interface ErrorDetails {
  code: ErrorCode;
  message: string;
  step?: Step;
  status?: number;
  /** The registry's or Harbor's own code (`MANIFEST_UNKNOWN`, `DENIED`), as it sent it. */
  registryCode?: string;
  /** `GET /v2/team/app/manifests/1.2`: method and path only. */
  request?: string;
  /** What the user can do about it. */
  hint?: string;
  /** Worth another try although the status says otherwise (registry/retry.ts retryRule). */
  retryable?: boolean;
  cause?: unknown;
}

export class HarborSyncError extends Error {
  override readonly name: string = 'HarborSyncError';
  /** Survives a bundle holding two copies of this module, unlike instanceof (undici does the same). */
  readonly isHarborSyncError = true;
  readonly code: ErrorCode;
  readonly step: Step | undefined;
  readonly status: number | undefined;
  readonly registryCode: string | undefined;
  readonly request: string | undefined;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(details: ErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.step = details.step;
    this.status = details.status;
    this.registryCode = details.registryCode;
    this.request = details.request;
    this.hint = details.hint;
    this.retryable = details.retryable === true;
  }

  /** The same error placed at a step (and with a hint), as a new error: shared errors (a blob
   * upload several tags wait on) are never changed in place. */
  at(step: Step, hint?: string): HarborSyncError {
    if (this.step === step && (hint === undefined || this.hint === hint)) return this;
    return new HarborSyncError({ ...this.details(), step, ...(hint !== undefined && { hint }), cause: this });
  }

  details(): ErrorDetails {
    return {
      code: this.code,
      message: this.message,
      ...(this.step !== undefined && { step: this.step }),
      ...(this.status !== undefined && { status: this.status }),
      ...(this.registryCode !== undefined && { registryCode: this.registryCode }),
      ...(this.request !== undefined && { request: this.request }),
      ...(this.hint !== undefined && { hint: this.hint }),
      ...(this.retryable && { retryable: true }),
    };
  }
}

export function isHarborSyncError(error: unknown): error is HarborSyncError {
  return (
    typeof error === 'object' && error !== null && (error as { isHarborSyncError?: unknown }).isHarborSyncError === true
  );
}

/** Bad input: exit 2 with one line. */
export class ConfigError extends HarborSyncError {
  override readonly name: string = 'ConfigError';
  constructor(message: string, options: { code?: ErrorCode; hint?: string } = {}) {
    super({
      code: options.code ?? 'CONFIG_INVALID',
      message,
      step: 'config',
      ...(options.hint && { hint: options.hint }),
    });
  }
}

/** No answer: the connection could not be made or broke (undici's error is the cause). */
export class NetworkError extends HarborSyncError {
  override readonly name = 'NetworkError';
}

/** A storage directory or tarball that cannot be read as a registry's storage. */
export class StorageError extends HarborSyncError {
  override readonly name = 'StorageError';
}

/** Harbor refuses by a setting of its own (a proxy-cache project, an immutability rule,
 * read-only mode, a quota), not because the request was wrong. */
export class HarborPolicyError extends HarborSyncError {
  override readonly name = 'HarborPolicyError';
}
