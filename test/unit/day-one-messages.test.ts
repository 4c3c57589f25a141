// The messages a new user met on day one (issue 24), at the level of the functions that form them:
// config-file values named by file, line and key; a bare storage path answered with the URL it
// means; the CLI's summary speaking of the run and its exit code; an annotation's grammar.
import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigFile } from '../../src/config/config-file.ts';
import { INPUTS } from '../../src/config/input-list.ts';
import { buildConfig } from '../../src/config/inputs.ts';
import { CLI_NAMES } from '../../src/config/option-names.ts';
import { annotationsFor } from '../../src/report/annotations.ts';
import { renderSummary } from '../../src/report/summary.ts';
import { baseResult, fatalRun, interruptedRun } from '../harness/summary-cases.ts';

const KEYS = INPUTS.map((i) => i.name).filter((n) => n !== 'config-file');
const parse = (text: string) => () => parseConfigFile(text, 'deploy.yml', KEYS);

describe('config-file values: the file, the line and the key', () => {
  it.each([
    ['concurrency: 100', 'deploy.yml:3: concurrency must be a whole number from 1 to 64, not "100"'],
    ['catalog: nope', 'deploy.yml:3: catalog must be true or false, not "nope"'],
    ['retries: -1', 'deploy.yml:3: retries must be a whole number from 0 to 20, not "-1"'],
    ['project-visibility: secret', 'deploy.yml:3: project-visibility must be one of private, public, not "secret"'],
    ['fail-on: always', 'deploy.yml:3: fail-on must be one of failed, stale, pending, never, not "always"'],
    ['shard: 3/2', 'deploy.yml:3: shard'],
    ['default-project: a--b', 'deploy.yml:3: default-project "a--b"'],
    ['harbor-url: ftp://harbor.example.com', 'deploy.yml:3: harbor-url "ftp://harbor.example.com" must start with'],
  ])('%s', (line, message) => {
    expect(parse(`version: 1\nimages: a/b:1\n${line}\n`)).toThrow(message);
  });

  it('buildConfig gives the same line, not a flag the user never typed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-config-values-'));
    const file = join(dir, 'deploy.yml');
    await writeFile(file, 'version: 1\nsource-registry: http://127.0.0.1:5000\n\ncatalog: nope\n');
    const inputs: Record<string, string> = { 'config-file': file, 'harbor-url': 'https://h.example.com' };
    await expect(buildConfig((name) => inputs[name], { names: CLI_NAMES })).rejects.toThrow(
      `${file}:4: catalog must be true or false, not "nope"`,
    );
  });

  it('good values pass as before', () => {
    const file = parse('version: 1\nconcurrency: 8\ncatalog: true\nretries: 0\nshard: 1/2\n')();
    expect(file.values).toMatchObject({ concurrency: '8', catalog: 'true', retries: '0', shard: '1/2' });
  });
});

describe('a bare path as the source', () => {
  const source = async (value: string): Promise<string> => {
    const inputs: Record<string, string> = {
      'source-registry': value,
      'harbor-url': 'https://harbor.example.com',
      'harbor-username': 'u',
      'harbor-password': 'p',
      images: 'a/b:1',
    };
    try {
      await buildConfig((name) => inputs[name], { names: CLI_NAMES, probeScheme: async () => undefined });
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('a tarball: file:// with its absolute path, and all the schemes', async () => {
    expect(await source('/backup/registry.tar')).toBe(
      '--source-registry "/backup/registry.tar" has no scheme: a tarball is written file:///backup/registry.tar (the schemes: http:// or https:// for a registry, dir:// for its storage directory, file:// for a tarball of that directory, harbor:// for a project of the Harbor at harbor-url)',
    );
    expect(await source('backup/registry.tar.gz')).toContain(`file://${process.cwd()}/backup/registry.tar.gz`);
  });

  it('an existing directory: dir://', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-storage-dir-'));
    expect(await source(dir)).toContain(`has no scheme: a storage directory is written dir://${dir} (the schemes:`);
  });

  it('another path: the schemes; a host:port still gets http:// or https://', async () => {
    expect(await source('/var/lib/nothing-here')).toBe(
      '--source-registry "/var/lib/nothing-here" has no scheme: write http:// or https:// for a registry, dir:// for its storage directory, file:// for a tarball of that directory, harbor:// for a project of the Harbor at harbor-url',
    );
    expect(await source('registry.example.com:5000')).toBe(
      '--source-registry "registry.example.com:5000" has no scheme: write http:// or https:// before it',
    );
  });
});

describe("the CLI's summary speaks of the run, the action's of the step", () => {
  it.each([
    ['failed tags', baseResult({ items: [{ source: 'a/b:1', target: 'a/b:1', status: 'failed' }] })],
    ['a fatal error', fatalRun()],
    ['an interruption', interruptedRun()],
  ])('%s', (_name, result) => {
    const cli = renderSummary(result, { failOn: 'failed', audience: 'cli' });
    const action = renderSummary(result, { failOn: 'failed' });
    expect(cli).not.toMatch(/the step/i);
    expect(cli).toMatch(/\*\*The run failed\*\* \(exit code (1|2|130)/);
    expect(action).toContain('**The step failed');
  });

  it('a run that passes says its exit code and the flag', () => {
    const result = baseResult({ items: [{ source: 'a/b:1', target: 'a/b:1', status: 'migrated' }] });
    expect(renderSummary(result, { failOn: 'failed', audience: 'cli' })).toContain(
      'The run passed (exit code 0, `--fail-on failed`).',
    );
    expect(renderSummary(result, { failOn: 'failed' })).toContain('The step passed (`fail-on: failed`).');
  });
});

describe('annotations', () => {
  it('one stale tag lacks blobs; two lack them', () => {
    const stale = (n: number) =>
      baseResult({
        items: Array.from({ length: n }, (_, i) => ({
          source: `a/b:${i}`,
          target: `a/b:${i}`,
          status: 'stale' as const,
          missing: ['sha256:00'],
        })),
      });
    const one = annotationsFor(stale(1)).find((a) => a.level === 'warning')!;
    expect(one.message).toContain('1 tag listed on the source lacks blobs there');
    expect(one.message).toContain('nothing of it was written to Harbor');
    const two = annotationsFor(stale(2)).find((a) => a.level === 'warning')!;
    expect(two.message).toContain('2 tags listed on the source lack blobs there');
    expect(two.message).toContain('nothing of them was written to Harbor');
  });
});
