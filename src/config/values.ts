// Single input values as the engine takes them: booleans, bounded numbers, choices, URLs,
// credentials and TLS options. Each error names the input and shows what was given (never a
// secret: a URL holding user-info is refused without being echoed).
import { ConfigError } from '../errors/base.js';
import { printable } from '../redact/text.js';
import type { Credentials } from '../registry/credentials.js';
import type { TlsOptions } from '../registry/transport.js';
import { type FailOn, VERIFY_MODES, type VerifyMode } from '../model/config.js';
import { FAIL_ON_RULES } from '../model/tag-classes.js';
import { sourceKind, sourceSchemes } from '../sources/source-kinds.js';
import { INPUT_DEFAULTS } from './input-list.js';
import { ACTION_NAMES, type InputNames } from './option-names.js';
import { barePathProblem } from './storage-path.js';
import type { FileKind } from './read-file.js';

export type EndpointPrefix = 'source' | 'harbor' | 'upstream';

export function parseFailOn(value: string, name: string): FailOn {
  return oneOf<FailOn>(name, value, FAIL_ON_RULES);
}

export function parseVerify(value: string, name: string): VerifyMode {
  return oneOf<VerifyMode>(name, value, VERIFY_MODES);
}

export function boolean(name: string, value: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${printable(value)}"`);
}

/** The numeric inputs and the range each takes. */
const BOUNDS = {
  concurrency: [1, 64],
  'upstream-concurrency': [1, 16],
  retries: [0, 20],
  'retry-max-wait': [1, 3600],
  'stall-timeout': [1, 3600],
} as const satisfies Record<string, readonly [number, number]>;

/** A numeric input within its BOUNDS. */
export function bounded(input: keyof typeof BOUNDS, value: string, name: string): number {
  const [min, max] = BOUNDS[input];
  return integer(name, value, min, max);
}

export const VISIBILITIES = ['private', 'public'] as const;

type ValueCheck = (value: string, name: string) => unknown;

/** The single-value inputs checked by their value alone (flags, numbers, choices): the config file
 * checks its values with these as it reads them, so an error names the file, the line and the key. */
export const VALUE_CHECKS: Readonly<Record<string, ValueCheck>> = {
  ...Object.fromEntries(
    Object.entries(INPUT_DEFAULTS)
      .filter(([, value]) => value === 'true' || value === 'false')
      .map(([input]): [string, ValueCheck] => [input, (value, name) => boolean(name, value)]),
  ),
  ...Object.fromEntries(
    Object.keys(BOUNDS).map((input): [string, ValueCheck] => [
      input,
      (value, name) => bounded(input as keyof typeof BOUNDS, value, name),
    ]),
  ),
  'project-visibility': (value, name) => oneOf(name, value, VISIBILITIES),
  'fail-on': (value, name) => parseFailOn(value, name),
  verify: (value, name) => parseVerify(value, name),
};

export function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${printable(value)}"`);
  return n;
}

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not "${printable(value)}"`);
}

/** `scheme://user[:password]@host`, or `user:password@host` written without a scheme. */
const USER_INFO = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#\s]*@/i;

/** A registry URL (or, for the source, any source kind's URL: src/sources) as the engine takes it. */
export function registryUrl(input: string, value: string, names: InputNames = ACTION_NAMES): string {
  const name = names.name(input);
  if (!value) throw new ConfigError(`${name} is required (a URL such as https://registry.example.com)`);
  // Never echoed: the value holds a password.
  if (USER_INFO.test(value)) {
    const prefix = input.replace(/-(registry|url)$/, '');
    throw new ConfigError(
      `${name} must not carry a user name or password in the URL: use ${names.name(`${prefix}-username`)} and ${names.name(`${prefix}-password`)} instead`,
    );
  }
  // A path where a URL belongs: say which storage URL it means.
  const barePath = input === 'source-registry' ? barePathProblem(value) : undefined;
  if (barePath) throw new ConfigError(`${name} "${printable(value)}" ${barePath}`);
  // The source: whichever kind claims the URL checks it (a registry, dir://, file://, …).
  const kind = input === 'source-registry' ? sourceKind(value) : undefined;
  if (kind) {
    try {
      return kind.check(value);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
  }
  const url = URL.parse(value);
  // `host:5000` parses with the host as its scheme: both mean the scheme is missing.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:' && /^[\w.-]+:\d+(\/|$)/.test(value)))
    throw new MissingSchemeError(name, value);
  if (input === 'source-registry')
    throw new ConfigError(`${name} "${printable(value)}" must start with ${sourceSchemes()}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${name} "${printable(value)}" must start with http:// or https://`);
  return url.toString().replace(/\/$/, '');
}

/** A registry URL without its scheme; buildConfig asks the host which one it speaks. */
export class MissingSchemeError extends ConfigError {
  override readonly name = 'MissingSchemeError';
  readonly hostPort: string;
  constructor(name: string, value: string) {
    super(`${name} "${printable(value)}" has no scheme: write http:// or https:// before it`);
    this.hostPort = value.replace(/\/.*$/, '');
  }
}

/** The same error with the scheme the host answered in, when it answered. */
export async function withSchemeHint(
  error: MissingSchemeError,
  probe: (hostPort: string) => Promise<'https' | 'http' | undefined>,
): Promise<ConfigError> {
  const scheme = await probe(error.hostPort);
  if (!scheme) return error;
  const said = scheme === 'http' ? 'it answers in plain HTTP' : 'it answers in HTTPS';
  return new ConfigError(
    `${error.message.replace(/: write http:\/\/ or https:\/\/ before it$/, '')}: ${said}, so write ${scheme}://${printable(error.hostPort)}`,
  );
}

/** The `<prefix>-username` / `<prefix>-password` pair: both or neither. */
export function credentials(
  prefix: EndpointPrefix,
  read: (name: string) => string | undefined,
  names: InputNames = ACTION_NAMES,
): Credentials | undefined {
  const username = (read(`${prefix}-username`) ?? '').trim();
  const password = read(`${prefix}-password`) ?? '';
  if (!username && !password) return undefined;
  const user = names.name(`${prefix}-username`);
  const pass = names.name(`${prefix}-password`);
  if (!username) throw new ConfigError(`${pass} is set but ${user} is not`);
  if (!password) throw new ConfigError(`${user} is set but ${pass} is not`);
  return { username, password };
}

/** `<prefix>-insecure` and `<prefix>-ca-file`. */
export async function tlsOptions(
  prefix: EndpointPrefix,
  get: (name: string) => string,
  load: (path: string, kind: FileKind) => Promise<string>,
  names: InputNames = ACTION_NAMES,
): Promise<TlsOptions | undefined> {
  const insecure = boolean(names.name(`${prefix}-insecure`), get(`${prefix}-insecure`));
  const caName = names.name(`${prefix}-ca-file`);
  const caFile = get(`${prefix}-ca-file`);
  if (!insecure && !caFile) return undefined;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = await load(caFile, 'ca-file');
    } catch (error) {
      throw new ConfigError(`${caName} "${caFile}" cannot be read: ${(error as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError(`${caName} "${caFile}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return { ...(insecure && { insecure }), ...(ca && { ca }) };
}
