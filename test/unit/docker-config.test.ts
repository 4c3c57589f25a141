import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dockerCredentials,
  dockerConfigPath,
  DockerConfigError,
  registryHost,
  helperServerUrls,
  type DockerCredential,
} from '../../src/config/docker-config.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-docker-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes config.json into the temp dir and looks the registry up with DOCKER_CONFIG pointing there. */
async function lookup(config: unknown, registry: string): Promise<DockerCredential | undefined> {
  await writeFile(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dockerCredentials(registry, { env: { DOCKER_CONFIG: dir, PATH: '' } });
}

async function failure(config: unknown, registry: string): Promise<string> {
  const error = await lookup(config, registry).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DockerConfigError);
  return (error as Error).message;
}

describe('registryHost', () => {
  it.each([
    ['https://harbor.example.com', 'harbor.example.com'],
    ['http://127.0.0.1:5000/', '127.0.0.1:5000'],
    ['https://Harbor.Example.com:8443/v2/', 'harbor.example.com:8443'],
    ['harbor.example.com:5000', 'harbor.example.com:5000'],
    ['https://index.docker.io/v1/', 'index.docker.io'],
  ])('%s → %s', (input, host) => expect(registryHost(input)).toBe(host));
});

describe('auths key forms match the host[:port] as docker does', () => {
  const auth = { auth: b64('reader:pw') };
  it.each([
    ['harbor.example.com', 'https://harbor.example.com'],
    ['https://harbor.example.com', 'https://harbor.example.com'],
    ['http://harbor.example.com', 'https://harbor.example.com'],
    ['https://harbor.example.com/v2/', 'https://harbor.example.com'],
    ['harbor.example.com/v1/', 'https://harbor.example.com'],
    ['old-registry:5000', 'http://old-registry:5000'],
    ['https://old-registry:5000', 'old-registry:5000'],
    ['HARBOR.example.com', 'https://harbor.example.com'],
  ])('key %s serves %s', async (key, registry) => {
    expect(await lookup({ auths: { [key]: auth } }, registry)).toEqual({
      kind: 'basic',
      username: 'reader',
      password: 'pw',
      source: `${join(dir, 'config.json')} auths["${key}"]`,
    });
  });

  it('does not confuse ports or hosts', async () => {
    const config = { auths: { 'old-registry:5000': auth, 'harbor.example.com.evil': auth } };
    expect(await lookup(config, 'http://old-registry:5001')).toBeUndefined();
    expect(await lookup(config, 'http://old-registry')).toBeUndefined();
    expect(await lookup(config, 'https://harbor.example.com')).toBeUndefined();
  });

  it('prefers the exact host key over other forms of it', async () => {
    const config = {
      auths: {
        'https://harbor.example.com/v2/': { auth: b64('other:x') },
        'harbor.example.com': { auth: b64('exact:y') },
      },
    };
    expect(await lookup(config, 'https://harbor.example.com')).toMatchObject({ username: 'exact', password: 'y' });
  });

  it.each(['https://registry-1.docker.io', 'docker.io', 'https://index.docker.io'])(
    "Docker Hub's legacy key serves %s",
    async (registry) => {
      const config = { auths: { 'https://index.docker.io/v1/': { auth: b64('hubber:hubpw') } } };
      expect(await lookup(config, registry)).toMatchObject({ kind: 'basic', username: 'hubber', password: 'hubpw' });
    },
  );

  it("asks helpers with docker's server URL forms", () => {
    expect(helperServerUrls('harbor.example.com')).toEqual(['harbor.example.com', 'https://harbor.example.com']);
    expect(helperServerUrls('registry-1.docker.io')).toEqual(['https://index.docker.io/v1/', 'docker.io']);
  });
});

describe('auths entry fields', () => {
  it('splits auth at the first colon: the password may hold colons', async () => {
    const cred = await lookup({ auths: { 'h.example': { auth: b64('robot$sync:pa:ss:word') } } }, 'https://h.example');
    expect(cred).toMatchObject({ kind: 'basic', username: 'robot$sync', password: 'pa:ss:word' });
  });

  it('reads username and password fields', async () => {
    const cred = await lookup({ auths: { 'h.example': { username: 'u', password: 'p:w' } } }, 'https://h.example');
    expect(cred).toMatchObject({ kind: 'basic', username: 'u', password: 'p:w' });
  });

  it('lets auth win over the username and password fields, as docker does', async () => {
    const cred = await lookup(
      { auths: { 'h.example': { auth: b64('from-auth:a'), username: 'u', password: 'p' } } },
      'https://h.example',
    );
    expect(cred).toMatchObject({ username: 'from-auth', password: 'a' });
  });

  it('returns an identity token as its own kind', async () => {
    const cred = await lookup(
      { auths: { 'h.example': { auth: b64('someone:'), identitytoken: 'refresh-me' } } },
      'https://h.example',
    );
    expect(cred).toEqual({
      kind: 'identity-token',
      identityToken: 'refresh-me',
      source: `${join(dir, 'config.json')} auths["h.example"]`,
    });
  });

  it('treats an empty entry (left by docker login beside a helper) as none', async () => {
    expect(await lookup({ auths: { 'h.example': {} } }, 'https://h.example')).toBeUndefined();
    expect(await lookup({ auths: { 'h.example': { auth: '' } } }, 'https://h.example')).toBeUndefined();
  });

  it('ignores the rest of the file', async () => {
    const config = {
      auths: { 'h.example': { auth: b64('u:p'), email: 'x@y' } },
      proxies: { default: {} },
      psFormat: 'table',
      HttpHeaders: { a: 'b' },
    };
    expect(await lookup(config, 'https://h.example')).toMatchObject({ username: 'u' });
  });
});

describe('where the file is', () => {
  it('honours DOCKER_CONFIG, then HOME/.docker', () => {
    expect(dockerConfigPath(undefined, { DOCKER_CONFIG: '/etc/dc', HOME: '/home/u' })).toBe('/etc/dc/config.json');
    expect(dockerConfigPath(undefined, { HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
    expect(dockerConfigPath('/x/auth.json', { DOCKER_CONFIG: '/etc/dc' })).toBe('/x/auth.json');
  });

  it('reads ~/.docker/config.json when DOCKER_CONFIG is unset', async () => {
    await mkdir(join(dir, '.docker'));
    await writeFile(
      join(dir, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'h.example': { auth: b64('home:pw') } } }),
    );
    expect(await dockerCredentials('https://h.example', { env: { HOME: dir } })).toMatchObject({ username: 'home' });
  });

  it('prefers DOCKER_CONFIG over HOME', async () => {
    await mkdir(join(dir, '.docker'));
    await writeFile(
      join(dir, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'h.example': { auth: b64('home:pw') } } }),
    );
    await mkdir(join(dir, 'dc'));
    await writeFile(join(dir, 'dc', 'config.json'), JSON.stringify({ auths: { 'h.example': { auth: b64('dc:pw') } } }));
    expect(
      await dockerCredentials('https://h.example', { env: { HOME: dir, DOCKER_CONFIG: join(dir, 'dc') } }),
    ).toMatchObject({ username: 'dc' });
  });

  it('takes an explicit file or directory over both', async () => {
    await writeFile(join(dir, 'mine.json'), JSON.stringify({ auths: { 'h.example': { auth: b64('explicit:pw') } } }));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'h.example': { auth: b64('dir:pw') } } }));
    const env = { DOCKER_CONFIG: '/nonexistent', HOME: '/nonexistent' };
    expect(await dockerCredentials('https://h.example', { configPath: join(dir, 'mine.json'), env })).toMatchObject({
      username: 'explicit',
    });
    expect(await dockerCredentials('https://h.example', { configPath: dir, env })).toMatchObject({ username: 'dir' });
  });

  it('means no credentials when the default file is absent, an error when the given one is', async () => {
    expect(await dockerCredentials('https://h.example', { env: { DOCKER_CONFIG: join(dir, 'none') } })).toBeUndefined();
    expect(await dockerCredentials('https://h.example', { env: { HOME: dir } })).toBeUndefined();
    await expect(
      dockerCredentials('https://h.example', { configPath: join(dir, 'missing.json'), env: {} }),
    ).rejects.toThrow(`docker config ${join(dir, 'missing.json')} cannot be read: ENOENT`);
  });

  it('returns undefined for a host the file does not know', async () => {
    expect(await lookup({ auths: { 'a.example': { auth: b64('u:p') } } }, 'https://b.example')).toBeUndefined();
    expect(await lookup({}, 'https://b.example')).toBeUndefined();
  });
});

describe('malformed files: a clear error naming the file, never a secret', () => {
  const file = (): string => join(dir, 'config.json');

  it('names the place of a JSON syntax error', async () => {
    const message = await failure(
      '{\n  "auths": {\n    "h.example": { "auth": "c2VjcmV0" }\n    "k.example": {}\n  }\n}\n',
      'https://h.example',
    );
    expect(message).toBe(
      `docker config ${file()} is not valid JSON: Expected ',' or '}' after property value at line 4 column 5 (position 59)`,
    );
  });

  it('does not quote the text around an unexpected token (it may be a secret)', async () => {
    const message = await failure('{"auths": {"h.example": {"auth": topsecretvalue}}}', 'https://h.example');
    expect(message).toBe(
      `docker config ${file()} is not valid JSON: Unexpected character at line 1 column 35 (position 34)`,
    );
    expect(message).not.toContain('topsecret');
  });

  it('reports a truncated file', async () => {
    const message = await failure('{"auths": {"h.example": {"auth": "dTpw', 'https://h.example');
    expect(message).toBe(
      `docker config ${file()} is not valid JSON: Unterminated string at line 1 column 39 (position 38)`,
    );
  });

  it('rejects auth that is not base64', async () => {
    const message = await failure({ auths: { 'h.example': { auth: 'not base64!' } } }, 'https://h.example');
    expect(message).toBe(`docker config ${file()}: auths["h.example"].auth is not base64 (of user:password)`);
  });

  it('rejects base64 without a colon, without printing what it decoded to', async () => {
    const message = await failure({ auths: { 'h.example': { auth: b64('justapassword') } } }, 'https://h.example');
    expect(message).toBe(
      `docker config ${file()}: auths["h.example"].auth is not base64 of user:password (no ":" in it)`,
    );
    expect(await failure({ auths: { 'h.example': { auth: b64(':pw') } } }, 'https://h.example')).toContain(
      '(the user is empty)',
    );
  });

  it('rejects half an entry and fields of the wrong type', async () => {
    expect(await failure({ auths: { 'h.example': { username: 'u' } } }, 'https://h.example')).toBe(
      `docker config ${file()}: auths["h.example"] has a username but no password`,
    );
    expect(await failure({ auths: { 'h.example': { auth: 42 } } }, 'https://h.example')).toBe(
      `docker config ${file()}: auths["h.example"].auth must be a string`,
    );
    expect(await failure({ auths: [] }, 'https://h.example')).toBe(
      `docker config ${file()}: "auths" must be an object`,
    );
    expect(await failure({ credHelpers: { 'h.example': true } }, 'https://h.example')).toContain(
      '"credHelpers" must map registries to helper names',
    );
    expect(await failure({ credsStore: 1 }, 'https://h.example')).toBe(
      `docker config ${file()}: "credsStore" must be a string`,
    );
    expect(await failure('[]', 'https://h.example')).toBe(`docker config ${file()} must hold a JSON object`);
  });

  it('only fails on the entry it needs', async () => {
    const config = { auths: { 'broken.example': { auth: '%%%' }, 'h.example': { auth: b64('u:p') } } };
    expect(await lookup(config, 'https://h.example')).toMatchObject({ username: 'u' });
  });
});
