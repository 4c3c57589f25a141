// One typed SyncConfig from named inputs, whoever supplies them: the action reads them with
// core.getInput, the CLI from --flags and the environment. Each error names the input.
import { readFile } from 'node:fs/promises';
import { parseImageReference, ReferenceError } from './registry/reference.js';
import { NameMappingError, projectNameProblem } from './harbor/names.js';
import { INPUT_DEFAULTS, INPUTS } from './input-list.js';
import { parseConfigFile, ConfigFileError, type ConfigFile } from './config-file.js';
import { parseSelection, SelectionError } from './sync/select.js';
import { parseMappingRules, MappingRuleError } from './sync/mapping.js';
import { parsePlatforms } from './sync/platforms.js';
import { parseShard } from './sync/shard.js';
import type { FailOn, ImageSpec, SyncConfig, Visibility } from './sync/types.js';
import type { TlsOptions } from './registry/transport.js';
import { isStorageUrl, parseStorageUrl } from './registry/storage/index.js';
import { addCredentials, addSecret } from './redact/secrets.js';
import { printable } from './redact/text.js';
import { dockerCredentials, DockerConfigError } from './registry/docker-config.js';

/** Returns the raw value of an input, or undefined/'' when it was not given. */
export type InputReader = (name: string) => string | undefined;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}


export async function buildConfig(
  readInput: InputReader,
  load: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
  env: NodeJS.ProcessEnv = process.env,
): Promise<SyncConfig> {
  // An input given explicitly overrides the config file; the file overrides the defaults.
  const file = await configFile((readInput('config-file') ?? '').trim(), load);
  const read: InputReader = (name) => {
    const given = readInput(name);
    return given !== undefined && given.trim() !== '' ? given : file?.values[name];
  };
  const get = (name: string): string => (read(name) ?? '').trim() || (INPUT_DEFAULTS as Record<string, string>)[name] || '';
  const source = registryUrl('source-registry', get('source-registry'));
  const harbor = registryUrl('harbor-url', get('harbor-url'));
  const catalog = boolean('catalog', get('catalog'));
  const untagged = includeUntagged(get('include-untagged'), source);
  const images = await imageSpecs(get('images'), get('images-file'), new URL(source).host, load, catalog);
  const defaultProject = get('default-project');
  const problem = projectNameProblem(defaultProject);
  if (problem) throw new ConfigError(`default-project "${defaultProject}" ${problem}`);
  const dockerConfig = get('docker-config') || undefined;
  const endpoint = async (prefix: 'source' | 'harbor' | 'upstream', url: string) => {
    const found = credentials(prefix, read).credentials ? credentials(prefix, read) : await fromDockerConfig(url, dockerConfig, env);
    // Known to the redaction point before anything can print them.
    addCredentials(found.credentials);
    return { url, ...found, ...(await tls(prefix, get, load)) };
  };
  return {
    source: await endpoint('source', source),
    harbor: await endpoint('harbor', harbor),
    images,
    catalog,
    selection: guard(() => parseSelection(read)),
    mappings: get('mappings') ? guard(() => parseMappingRules(get('mappings'), 'mappings')) : (file?.mappings ?? []),
    includeSignatures: boolean('include-signatures', get('include-signatures')),
    includeUntagged: untagged,
    ...(get('platforms') && { platforms: guard(() => parsePlatforms(get('platforms'))) }),
    ...(get('shard') && { shard: guard(() => parseShard(get('shard'))) }),
    ...(get('upstream-registry') && { upstream: await endpoint('upstream', registryUrl('upstream-registry', get('upstream-registry'))) }),
    upstreamConcurrency: integer('upstream-concurrency', get('upstream-concurrency'), 1, 16),
    createProjects: boolean('create-projects', get('create-projects')),
    projectVisibility: oneOf<Visibility>('project-visibility', get('project-visibility'), ['private', 'public']),
    defaultProject,
    concurrency: integer('concurrency', get('concurrency'), 1, 64),
    dryRun: boolean('dry-run', get('dry-run')),
    failOn: oneOf<FailOn>('fail-on', get('fail-on'), ['failed', 'stale', 'never']),
    retry: { retries: integer('retries', get('retries'), 0, 20), maxWaitMs: integer('retry-max-wait', get('retry-max-wait'), 1, 3600) * 1000, baseMs: 500 },
    stallTimeoutSeconds: integer('stall-timeout', get('stall-timeout'), 1, 3600),
    ...(get('report-file') && { reportFile: get('report-file') }),
    ...(get('summary-file') && { summaryFile: get('summary-file') }),
  };
}

async function tls(prefix: 'source' | 'harbor' | 'upstream', get: (name: string) => string, load: (path: string) => Promise<string>): Promise<{ tls?: TlsOptions }> {
  const insecure = boolean(`${prefix}-insecure`, get(`${prefix}-insecure`));
  const caFile = get(`${prefix}-ca-file`);
  if (!insecure && !caFile) return {};
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = await load(caFile);
    } catch (error) {
      throw new ConfigError(`${prefix}-ca-file "${caFile}" cannot be read: ${(error as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`${prefix}-ca-file "${caFile}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return { tls: { ...(insecure && { insecure }), ...(ca && { ca }) } };
}

/** Only a storage source can list untagged manifests; refused rather than silently doing nothing. */
function includeUntagged(value: string, source: string): boolean {
  const wanted = boolean('include-untagged', value);
  if (wanted && !isStorageUrl(source)) {
    throw new ConfigError(
      `include-untagged: true needs a storage source (dir://, file:// or an http(s) URL of a .tar/.tar.gz): the registry API of ${source} cannot list manifests no tag points at`,
    );
  }
  return wanted;
}

function registryUrl(name: string, value: string): string {
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
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} "${printable(value)}" is not a URL: give the scheme too, e.g. https://${printable(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} "${printable(value)}" must start with http:// or https://`);
  }
  return url.toString().replace(/\/$/, '');
}

/** `scheme://user[:password]@host`, or `user:password@host` written without a scheme. */
const USER_INFO = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#\s]*@/i;

function credentials(prefix: 'source' | 'harbor' | 'upstream', read: InputReader): { credentials?: { username: string; password: string } } {
  const username = (read(`${prefix}-username`) ?? '').trim();
  const password = read(`${prefix}-password`) ?? '';
  if (!username && !password) return {};
  if (!username) throw new ConfigError(`${prefix}-password is set but ${prefix}-username is not`);
  if (!password) throw new ConfigError(`${prefix}-username is set but ${prefix}-password is not`);
  return { credentials: { username, password } };
}

async function imageSpecs(inline: string, file: string, sourceHost: string, load: (path: string) => Promise<string>, catalog: boolean): Promise<ImageSpec[]> {
  const specs = parseImageList(inline, 'images', sourceHost);
  if (file) {
    let text: string;
    try {
      text = await load(file);
    } catch (error) {
      throw new ConfigError(`images-file "${file}" cannot be read: ${(error as Error).message}`);
    }
    specs.push(...parseImageList(text, file, sourceHost));
  }
  if (specs.length === 0 && !catalog) throw new ConfigError('no images to sync: set images (one reference per line), images-file, or catalog: true');
  return specs;
}

/** One reference per line or comma separated; `#` starts a comment. */
export function parseImageList(text: string, origin: string, sourceHost?: string): ImageSpec[] {
  const specs: ImageSpec[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '');
    for (const item of line.split(',')) {
      if (!item.trim()) continue;
      const where = `${origin} line ${index + 1}`;
      try {
        specs.push({ ...parseImageReference(item, sourceHost), origin: where });
      } catch (error) {
        if (error instanceof ReferenceError) throw new ConfigError(`${where}: ${error.message}`);
        throw error;
      }
    }
  });
  return specs;
}

/** Credentials `docker login` (or docker/login-action) stored for this registry, when none were given. */
async function fromDockerConfig(url: string, configPath: string | undefined, env: NodeJS.ProcessEnv): Promise<{ credentials?: { username: string; password: string } }> {
  if (isStorageUrl(url)) return {};
  let found;
  try {
    found = await dockerCredentials(url, { ...(configPath && { configPath }), env });
  } catch (error) {
    if (error instanceof DockerConfigError) throw new ConfigError(error.message);
    throw error;
  }
  if (!found) return {};
  if (found.kind === 'identity-token') {
    throw new ConfigError(`${found.source} holds an identity token for ${url}; harbor-sync needs a user name and password (for Harbor, a robot account): pass them as inputs or environment variables`);
  }
  return { credentials: { username: found.username, password: found.password } };
}

async function configFile(path: string, load: (path: string) => Promise<string>): Promise<ConfigFile | undefined> {
  if (!path) return undefined;
  let text: string;
  try {
    text = await load(path);
  } catch (error) {
    throw new ConfigError(`config-file "${path}" cannot be read: ${(error as Error).message}`);
  }
  const keys = INPUTS.map((i) => i.name).filter((name) => name !== 'config-file');
  return guard(() => parseConfigFile(text, path, keys));
}

/** Errors of the rule parsers become configuration errors (exit code 2), message unchanged. */
function guard<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SelectionError || error instanceof MappingRuleError || error instanceof ConfigFileError || error instanceof NameMappingError) {
      throw new ConfigError(error.message);
    }
    if (error instanceof Error && /^platform /.test(error.message)) throw new ConfigError(`platforms: ${error.message}`);
    if (error instanceof Error && /^shard /.test(error.message)) throw new ConfigError(error.message);
    throw error;
  }
}

function boolean(name: string, value: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${value}"`);
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not "${value}"`);
}
