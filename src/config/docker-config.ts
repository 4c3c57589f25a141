// Credentials from a Docker config.json, found and matched the way docker does, so CLI users can reuse
// `docker login` (inline auths or a credential helper) instead of putting passwords in the environment.
//
// Lookup order for a registry host: credHelpers[host], else credsStore, asked with `docker-credential-<name> get`;
// when that helper has nothing (or none is configured), the inline auths entry. Docker itself ignores inline
// auths once a helper is configured; falling back to them is a superset, since `docker login` with a helper
// leaves those entries empty.
//
// An identity token (auths identitytoken, or a helper answering Username "<token>") is an OAuth2 refresh
// token: docker POSTs it to the token realm as grant_type=refresh_token&refresh_token=…&service=…&scope=…
// &client_id=docker and uses the access_token it gets back. It is no password, so it comes back as its own
// kind and the caller decides whether it can use it.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors/base.js';
import { isDockerHub } from '../registry/docker-hub.js';
import { readBoundedFile } from './read-file.js';

export type DockerCredential =
  | { kind: 'basic'; username: string; password: string; source: string }
  | { kind: 'identity-token'; identityToken: string; source: string };

export interface DockerCredentialOptions {
  /** A config.json file, or a directory holding one (like docker --config); when absent $DOCKER_CONFIG, then ~/.docker. */
  configPath?: string;
  /** The environment: DOCKER_CONFIG, HOME, and PATH to find credential helpers (which also run with it). */
  env?: NodeJS.ProcessEnv;
  /** How long a credential helper may take; 10 s when absent. */
  helperTimeoutMs?: number;
}

/** A config.json that cannot be read or used, or a credential helper that failed; never holds a secret. */
/** A config file or helper that cannot be used: a configuration error (exit 2). */
export class DockerConfigError extends ConfigError {
  override readonly name = 'DockerConfigError';
}

/** The key docker uses for Docker Hub, in auths and when asking helpers. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const NOT_FOUND = 'credentials not found in native keychain';
const HELPER_TIMEOUT_MS = 10_000;

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface DockerConfig {
  path: string;
  auths: Record<string, AuthEntry>;
  credHelpers: Record<string, string>;
  credsStore?: string;
}

/**
 * The credentials docker would use for this registry (a URL such as https://harbor.example.com, or host[:port]),
 * or undefined when the config file is absent or holds none for it. Throws DockerConfigError.
 */
export async function dockerCredentials(
  registryUrl: string,
  options: DockerCredentialOptions = {},
): Promise<DockerCredential | undefined> {
  const env = options.env ?? process.env;
  const host = registryHost(registryUrl);
  if (!host) return undefined;
  const config = await loadConfig(options.configPath, env);
  if (!config) return undefined;
  const helper = helperFor(config, host);
  if (helper) {
    const found = await helperCredential(helper, config.path, host, env, options.helperTimeoutMs ?? HELPER_TIMEOUT_MS);
    if (found) return found;
  }
  return inlineCredential(config, host);
}

/** Where docker reads its config: the explicit path, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigPath(configPath: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (configPath) return configPath;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/** host[:port], lower case, from a URL or an auths key: scheme and path dropped as docker's ConvertToHostname does. */
export function registryHost(value: string): string {
  const host =
    value
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .split('/')[0] ?? '';
  return host.toLowerCase();
}

function sameRegistry(key: string, host: string): boolean {
  const keyHost = registryHost(key);
  return keyHost === host || (isDockerHub(keyHost) && isDockerHub(host));
}

// ---- the file -------------------------------------------------------------------------------------------

async function loadConfig(configPath: string | undefined, env: NodeJS.ProcessEnv): Promise<DockerConfig | undefined> {
  let path = dockerConfigPath(configPath, env);
  // An explicit path may name the directory, as docker --config does.
  if (configPath && (await isDirectory(path))) path = join(path, 'config.json');
  let text: string;
  try {
    text = await readBoundedFile(path, 'docker-config');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file at the default place just means no docker login; a path the user gave must exist.
    if (code === 'ENOENT' && !configPath) return undefined;
    throw new DockerConfigError(`docker config ${path} cannot be read: ${(error as Error).message}`);
  }
  return validate(parseJson(text, path), path);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** JSON.parse, with an error that says where but never quotes the text (V8 quotes a snippet, maybe of a secret). */
export function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const offset = errorOffset(text, message);
    const reason = message
      .replace(/ in JSON at position.*$/s, '')
      .replace(/^Unexpected token.*$/s, 'Unexpected character');
    throw new DockerConfigError(`docker config ${path} is not valid JSON: ${reason} at ${lineColumn(text, offset)}`);
  }
}

function positionIn(message: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The offset of a JSON syntax error: from the message, else the longest prefix that could still become valid JSON. */
function errorOffset(text: string, message: string): number {
  const given = positionIn(message);
  if (given !== undefined) return given;
  if (/^Unexpected end/.test(message)) return text.length;
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (viablePrefix(text.slice(0, middle))) good = middle;
    else bad = middle;
  }
  return good;
}

function viablePrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    const at = positionIn(message);
    return /^Unexpected end/.test(message) || (at !== undefined && at >= prefix.length);
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1} (position ${offset})`;
}

function validate(value: unknown, path: string): DockerConfig {
  if (!isObject(value)) throw new DockerConfigError(`docker config ${path} must hold a JSON object`);
  const auths = value.auths ?? {};
  if (!isObject(auths)) throw new DockerConfigError(`docker config ${path}: "auths" must be an object`);
  for (const [key, entry] of Object.entries(auths)) {
    if (!isObject(entry)) throw new DockerConfigError(`docker config ${path}: auths["${key}"] must be an object`);
  }
  const credHelpers = value.credHelpers ?? {};
  if (!isObject(credHelpers) || !Object.values(credHelpers).every((v) => typeof v === 'string')) {
    throw new DockerConfigError(`docker config ${path}: "credHelpers" must map registries to helper names (strings)`);
  }
  const credsStore = value.credsStore;
  if (credsStore !== undefined && typeof credsStore !== 'string')
    throw new DockerConfigError(`docker config ${path}: "credsStore" must be a string`);
  return {
    path,
    auths: auths as Record<string, AuthEntry>,
    credHelpers: credHelpers as Record<string, string>,
    ...(credsStore && { credsStore }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- inline auths ---------------------------------------------------------------------------------------

/** The matching auths key: exactly the host first (as docker), then any key naming the same host[:port]. */
function authsKey(auths: Record<string, AuthEntry>, host: string): string | undefined {
  const keys = Object.keys(auths);
  const exact = isDockerHub(host) ? DOCKER_HUB_KEY : host;
  return keys.find((key) => key === exact) ?? keys.find((key) => sameRegistry(key, host));
}

function inlineCredential(config: DockerConfig, host: string): DockerCredential | undefined {
  const key = authsKey(config.auths, host);
  if (key === undefined) return undefined;
  const entry = config.auths[key] ?? {};
  const where = `auths["${key}"]`;
  const source = `${config.path} ${where}`;
  const field = (name: keyof AuthEntry): string => {
    const value = entry[name] ?? '';
    if (typeof value !== 'string')
      throw new DockerConfigError(`docker config ${config.path}: ${where}.${name} must be a string`);
    return value;
  };
  const identityToken = field('identitytoken');
  if (identityToken) return { kind: 'identity-token', identityToken, source };
  // As docker: `auth` wins over the username and password fields.
  const auth = field('auth').trim();
  if (auth) return { kind: 'basic', ...decodeAuth(auth, `docker config ${config.path}: ${where}.auth`), source };
  const username = field('username');
  const password = field('password');
  if (!username && !password) return undefined; // an empty entry, as `docker login` leaves beside a helper
  if (!username || !password)
    throw new DockerConfigError(
      `docker config ${config.path}: ${where} has a ${username ? 'username but no password' : 'password but no username'}`,
    );
  return { kind: 'basic', username, password, source };
}

/** base64 of user:password; the password may hold ':' itself, so the split is at the first one. */
function decodeAuth(auth: string, where: string): { username: string; password: string } {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 === 1)
    throw new DockerConfigError(`${where} is not base64 (of user:password)`);
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0)
    throw new DockerConfigError(
      `${where} is not base64 of user:password (${colon === 0 ? 'the user is empty' : 'no ":" in it'})`,
    );
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// ---- credential helpers ---------------------------------------------------------------------------------

interface HelperChoice {
  name: string;
  /** Which setting chose it: credsStore or credHelpers["key"]. */
  setting: string;
}

function helperFor(config: DockerConfig, host: string): HelperChoice | undefined {
  const entries = Object.entries(config.credHelpers);
  const exact = isDockerHub(host) ? DOCKER_HUB_KEY : host;
  const match = entries.find(([key]) => key === exact) ?? entries.find(([key]) => sameRegistry(key, host));
  if (match) return { name: match[1], setting: `credHelpers["${match[0]}"]` };
  if (config.credsStore) return { name: config.credsStore, setting: 'credsStore' };
  return undefined;
}

/** The server URLs to ask for: docker's key (host, or the Hub's legacy URL), then forms older logins stored. */
export function helperServerUrls(host: string): string[] {
  return isDockerHub(host) ? [DOCKER_HUB_KEY, 'docker.io'] : [host, `https://${host}`];
}

async function helperCredential(
  helper: HelperChoice,
  path: string,
  host: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<DockerCredential | undefined> {
  const { name, setting } = helper;
  const origin = `${setting} in ${path}`;
  if (!name || /[/\\]/.test(name))
    throw new DockerConfigError(`credential helper name "${name}" (${origin}) is not a helper name`);
  const program = `docker-credential-${name}`;
  for (const serverUrl of helperServerUrls(host)) {
    const answer = await askHelper(program, origin, serverUrl, env, timeoutMs);
    if (!answer) continue;
    const source = `${program} (${setting})`;
    // Docker's convention: the user "<token>" marks the secret as an identity token.
    if (answer.username === '<token>') return { kind: 'identity-token', identityToken: answer.secret, source };
    return { kind: 'basic', username: answer.username, password: answer.secret, source };
  }
  return undefined;
}

async function askHelper(
  program: string,
  origin: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ username: string; secret: string } | undefined> {
  const fail = (why: string): DockerConfigError =>
    new DockerConfigError(`credential helper ${program} (${origin}) ${why}`);
  let run: HelperRun;
  try {
    run = await runHelper(program, serverUrl, env, timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail('is not on PATH: install it, or remove it from the docker config');
    if (code === 'ETIMEDOUT') throw fail(`did not answer "get ${serverUrl}" within ${timeoutMs / 1000} s`);
    throw fail(`cannot be run: ${(error as Error).message}`);
  }
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.code !== 0) {
    if (output.includes(NOT_FOUND)) return undefined;
    // Helpers print their error (not the secret) on failure; docker shows it too, so one line of it is safe.
    const said = firstLine(run.stderr) || firstLine(run.stdout);
    throw fail(
      `failed for ${serverUrl} (${run.code === null ? 'killed' : `exit code ${run.code}`})${said ? `: ${said}` : ''}`,
    );
  }
  return parseHelperAnswer(run.stdout, fail);
}

function parseHelperAnswer(
  stdout: string,
  fail: (why: string) => DockerConfigError,
): { username: string; secret: string } | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    // Not quoted: the output might be a secret in the wrong format.
    throw fail('printed no JSON: expected {"ServerURL": …, "Username": …, "Secret": …}');
  }
  if (!isObject(answer) || typeof answer.Username !== 'string' || typeof answer.Secret !== 'string') {
    throw fail('printed JSON without the string fields "Username" and "Secret"');
  }
  if (!answer.Secret) return undefined;
  return { username: answer.Username, secret: answer.Secret };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

interface HelperRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `<program> get` with the server URL on stdin (no newline, as docker writes it). */
function runHelper(program: string, serverUrl: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<HelperRun> {
  return new Promise((resolve, reject) => {
    // spawn looks the program up on env.PATH; the helper gets the whole environment (pass, gpg-agent, D-Bus need it).
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      // Do not wait for the pipes to close: a grandchild of the helper could hold them open.
      child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // a helper may exit before reading its input
    child.stdin.end(serverUrl);
  });
}
