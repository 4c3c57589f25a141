import { describe, it, expect, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { buildConfig, ConfigError, parseImageList } from '../../src/config/inputs.js';
import { INPUTS } from '../../src/config/input-list.js';
import { VERSION } from '../../src/version.js';
import { EXIT, main } from '../../src/cli/main.js';

const base: Record<string, string> = {
  'source-registry': 'http://127.0.0.1:5000',
  'harbor-url': 'https://harbor.example.com/',
  'harbor-username': 'robot$sync',
  'harbor-password': 'pw',
  images: 'team-a/app:1, alpine:3.19\nteam-b/x # a comment',
};
const reader = (values: Record<string, string>) => (name: string) => values[name];

describe('inputs', () => {
  it('builds a typed config with defaults', async () => {
    const config = await buildConfig(reader(base));
    expect(config.harbor).toEqual({
      url: 'https://harbor.example.com',
      credentials: { username: 'robot$sync', password: 'pw' },
    });
    expect(config.source.credentials).toBeUndefined();
    expect(config.images.map((i) => [i.repository, i.tag])).toEqual([
      ['team-a/app', '1'],
      ['alpine', '3.19'],
      ['team-b/x', undefined],
    ]);
    expect(config).toMatchObject({
      createProjects: true,
      projectVisibility: 'private',
      defaultProject: 'library',
      concurrency: 4,
      dryRun: false,
      failOn: 'failed',
    });
  });

  it('reads images-file with comments and reports the file and line of a bad reference', async () => {
    const files: Record<string, string> = { 'list.txt': '# mirror list\nteam-a/app:2\n\nBAD/Name:1\n' };
    const load = async (p: string) => files[p] ?? Promise.reject(new Error('ENOENT'));
    await expect(buildConfig(reader({ ...base, images: '', 'images-file': 'list.txt' }), { load })).rejects.toThrow(
      /list\.txt line 4: "BAD\/Name:1"/,
    );
    await expect(buildConfig(reader({ ...base, 'images-file': 'missing.txt' }), { load })).rejects.toThrow(
      /images-file "missing.txt" cannot be read/,
    );
  });

  it.each([
    [
      { 'source-registry': '127.0.0.1:1' },
      /source-registry "127.0.0.1:1" has no scheme: write http:\/\/ or https:\/\/ before it/,
    ],
    [{ 'source-registry': 'ftp://x' }, /must start with http/],
    [{ 'harbor-url': 'https://u:p@harbor' }, /harbor-url must not carry a user name or password in the URL/],
    [{ 'harbor-password': '' }, /harbor-username is set but harbor-password is not/],
    [{ concurrency: '0' }, /concurrency must be a whole number from 1 to 64/],
    [{ 'dry-run': 'maybe' }, /dry-run must be true or false/],
    [{ 'fail-on': 'sometimes' }, /fail-on must be one of failed, stale, pending, never/],
    [{ 'project-visibility': 'internal' }, /project-visibility must be one of private, public/],
    [{ 'default-project': 'Lib' }, /default-project "Lib" breaks Harbor's rule/],
    [{ images: '' }, /no images to sync/],
    [{ 'include-untagged': 'maybe' }, /include-untagged must be true or false/],
  ])('refuses %o', async (override, message) => {
    const error = await buildConfig(reader({ ...base, ...override })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('takes include-untagged only with a storage source: a registry API cannot list untagged manifests', async () => {
    expect((await buildConfig(reader(base))).includeUntagged).toBe(false);
    for (const source of [
      'dir:///var/lib/registry',
      'file:///backup/registry.tar.gz',
      'https://backups.example.com/registry.tgz',
    ]) {
      expect(
        (await buildConfig(reader({ ...base, 'source-registry': source, 'include-untagged': 'true' }))).includeUntagged,
        source,
      ).toBe(true);
    }
    const refused = (values: Record<string, string>, load?: (path: string) => Promise<string>) =>
      buildConfig(reader(values), load ? { load } : {}).catch((e: unknown) => e);
    const error = await refused({ ...base, 'include-untagged': 'true' });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'include-untagged: true needs a storage source (dir://, file:// or an http(s) URL of a .tar/.tar.gz): the registry API of http://127.0.0.1:5000 cannot list manifests no tag points at',
    );
    // The same from a config file.
    const file = async () => 'version: 1\ninclude-untagged: true\n';
    expect(await refused({ ...base, 'config-file': 'sync.yml' }, file)).toBeInstanceOf(ConfigError);
  });

  it('the CLI refuses --include-untagged with a registry URL as a configuration error (exit 2)', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const args = [
        'sync',
        '--source-registry',
        'https://registry.example.com',
        '--harbor-url',
        'https://harbor.example.com',
        '--images',
        'team-a/app',
        '--include-untagged',
        'true',
      ];
      expect(await main(args, { HARBOR_USERNAME: 'admin', HARBOR_PASSWORD: 'pw' })).toBe(EXIT.config);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /^harbor-sync: --include-untagged needs a storage source/,
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it('takes immutable-tags as regexes over the whole tag, from the input or the config file', async () => {
    const config = await buildConfig(reader({ ...base, 'immutable-tags': 'v?\\d+\\.\\d+\\.\\d+\nsha-[0-9a-f]+' }));
    const matches = (tag: string) => config.immutableTags.some((re) => re.test(tag));
    expect(['1.2.3', 'v10.0.1', 'sha-3f2a1c9'].filter(matches)).toEqual(['1.2.3', 'v10.0.1', 'sha-3f2a1c9']);
    // Whole tag only: a pre-release or a longer name is not a version tag that never moves.
    expect(['1.2.3-rc1', 'latest', 'x1.2.3', 'sha-3f2a1c9-dirty'].filter(matches)).toEqual([]);

    const files: Record<string, string> = { '/c.yml': "version: 1\nimmutable-tags:\n  - '\\d+\\.\\d+'\n" };
    const fromFile = await buildConfig(reader({ ...base, 'config-file': '/c.yml' }), {
      load: async (path) => files[path]!,
    });
    expect(fromFile.immutableTags.map((re) => re.test('1.2'))).toEqual([true]);
    expect((await buildConfig(reader(base))).immutableTags).toEqual([]);

    await expect(buildConfig(reader({ ...base, 'immutable-tags': '1.0\n(unclosed' }))).rejects.toThrow(
      /immutable-tags line 2/,
    );
  });

  it('parses comma and newline separated lists', () => {
    expect(parseImageList('a/b:1,a/b:2\r\n c/d ', 'images').map((s) => s.origin)).toEqual([
      'images line 1',
      'images line 1',
      'images line 2',
    ]);
  });
});

describe('action.yml', () => {
  const action = parse(readFileSync('action.yml', 'utf8')) as {
    inputs: Record<string, { description: string; default?: string }>;
    outputs: Record<string, unknown>;
    runs: { using: string; main: string };
  };

  it('declares exactly the inputs the engine reads, with the same defaults and a description each', () => {
    const expected = INPUTS.filter((i) => !i.cliOnly);
    expect(Object.keys(action.inputs).sort()).toEqual(expected.map((i) => i.name).sort());
    for (const input of expected) {
      expect(action.inputs[input.name]!.description.length, input.name).toBeGreaterThan(10);
      expect(action.inputs[input.name]!.default, input.name).toBe(input.default);
    }
  });

  it('runs the committed bundle on node24 and sets the class counts as outputs', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action/index.js' });
    expect(Object.keys(action.outputs).sort()).toEqual([
      'broken',
      'failed',
      'incomplete',
      'migrated',
      'report-file',
      'retained',
      'skipped',
      'stale',
    ]);
  });

  it('has the version package.json has', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});

describe('inputs: credentials never ride in a URL', () => {
  it.each([
    ['source-registry', 'https://reader:S3cret-pw@registry.example.com'],
    ['source-registry', 'https://reader:S3cret-pw@backups.example.com/registry.tar.gz'],
    ['source-registry', 'dir://reader:S3cret-pw@host/var/lib/registry'],
    ['source-registry', 'file://reader:S3cret-pw@localhost/backup/registry.tar.gz'],
    ['source-registry', 'reader:S3cret-pw@registry.example.com'],
    ['harbor-url', 'https://admin:S3cret-pw@harbor.example.com'],
    ['upstream-registry', 'https://hub:S3cret-pw@registry-1.docker.io'],
  ])('%s %s is refused without echoing it', async (name, value) => {
    const error = await buildConfig(reader({ ...base, [name]: value })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${name} must not carry a user name or password in the URL`);
    expect((error as Error).message).not.toContain('S3cret-pw');
  });
});
