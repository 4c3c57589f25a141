// One typed SyncConfig from named inputs, whoever supplies them: the action reads them with
// core.getInput, the CLI from --flags and the environment. The config file fills what was not
// given; each error is a ConfigError naming the input (exit 2).
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors/base.js';
import { projectNameProblem } from '../harbor/names.js';
import { addCredentials } from '../redact/secrets.js';
import type { Credentials } from '../registry/credentials.js';
import { isStorageUrl } from '../registry/storage/index.js';
import type { Endpoint, SyncConfig, Visibility } from '../sync/config.js';
import { parseConfigFile, type ConfigFile } from './config-file.js';
import { dockerCredentials } from './docker-config.js';
import { imageSpecs } from './image-list.js';
import { INPUT_DEFAULTS, INPUTS } from './input-list.js';
import { parseMappingRules } from './mapping-rules.js';
import { parsePlatforms } from './platforms.js';
import { parseSelection } from './selection.js';
import { parseShard } from './shard.js';
import { boolean, credentials, integer, oneOf, parseFailOn, registryUrl, tlsOptions, type EndpointPrefix } from './values.js';

export { ConfigError } from '../errors/base.js';
export { parseImageList } from './image-list.js';

/** Returns the raw value of an input, or undefined/'' when it was not given. */
export type InputReader = (name: string) => string | undefined;

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
  const endpoint = async (prefix: EndpointPrefix, url: string): Promise<Endpoint> => {
    const found = credentials(prefix, read) ?? (await fromDockerConfig(url, dockerConfig, env));
    // Known to the redaction point before anything can print them.
    addCredentials(found);
    const tls = await tlsOptions(prefix, get, load);
    return { url, ...(found && { credentials: found }), ...(tls && { tls }) };
  };
  const harborEndpoint = await endpoint('harbor', harbor);
  if (!harborEndpoint.credentials) {
    throw new ConfigError('no Harbor credentials: set harbor-username and harbor-password (or HARBOR_USERNAME / HARBOR_PASSWORD), or log in to Harbor with docker login');
  }
  return {
    source: await endpoint('source', source),
    harbor: harborEndpoint,
    images,
    catalog,
    selection: parseSelection(read),
    mappings: get('mappings') ? parseMappingRules(get('mappings'), 'mappings') : (file?.mappings ?? []),
    includeSignatures: boolean('include-signatures', get('include-signatures')),
    includeUntagged: untagged,
    ...(get('platforms') && { platforms: parsePlatforms(get('platforms')) }),
    ...(get('shard') && { shard: parseShard(get('shard')) }),
    ...(get('upstream-registry') && { upstream: await endpoint('upstream', registryUrl('upstream-registry', get('upstream-registry'))) }),
    upstreamConcurrency: integer('upstream-concurrency', get('upstream-concurrency'), 1, 16),
    createProjects: boolean('create-projects', get('create-projects')),
    projectVisibility: oneOf<Visibility>('project-visibility', get('project-visibility'), ['private', 'public']),
    defaultProject,
    concurrency: integer('concurrency', get('concurrency'), 1, 64),
    dryRun: boolean('dry-run', get('dry-run')),
    failOn: parseFailOn(get('fail-on'), 'fail-on'),
    retry: { retries: integer('retries', get('retries'), 0, 20), maxWaitMs: integer('retry-max-wait', get('retry-max-wait'), 1, 3600) * 1000, baseMs: 500 },
    stallTimeoutSeconds: integer('stall-timeout', get('stall-timeout'), 1, 3600),
    ...(get('report-file') && { reportFile: get('report-file') }),
    ...(get('summary-file') && { summaryFile: get('summary-file') }),
  };
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

/** Credentials `docker login` (or docker/login-action) stored for this registry, when none were given. */
async function fromDockerConfig(url: string, configPath: string | undefined, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  if (isStorageUrl(url)) return undefined;
  const found = await dockerCredentials(url, { ...(configPath && { configPath }), env });
  if (!found) return undefined;
  if (found.kind === 'identity-token') {
    throw new ConfigError(`${found.source} holds an identity token for ${url}; harbor-sync needs a user name and password (for Harbor, a robot account): pass them as inputs or environment variables`);
  }
  return { username: found.username, password: found.password };
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
  return parseConfigFile(text, path, keys);
}

