// Credentials from a docker config.json through REAL credential helper processes (small shell scripts
// named docker-credential-*, found on the PATH given in options.env), then used against the real
// registry with basic auth to show they are the right ones.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerCredentials, DockerConfigError, type DockerCredential } from '../../src/config/docker-config.js';
import { basicAuthorization } from '../../src/registry/credentials.js';
import { startRegistry, SOURCE_USER, type RunningRegistry } from '../harness/registry.ts';

let registry: RunningRegistry;
let work: string;
let bin: string;
let askedLog: string;

/** docker-credential-fake: credentials for the test registry (asked by host) and for legacy.example (asked only as https://). */
function fakeHelper(registryHost: string): string {
  return `#!/bin/sh
[ "$1" = get ] || { echo "unknown action $1" >&2; exit 2; }
url=$(cat)
echo "$url" >> "$ASKED_LOG"
case "$url" in
  "${registryHost}") printf '{"ServerURL":"%s","Username":"${SOURCE_USER.username}","Secret":"${SOURCE_USER.password}"}\\n' "$url" ;;
  "https://legacy.example") printf '{"ServerURL":"%s","Username":"old-login","Secret":"pw:with:colons"}\\n' "$url" ;;
  "token.example") printf '{"ServerURL":"%s","Username":"<token>","Secret":"a-refresh-token"}\\n' "$url" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;
}

const HELPERS: Record<string, string> = {
  garbage: '#!/bin/sh\ncat >/dev/null\necho "user=admin secret=hunter2"\n',
  partial: '#!/bin/sh\ncat >/dev/null\necho \'{"ServerURL":"x","Username":"u"}\'\n',
  broken: '#!/bin/sh\ncat >/dev/null\necho "error: cannot reach the keyring daemon" >&2\nexit 3\n',
  slow: '#!/bin/sh\nexec sleep 5\n',
};

beforeAll(async () => {
  registry = await startRegistry({ htpasswd: true });
  work = await mkdtemp(join(tmpdir(), 'hs-docker-helpers-'));
  bin = join(work, 'bin');
  askedLog = join(work, 'asked.log');
  await mkdir(bin);
  const scripts = { fake: fakeHelper(registry.host), ...HELPERS };
  for (const [name, text] of Object.entries(scripts)) {
    const file = join(bin, `docker-credential-${name}`);
    await writeFile(file, text);
    await chmod(file, 0o755);
  }
});
afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A config.json of its own per test, the helper directory first on PATH. */
async function lookup(
  config: unknown,
  registryUrl: string,
  helperTimeoutMs?: number,
): Promise<DockerCredential | undefined> {
  const dir = await mkdtemp(join(work, 'config-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  await writeFile(askedLog, '');
  const env = { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin`, ASKED_LOG: askedLog };
  return dockerCredentials(registryUrl, { env, ...(helperTimeoutMs && { helperTimeoutMs }) });
}

async function failure(config: unknown, registryUrl: string, helperTimeoutMs?: number): Promise<string> {
  const error = await lookup(config, registryUrl, helperTimeoutMs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DockerConfigError);
  return (error as Error).message;
}

const asked = async (): Promise<string[]> => (await readFile(askedLog, 'utf8')).split('\n').filter(Boolean);

describe('credential helpers, run for real', () => {
  it('asks the credHelpers entry for its registry, with the host as server URL', async () => {
    const cred = await lookup({ credHelpers: { [registry.host]: 'fake' } }, registry.url);
    expect(cred).toEqual({
      kind: 'basic',
      ...SOURCE_USER,
      source: `docker-credential-fake (credHelpers["${registry.host}"])`,
    });
    expect(await asked()).toEqual([registry.host]);
  });

  it('asks credsStore when no credHelpers entry names the registry', async () => {
    const cred = await lookup({ credHelpers: { 'other.example': 'garbage' }, credsStore: 'fake' }, registry.url);
    expect(cred).toEqual({ kind: 'basic', ...SOURCE_USER, source: 'docker-credential-fake (credsStore)' });
  });

  it('tries https://host when the helper has nothing under host', async () => {
    const cred = await lookup({ credsStore: 'fake' }, 'https://legacy.example');
    expect(cred).toMatchObject({ kind: 'basic', username: 'old-login', password: 'pw:with:colons' });
    expect(await asked()).toEqual(['legacy.example', 'https://legacy.example']);
  });

  it('asks for Docker Hub under its legacy key', async () => {
    expect(await lookup({ credsStore: 'fake' }, 'https://registry-1.docker.io')).toBeUndefined();
    expect(await asked()).toEqual(['https://index.docker.io/v1/', 'docker.io']);
  });

  it('reads Username "<token>" as an identity token', async () => {
    expect(await lookup({ credsStore: 'fake' }, 'https://token.example')).toEqual({
      kind: 'identity-token',
      identityToken: 'a-refresh-token',
      source: 'docker-credential-fake (credsStore)',
    });
  });

  it('"credentials not found in native keychain" means none, then the inline auths entry', async () => {
    expect(await lookup({ credsStore: 'fake' }, 'https://unknown.example')).toBeUndefined();
    const inline = {
      auths: { 'unknown.example': { auth: Buffer.from('inline:pw').toString('base64') } },
      credsStore: 'fake',
    };
    expect(await lookup(inline, 'https://unknown.example')).toMatchObject({
      kind: 'basic',
      username: 'inline',
      password: 'pw',
    });
  });

  it('names a helper missing from PATH', async () => {
    const message = await failure({ credHelpers: { [registry.host]: 'nonesuch' } }, registry.url);
    expect(message).toMatch(
      /^credential helper docker-credential-nonesuch \(credHelpers\[".*"\] in .*config\.json\) is not on PATH/,
    );
  });

  it('names a helper that prints garbage, without repeating it', async () => {
    const message = await failure({ credsStore: 'garbage' }, registry.url);
    expect(message).toMatch(
      /^credential helper docker-credential-garbage \(credsStore in .*config\.json\) printed no JSON/,
    );
    expect(message).not.toContain('hunter2');
    expect(await failure({ credsStore: 'partial' }, registry.url)).toContain(
      'printed JSON without the string fields "Username" and "Secret"',
    );
  });

  it('names a helper that fails, with its exit code and error line', async () => {
    const message = await failure({ credsStore: 'broken' }, registry.url);
    expect(message).toMatch(
      /docker-credential-broken .* failed for 127\.0\.0\.1:\d+ \(exit code 3\): error: cannot reach the keyring daemon$/,
    );
  });

  it('gives up on a helper that does not answer', async () => {
    const started = Date.now();
    const message = await failure({ credsStore: 'slow' }, registry.url, 300);
    expect(message).toContain('docker-credential-slow');
    expect(message).toContain(`did not answer "get ${registry.host}" within 0.3 s`);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('the credentials work against the real registry', () => {
  const v2 = (cred: DockerCredential | undefined): Promise<Response> => {
    const headers: Record<string, string> = cred?.kind === 'basic' ? { authorization: basicAuthorization(cred) } : {};
    return fetch(`${registry.url}/v2/`, { headers });
  };

  it('answers 401 without them (the registry does check)', async () => {
    const res = await v2(undefined);
    await res.arrayBuffer();
    expect(res.status).toBe(401);
  });

  it('answers 200 with those from the credential helper', async () => {
    const cred = await lookup({ credsStore: 'fake' }, registry.url);
    const res = await v2(cred);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });

  it('answers 200 with those from an inline auths entry', async () => {
    const auth = Buffer.from(`${SOURCE_USER.username}:${SOURCE_USER.password}`).toString('base64');
    const cred = await lookup({ auths: { [`http://${registry.host}/v2/`]: { auth } } }, registry.url);
    const res = await v2(cred);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });
});
