// One typed SyncConfig from named inputs, whoever supplies them: the action reads them with
// core.getInput, the CLI from --flags and the environment. The config file fills what was not
// given; each error is a ConfigError naming the input (exit 2).
import { ConfigError } from '../errors/base.js';
import { projectNameProblem } from '../harbor/targets.js';
import { addCredentials } from '../redact/secrets.js';
import type { Credentials } from '../registry/credentials.js';
import type { Endpoint, SyncConfig, Visibility } from '../model/config.js';
import { formsWith, sourceKindOf, type SourceKind } from '../sources/source-kinds.js';
import { parseConfigFile, type ConfigFile } from './config-file.js';
import { dockerCredentials } from './docker-config.js';
import { imageSpecs } from './image-list.js';
import { readBoundedFile, type FileKind } from './read-file.js';
import { INPUT_DEFAULTS, INPUTS } from './input-list.js';
import { parseMappingRules } from './mapping-rules.js';
import { parsePlatforms } from './platforms.js';
import { compileTagPattern, listItems, parseSelection } from './selection-inputs.js';
import { parseShard } from './shard-input.js';
import { workDirectory } from './work-dir.js';
import { ACTION_NAMES, type InputNames } from './option-names.js';
import { probeScheme } from './scheme-probe.js';
import {
  MissingSchemeError,
  VISIBILITIES,
  boolean,
  bounded,
  credentials,
  oneOf,
  parseFailOn,
  parseVerify,
  registryUrl,
  tlsOptions,
  withSchemeHint,
  type EndpointPrefix,
} from './values.js';
import { printable } from '../redact/text.js';

export { ConfigError } from '../errors/base.js';
export { parseImageList } from './image-list.js';

/** Returns the raw value of an input, or undefined/'' when it was not given. */
export type InputReader = (name: string) => string | undefined;

export interface BuildOptions {
  /** Reads the files the inputs name (images-file, config-file, CA files); `kind` sets the size cap. */
  load?: (path: string, kind: FileKind) => Promise<string>;
  env?: NodeJS.ProcessEnv;
  /** How messages name an option: as the action's input (default) or the CLI's flag. */
  names?: InputNames;
  /** Which scheme a host speaks, for a URL written without one (tests hand in their own). */
  probeScheme?: (hostPort: string) => Promise<'https' | 'http' | undefined>;
}

export async function buildConfig(readInput: InputReader, options: BuildOptions = {}): Promise<SyncConfig> {
  try {
    return await build(readInput, options);
  } catch (error) {
    if (error instanceof MissingSchemeError) throw await withSchemeHint(error, options.probeScheme ?? probeScheme);
    throw error;
  }
}

async function build(readInput: InputReader, options: BuildOptions): Promise<SyncConfig> {
  const load = options.load ?? readBoundedFile;
  const env = options.env ?? process.env;
  const names = options.names ?? ACTION_NAMES;
  const n = (input: string): string => names.name(input);
  // An input given explicitly overrides the config file; the file overrides the defaults.
  const file = await configFile((readInput('config-file') ?? '').trim(), load, names);
  const read: InputReader = (name) => {
    const given = readInput(name);
    return given !== undefined && given.trim() !== '' ? given : file?.values[name];
  };
  const get = (name: string): string =>
    (read(name) ?? '').trim() || (INPUT_DEFAULTS as Record<string, string>)[name] || '';
  const source = registryUrl('source-registry', get('source-registry'), names);
  const harbor = registryUrl('harbor-url', get('harbor-url'), names);
  const catalog = boolean(n('catalog'), get('catalog'));
  const kind = sourceKindOf(source);
  const untagged = includeUntagged(get('include-untagged'), source, kind, names);
  // A Harbor project as the source: images may name Harbor's host (harbor.example.com/p/app:1).
  const imagesHost = new URL(kind.harborProject ? harbor : source).host;
  const images = await imageSpecs(get('images'), get('images-file'), imagesHost, load, catalog, names);
  const defaultProject = get('default-project');
  const problem = projectNameProblem(defaultProject);
  if (problem) throw new ConfigError(`${n('default-project')} "${printable(defaultProject)}" ${problem}`);
  const dockerConfig = get('docker-config') || undefined;
  /** `dockerLogin`: docker login's credentials apply (not for a local path or a download). */
  const endpoint = async (prefix: EndpointPrefix, url: string, dockerLogin = true): Promise<Endpoint> => {
    const found =
      credentials(prefix, read, names) ?? (dockerLogin ? await fromDockerConfig(url, dockerConfig, env) : undefined);
    // Known to the redaction point before anything can print them.
    addCredentials(found);
    const tls = await tlsOptions(prefix, get, load, names);
    return { url, ...(found && { credentials: found }), ...(tls && { tls }) };
  };
  const harborEndpoint = await endpoint('harbor', harbor);
  if (!harborEndpoint.credentials) {
    throw new ConfigError(
      `no Harbor credentials: set ${n('harbor-username')} and ${n('harbor-password')}, or log in to Harbor with docker login`,
    );
  }
  const config: SyncConfig = {
    source: await endpoint('source', source, kind.traits.dockerCredentials),
    harbor: harborEndpoint,
    images,
    catalog,
    selection: parseSelection(read, names),
    immutableTags: listItems(read('immutable-tags') ?? '').map((item) =>
      compileTagPattern(item.text, `${n('immutable-tags')} line ${item.line}`),
    ),
    mappings: get('mappings') ? parseMappingRules(get('mappings'), n('mappings')) : (file?.mappings ?? []),
    includeSignatures: boolean(n('include-signatures'), get('include-signatures')),
    includeUntagged: untagged,
    ...(get('platforms') && { platforms: parsePlatforms(get('platforms'), n('platforms')) }),
    ...(get('shard') && { shard: parseShard(get('shard'), n('shard')) }),
    ...(get('upstream-registry') && {
      upstream: await endpoint('upstream', registryUrl('upstream-registry', get('upstream-registry'), names)),
    }),
    upstreamConcurrency: bounded('upstream-concurrency', get('upstream-concurrency'), n('upstream-concurrency')),
    createProjects: boolean(n('create-projects'), get('create-projects')),
    projectVisibility: oneOf<Visibility>(n('project-visibility'), get('project-visibility'), VISIBILITIES),
    defaultProject,
    concurrency: bounded('concurrency', get('concurrency'), n('concurrency')),
    dryRun: boolean(n('dry-run'), get('dry-run')),
    verify: parseVerify(get('verify'), n('verify')),
    failOn: parseFailOn(get('fail-on'), n('fail-on')),
    retry: {
      retries: bounded('retries', get('retries'), n('retries')),
      maxWaitMs: bounded('retry-max-wait', get('retry-max-wait'), n('retry-max-wait')) * 1000,
      baseMs: 500,
    },
    stallTimeoutSeconds: bounded('stall-timeout', get('stall-timeout'), n('stall-timeout')),
    ...(get('work-dir') && { workDir: await workDirectory(get('work-dir'), n('work-dir')) }),
    ...(get('report-file') && { reportFile: get('report-file') }),
    ...(get('summary-file') && { summaryFile: get('summary-file') }),
    ...(get('junit-file') && { junitFile: get('junit-file') }),
    ...(get('html-file') && { htmlFile: get('html-file') }),
    ...(get('metrics-file') && { metricsFile: get('metrics-file') }),
    ...(names !== ACTION_NAMES && { naming: names }),
  };
  kind.checkRun?.(source, config, names);
  return config;
}

/** Only some kinds of source list untagged manifests; refused rather than silently doing nothing. */
function includeUntagged(value: string, source: string, kind: SourceKind, names: InputNames): boolean {
  const wanted = boolean(names.name('include-untagged'), value);
  if (wanted && !kind.traits.untaggedManifests) {
    throw new ConfigError(
      `${names.setting('include-untagged', 'true')} needs a storage source (${formsWith('untaggedManifests')}): the ${kind.name} of ${source} cannot list manifests no tag points at`,
    );
  }
  return wanted;
}

/** Credentials `docker login` (or docker/login-action) stored for this registry, when none were given. */
async function fromDockerConfig(
  url: string,
  configPath: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  const found = await dockerCredentials(url, { ...(configPath && { configPath }), env });
  if (!found) return undefined;
  if (found.kind === 'identity-token') {
    throw new ConfigError(
      `${found.source} holds an identity token for ${url}; harbor-sync needs a user name and password (for Harbor, a robot account): pass them as inputs or environment variables`,
    );
  }
  return { username: found.username, password: found.password };
}

async function configFile(
  path: string,
  load: (path: string, kind: FileKind) => Promise<string>,
  names: InputNames,
): Promise<ConfigFile | undefined> {
  if (!path) return undefined;
  let text: string;
  try {
    text = await load(path, 'config-file');
  } catch (error) {
    throw new ConfigError(`${names.name('config-file')} "${path}" cannot be read: ${(error as Error).message}`);
  }
  const keys = INPUTS.map((i) => i.name).filter((name) => name !== 'config-file');
  return parseConfigFile(text, path, keys);
}
