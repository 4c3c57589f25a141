// Single input values as the engine takes them: booleans, bounded numbers, choices, URLs,
// credentials and TLS options. Each error names the input and shows what was given (never a
// secret: a URL holding user-info is refused without being echoed).
import { ConfigError } from '../errors/base.js';
import { addSecret } from '../redact/secrets.js';
import { printable } from '../redact/text.js';
import type { Credentials } from '../registry/credentials.js';
import { isStorageUrl, parseStorageUrl } from '../registry/storage/index.js';
import type { TlsOptions } from '../registry/transport.js';
import type { FailOn } from '../sync/config.js';

export type EndpointPrefix = 'source' | 'harbor' | 'upstream';

export function parseFailOn(value: string, name: string): FailOn {
  return oneOf<FailOn>(name, value, ['failed', 'stale', 'never']);
}

export function boolean(name: string, value: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${printable(value)}"`);
}

export function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${printable(value)}"`);
  return n;
}

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not "${printable(value)}"`);
}

/** `scheme://user[:password]@host`, or `user:password@host` written without a scheme. */
const USER_INFO = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#\s]*@/i;

/** A registry URL (or, for the source, a storage URL) as the engine takes it. */
export function registryUrl(name: string, value: string): string {
  if (!value) throw new ConfigError(`${name} is required (a URL such as https://registry.example.com)`);
  // Never echoed: the value holds a password.
  if (USER_INFO.test(value)) {
    const prefix = name.replace(/-(registry|url)$/, '');
    throw new ConfigError(`${name} must not carry a user name or password in the URL: use ${prefix}-username and ${prefix}-password (secrets) instead`);
  }
  // A registry's storage directory or a tarball of it (dir:///var/lib/registry, file:///backup/registry.tar.gz).
  if (name === 'source-registry' && isStorageUrl(value)) {
    try {
      parseStorageUrl(value);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
    // A presigned tarball URL carries its signature in the query: a secret like any password.
    for (const query of URL.parse(value)?.searchParams.values() ?? []) addSecret(query);
    return value;
  }
  const url = URL.parse(value);
  if (!url) throw new ConfigError(`${name} "${printable(value)}" is not a URL: give the scheme too, e.g. https://${printable(value)}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} "${printable(value)}" must start with http:// or https://`);
  return url.toString().replace(/\/$/, '');
}

/** The `<prefix>-username` / `<prefix>-password` pair: both or neither. */
export function credentials(prefix: EndpointPrefix, read: (name: string) => string | undefined): Credentials | undefined {
  const username = (read(`${prefix}-username`) ?? '').trim();
  const password = read(`${prefix}-password`) ?? '';
  if (!username && !password) return undefined;
  if (!username) throw new ConfigError(`${prefix}-password is set but ${prefix}-username is not`);
  if (!password) throw new ConfigError(`${prefix}-username is set but ${prefix}-password is not`);
  return { username, password };
}

/** `<prefix>-insecure` and `<prefix>-ca-file`. */
export async function tlsOptions(prefix: EndpointPrefix, get: (name: string) => string, load: (path: string) => Promise<string>): Promise<TlsOptions | undefined> {
  const insecure = boolean(`${prefix}-insecure`, get(`${prefix}-insecure`));
  const caFile = get(`${prefix}-ca-file`);
  if (!insecure && !caFile) return undefined;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = await load(caFile);
    } catch (error) {
      throw new ConfigError(`${prefix}-ca-file "${caFile}" cannot be read: ${(error as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`${prefix}-ca-file "${caFile}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return { ...(insecure && { insecure }), ...(ca && { ca }) };
}
