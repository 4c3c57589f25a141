// The one walk down an error's cause chain (undici wraps socket errors; we wrap registry answers).

const MAX_DEPTH = 8;

/** The error, then its cause, then that one's cause, … */
export function* causes(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_DEPTH; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The first error of the chain that `test` accepts. */
export function findCause<T>(error: unknown, test: (e: unknown) => e is T): T | undefined;
export function findCause(error: unknown, test: (e: unknown) => boolean): unknown;
export function findCause(error: unknown, test: (e: unknown) => boolean): unknown {
  for (const e of causes(error)) if (test(e)) return e;
  return undefined;
}

/** The deepest error of the chain. */
export function rootCause(error: unknown): unknown {
  let last: unknown = error;
  for (const e of causes(error)) last = e;
  return last;
}

/** A string `code` property somewhere in the chain (Node's errno codes, undici's UND_ERR_*). */
export function causeCode(error: unknown, accept: (code: string) => boolean): string | undefined {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && accept(code)) return code;
  }
  return undefined;
}

/** Node's and OpenSSL's codes for a TLS certificate the run does not trust (self-signed, expired,
 * unknown CA, wrong host name). */
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** The certificate code in the chain, when a TLS certificate was refused. */
export function certificateCode(error: unknown): string | undefined {
  return causeCode(error, (code) => CERTIFICATE_CODE.test(code));
}

/** An error's own words for a reader: Node's advice about its own flags ("try running Node.js with
 * --use-system-ca") and OpenSSL's file and line are not for someone running harbor-sync, who is
 * told what to set instead. */
export function causeText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/;\s*if the root CA is installed locally, try running Node\.js with --use-system-ca\.?/i, '')
    .replace(/[;,]?\s*(?:try running|run) Node(?:\.js)? with --[\w-]+[^;]*/i, '')
    .replace(/:[^:]*\.\.\/deps\/openssl[^\n]*$/, '')
    .replace(/\s*\(?\.\.\/deps\/[^)]*\)?/g, '');
}
