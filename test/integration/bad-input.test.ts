// Bad input gets one clear line naming it, and exit code 2; TLS against the real registry
// serving HTTPS with a self-signed certificate.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, TLS_CERT, type RunningRegistry } from '../harness/registry.ts';
import { seedSamples } from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { runCli } from '../harness/run-bundle.ts';
import { loginEnv, syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

let plain: RunningRegistry;
let tls: RunningRegistry;
let harbor: HarborDouble;

beforeAll(async () => {
  // Seed over HTTP, then serve the same storage over HTTPS.
  const seeding = await startRegistry();
  await seedSamples({ url: seeding.url });
  await seeding.stop();
  tls = await startRegistry({ storageDir: seeding.storageDir, tls: true });
  plain = await startRegistry();
  harbor = await startHarborDouble();
});
afterAll(async () => {
  await harbor?.stop();
  await tls?.stop();
  await plain?.stop();
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { env: { ...loginEnv(), ...env }, timeout: 30_000 });

describe('bad input: one clear line, exit code 2', () => {
  const base = () => ['sync', '--source-registry', plain.url, '--harbor-url', harbor.url, '--retries', '0'];
  it.each([
    [
      'a malformed reference',
      ['--images', 'team-a/App:1'],
      'harbor-sync: --images line 1: "team-a/App:1": repository "team-a/App" must be lowercase',
    ],
    [
      'an unknown option',
      ['--images', 'a/b:1', '--imagez', 'x'],
      'harbor-sync: unknown option --imagez (did you mean --images?)',
    ],
    [
      'a project name Harbor refuses',
      ['--images', 'a--b/app:1'],
      'Harbor project name "a--b" (from "a--b/app") breaks Harbor\'s rule',
    ],
    [
      'zero concurrency',
      ['--images', 'a/b:1', '--concurrency', '0'],
      'harbor-sync: --concurrency must be a whole number from 1 to 64, not "0"',
    ],
    [
      'no images',
      [],
      'harbor-sync: no images to sync: set --images (one reference per line), --images-file, or --catalog',
    ],
    [
      'an unreadable images file',
      ['--images-file', '/nonexistent/list.txt'],
      'harbor-sync: --images-file "/nonexistent/list.txt" cannot be read',
    ],
    [
      'a CA file that is no certificate',
      ['--images', 'a/b:1', '--source-ca-file', '/etc/hostname'],
      'harbor-sync: --source-ca-file "/etc/hostname" holds no PEM certificate',
    ],
  ])('%s', async (_name, args, line) => {
    const run = await cli([...base(), ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(line);
  });

  it.each([
    [
      'a URL without a scheme',
      ['--source-registry', 'registry.example.com:5000'],
      'harbor-sync: --source-registry "registry.example.com:5000" has no scheme: write http:// or https:// before it',
    ],
    [
      'a source nobody listens on',
      ['--source-registry', 'http://127.0.0.1:9'],
      'error: source registry http://127.0.0.1:9 is not reachable: connect ECONNREFUSED 127.0.0.1:9 — nothing listens there',
    ],
    [
      'a host that does not resolve',
      ['--source-registry', 'http://no-such-registry.invalid'],
      'error: source registry http://no-such-registry.invalid is not reachable: getaddrinfo ENOTFOUND no-such-registry.invalid — the host name does not resolve',
    ],
  ])('%s', async (_name, args, line) => {
    const run = await cli([
      'sync',
      '--harbor-url',
      harbor.url,
      '--retries',
      '0',
      '--images',
      'a/b:1',
      '--source-registry',
      plain.url,
      ...args,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(line);
  });

  // Issue 12: each of these crashed with a stack trace (some printing the URL and its password).
  it.each([
    ['a storage URL with two slashes', 'dir://var/lib/registry', 'harbor-sync: --source-registry: '],
    ['a storage URL with a host', 'file://backup-host/registry.tar.gz', 'harbor-sync: --source-registry: '],
    [
      'a storage URL with user-info',
      'file://u:Pa55-word@localhost/x.tar.gz',
      'harbor-sync: --source-registry must not carry a user name or password in the URL',
    ],
    [
      'a directory URL with user-info',
      'dir://u:Pa55-word@host/var/lib/registry',
      'harbor-sync: --source-registry must not carry a user name or password in the URL',
    ],
    [
      'a tarball download URL with user-info',
      'https://u:Pa55-word@backups.example.com/registry.tar.gz',
      'harbor-sync: --source-registry must not carry a user name or password in the URL',
    ],
  ])('%s: exit 2, one line, no stack, no password', async (_name, url, line) => {
    const run = await cli(['sync', '--source-registry', url, '--harbor-url', harbor.url, '--images', 'a/b:1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(line);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\bat .*:\d+:\d+|Pa55-word/);
  });

  it('a config file with alias amplification: exit 2, one line naming the file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'hs-bad-')), 'bomb.yml');
    await writeFile(
      file,
      `version: 1\nimages: &big "${'x'.repeat(100_000)}"\ninclude:\n${Array.from({ length: 300 }, () => '  - *big').join('\n')}\n`,
    );
    const run = await cli(['sync', '--source-registry', plain.url, '--harbor-url', harbor.url, '--config-file', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^harbor-sync: ${file}:\\d+: more than 100 aliases`));
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a Harbor that is not a Harbor', async () => {
    const run = await cli([
      'sync',
      '--source-registry',
      plain.url,
      '--harbor-url',
      plain.url,
      '--images',
      'a/b:1',
      '--retries',
      '0',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${plain.url} is not a Harbor 2.x: GET /api/v2.0/ping answered 404`);
  });

  it('wrong credentials for the source and for Harbor are told apart', async () => {
    const source = await startRegistry({ htpasswd: true });
    try {
      const src = await cli(
        ['sync', '--source-registry', source.url, '--harbor-url', harbor.url, '--images', 'a/b:1'],
        { SOURCE_USERNAME: 'src-user', SOURCE_PASSWORD: 'wrong' },
      );
      expect(src.code).toBe(2);
      expect(src.stderr).toContain(
        `error: the source registry ${source.host} rejected the credentials of user "src-user" — check --source-username (or SOURCE_USERNAME) and --source-password (or SOURCE_PASSWORD)`,
      );
      const hb = await cli(['sync', '--source-registry', source.url, '--harbor-url', harbor.url, '--images', 'a/b:1'], {
        SOURCE_USERNAME: 'src-user',
        SOURCE_PASSWORD: 's3cret-src',
        HARBOR_PASSWORD: 'wrong',
      });
      expect(hb.code).toBe(2);
      expect(hb.stderr).toContain(
        `error: Harbor at ${harbor.host} rejected the credentials of user "admin" (401 UNAUTHORIZED)`,
      );
    } finally {
      await source.stop();
    }
  });
});

describe('TLS (the real registry serving HTTPS with a self-signed certificate)', () => {
  const images = 'team-a/tools/worker:1.2, team-b/multi:1.0';

  it('an untrusted certificate stops the run with what to do', async () => {
    const run = await sync(syncInputs(tls.url, harbor, { images, retries: '0' }));
    expect(run.result.fatal?.message).toMatch(
      new RegExp(`^source registry ${tls.url} is not reachable: self[- ]signed certificate`),
    );
    expect(run.result.fatal?.hint).toContain(
      'set source-ca-file to the CA certificate that signed it, or source-insecure: true',
    );
  });

  it('source-ca-file trusts it; source-insecure skips verification', async () => {
    const withCa = await sync(syncInputs(tls.url, harbor, { 'source-ca-file': TLS_CERT, images }));
    expect(withCa.result.items.map((i) => i.status)).toEqual(['migrated', 'migrated']);
    const insecure = await sync(syncInputs(tls.url, harbor, { 'source-insecure': 'true', images }));
    expect(insecure.result.items.map((i) => i.status)).toEqual(['skipped', 'skipped']);
  });

  it('http:// to an HTTPS registry says to write https://', async () => {
    const run = await sync(syncInputs(tls.url.replace('https:', 'http:'), harbor, { images, retries: '0' }));
    expect(run.result.fatal?.hint).toBe('the server speaks HTTPS: write https:// in source-registry');
  });
});
