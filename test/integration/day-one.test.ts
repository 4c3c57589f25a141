// Issue 24, "Day one: what a new user tripped over", through the bundled CLI (node dist/cli.js)
// against the real registry and the Harbor double: output folders that do not exist yet, paths
// that cannot be written, and the messages that said the wrong thing or too little.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { seedSamples } from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startRecordingServer, type RecordingServer } from '../harness/recording-server.ts';
import { runCli, type ProgramRun } from '../harness/run-bundle.ts';
import { loginEnv, syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

let source: RunningRegistry;
let harbor: HarborDouble;
let work: string;
const HARBOR = loginEnv();

beforeAll(async () => {
  source = await startRegistry();
  await seedSamples({ url: source.url });
  harbor = await startHarborDouble();
  work = await mkdtemp(join(tmpdir(), 'hs-day-one-'));
});
afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
});

const cli = (args: string[], env: Record<string, string> = HARBOR): Promise<ProgramRun> => runCli(args, { env });
const lines = (text: string): string[] => text.trim().split('\n').filter(Boolean);
const syncArgs = (images = 'alpine:3.19') => [
  'sync',
  '--source-registry',
  source.url,
  '--harbor-url',
  harbor.url,
  '--images',
  images,
];

describe('report and summary files', () => {
  it('a missing output folder is created: the run ends with its report and its summary', async () => {
    const reports = join(work, 'new', 'reports');
    const r = await cli([
      ...syncArgs('team-a/tools/worker:1.2'),
      '--report-file',
      join(reports, 'harbor-sync-report.json'),
      '--summary-file',
      join(reports, 'summary.md'),
    ]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(reports, 'harbor-sync-report.json'), 'utf8'));
    expect(report.migrated.map((i: { source: string }) => i.source)).toEqual(['team-a/tools/worker:1.2']);
    expect(await readFile(join(reports, 'summary.md'), 'utf8')).toMatch(/^## harbor-sync\n/);
  });

  it('a directory as the path: exit 2, one line naming the input and the path, before any request', async () => {
    const servers: RecordingServer[] = [await startRecordingServer(), await startRecordingServer()];
    try {
      const [fakeSource, fakeHarbor] = servers as [RecordingServer, RecordingServer];
      const dir = join(work, 'a-folder');
      await mkdir(dir);
      const r = await cli([
        'sync',
        '--source-registry',
        fakeSource.url,
        '--harbor-url',
        fakeHarbor.url,
        '--images',
        'alpine:3.19',
        '--report-file',
        dir,
      ]);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toEqual([
        `harbor-sync: --report-file "${dir}" is a directory: give the path of a file, e.g. ${dir}/harbor-sync-report.json`,
      ]);
      expect(fakeSource.requests).toEqual([]);
      expect(fakeHarbor.requests).toEqual([]);
    } finally {
      for (const s of servers) await s.stop();
    }
  });

  it('a folder that cannot be created (a file is in the way): exit 2, one line, nothing copied', async () => {
    const file = join(work, 'plain-file');
    await writeFile(file, 'not a folder');
    const r = await cli([...syncArgs('team-b/multi:1.0'), '--summary-file', join(file, 'summary.md')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    // Node 24 says EEXIST (the folder's name is taken by a file); Node 22, ENOTDIR.
    expect(r.stderr).toMatch(
      /^harbor-sync: --summary-file "[^"]+\/plain-file\/summary\.md": its folder \S+\/plain-file cannot be created: (a file of that name is in the way \(EEXIST\)|a part of the path is a file, not a folder \(ENOTDIR\))\n$/,
    );
    expect(harbor.tagDigest('team-b/multi', '1.0')).toBeUndefined();
  });

  it('a summary that cannot be written after the run: the report is still written, one line names the file', async () => {
    const report = join(work, 'after', 'report.json');
    const r = await cli([
      ...syncArgs('team-a/tools/worker:1.3'),
      '--report-file',
      report,
      '--summary-file',
      '/dev/full',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('internal error');
    expect(lines(r.stderr).at(-1)).toBe(
      'harbor-sync: --summary-file "/dev/full" could not be written: no space left on the device (ENOSPC)',
    );
    const written = JSON.parse(await readFile(report, 'utf8'));
    expect(written.migrated.map((i: { source: string }) => i.source)).toEqual(['team-a/tools/worker:1.3']);
    // The summary still reaches stdout.
    expect(r.stdout).toMatch(/^## harbor-sync\n/);
  });

  it('report-merge writes into folders that do not exist yet', async () => {
    const shard = join(work, 'shard-1-of-1.json');
    const plan = await cli([
      'plan',
      '--source-registry',
      source.url,
      '--harbor-url',
      harbor.url,
      '--catalog',
      '--shard',
      '1/1',
      '--report-file',
      shard,
      '--quiet',
    ]);
    expect(plan.code).toBe(0);
    const merged = join(work, 'merged', 'out');
    const r = await cli([
      'report-merge',
      '--report-file',
      join(merged, 'all.json'),
      '--summary-file',
      join(merged, 'all.md'),
      shard,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(join(merged, 'all.json'), 'utf8')).shard).toBe('merged 1/1');
    expect(await readFile(join(merged, 'all.md'), 'utf8')).toMatch(/^## harbor-sync/);
  });
});

describe('messages', () => {
  it('an http:// Harbor that redirects to https:// names the target and says to use it', async () => {
    const moved = await startRecordingServer();
    try {
      const target = moved.url.replace('http:', 'https:');
      moved.handler = (req) =>
        req.path === '/api/v2.0/ping'
          ? { status: 308, headers: { location: `${target}/api/v2.0/ping` }, body: 'Permanent Redirect' }
          : undefined;
      const r = await cli([...syncArgs(), '--harbor-url', moved.url, '--retries', '0']);
      expect(r.code).toBe(2);
      expect(lines(r.stderr).at(-1)).toBe(
        `error: ${moved.url} is not where Harbor's API answers: GET /api/v2.0/ping answered 308, a redirect to ${target}/api/v2.0/ping — use the address it redirects to: write ${target} in --harbor-url`,
      );
    } finally {
      await moved.stop();
    }
  });

  it('a self-signed certificate: what to set first, in the names the user gives options in; no Node advice', async () => {
    const tls = await startRecordingServer({ tls: true });
    try {
      const r = await cli([...syncArgs(), '--harbor-url', tls.url, '--retries', '0']);
      expect(r.code).toBe(2);
      expect(lines(r.stderr).at(-1)).toBe(
        `error: Harbor ${tls.url} is not reachable: self-signed certificate — set --harbor-ca-file to the CA certificate that signed it, or --harbor-insecure (its TLS certificate is not trusted: DEPTH_ZERO_SELF_SIGNED_CERT)`,
      );
      expect(r.stderr).not.toMatch(/use-system-ca|Node\.js/);
      // The action's inputs, as the action names them.
      const run = await sync(syncInputs(source.url, tls, { images: 'alpine:3.19', retries: '0' }));
      expect(run.result.fatal?.message).toBe(`Harbor ${tls.url} is not reachable: self-signed certificate`);
      expect(run.result.fatal?.hint).toBe(
        'set harbor-ca-file to the CA certificate that signed it, or harbor-insecure: true (its TLS certificate is not trusted: DEPTH_ZERO_SELF_SIGNED_CERT)',
      );
    } finally {
      await tls.stop();
    }
  });

  it('a bare tarball path or directory as the source: the storage URL it means, among all four schemes', async () => {
    const tarball = await cli([...syncArgs(), '--source-registry', '/backup/registry.tar']);
    expect(tarball.code).toBe(2);
    expect(lines(tarball.stderr)).toEqual([
      'harbor-sync: --source-registry "/backup/registry.tar" has no scheme: a tarball is written file:///backup/registry.tar (the schemes: http:// or https:// for a registry, dir:// for its storage directory, file:// for a tarball of that directory, harbor:// for a project of the Harbor at harbor-url)',
    ]);
    const directory = await cli([...syncArgs(), '--source-registry', source.storageDir]);
    expect(directory.code).toBe(2);
    expect(lines(directory.stderr)).toEqual([
      `harbor-sync: --source-registry "${source.storageDir}" has no scheme: a storage directory is written dir://${source.storageDir} (the schemes: http:// or https:// for a registry, dir:// for its storage directory, file:// for a tarball of that directory, harbor:// for a project of the Harbor at harbor-url)`,
    ]);
  });

  it('a config-file value error names the file, the line and the key', async () => {
    const file = join(work, 'deploy.yml');
    await writeFile(file, `version: 1\nsource-registry: ${source.url}\nimages: alpine:3.19\nconcurrency: 100\n`);
    const r = await cli(['sync', '--harbor-url', harbor.url, '--config-file', file]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `harbor-sync: ${file}:4: concurrency must be a whole number from 1 to 64, not "100"`,
    ]);
    await writeFile(file, `version: 1\nsource-registry: ${source.url}\ncatalog: nope\n`);
    const catalog = await cli(['sync', '--harbor-url', harbor.url, '--config-file', file]);
    expect(lines(catalog.stderr)).toEqual([`harbor-sync: ${file}:3: catalog must be true or false, not "nope"`]);
  });

  it('each command has its own --help; an option of another command is refused', async () => {
    const helps = await Promise.all(['sync', 'plan', 'report-merge'].map((c) => cli([c, '--help'])));
    expect(helps.map((h) => h.code)).toEqual([0, 0, 0]);
    expect(new Set(helps.map((h) => h.stdout)).size).toBe(3);
    expect(helps[2]!.stdout).not.toContain('--images');
    expect(helps[0]!.stdout).toMatch(/\n {2}--no-create-projects +Do not create missing Harbor projects/);
    const refused = await cli(['report-merge', '--images', 'x', join(work, 'a.json')]);
    expect(refused.code).toBe(2);
    expect(lines(refused.stderr)).toEqual(['harbor-sync: --images is an option of sync and plan, not report-merge']);
  });

  it('--json: a configuration error is one error event on stdout too', async () => {
    const r = await cli([...syncArgs(), '--concurrency', '0', '--json']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['harbor-sync: --concurrency must be a whole number from 1 to 64, not "0"']);
    expect(lines(r.stdout).map((l) => JSON.parse(l))).toEqual([
      {
        event: 'error',
        step: 'config',
        errorCode: 'CONFIG_INVALID',
        message: '--concurrency must be a whole number from 1 to 64, not "0"',
      },
    ]);
    // A mistake in the arguments themselves too.
    const typo = await cli(['sync', '--json', '--imagez', 'x']);
    expect(JSON.parse(lines(typo.stdout)[0]!)).toMatchObject({ event: 'error', errorCode: 'CONFIG_INVALID' });
  });

  it("the CLI's summary speaks of the run and its exit code, not of a workflow step", async () => {
    const r = await cli([
      'plan',
      '--source-registry',
      source.url,
      '--harbor-url',
      harbor.url,
      '--images',
      'alpine:3.19',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The run passed (exit code 0, `--fail-on failed`).');
    expect(r.stdout).not.toMatch(/the step/i);
  });
});

describe('paths in the report', () => {
  it('a relative report path is created under the working directory', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'hs-day-one-cwd-'));
    const r = await runCli(
      [
        ...syncArgs('alpine:3.19'),
        '--report-file',
        'reports/harbor-sync-report.json',
        '--summary-file',
        'reports/summary.md',
      ],
      { cwd, env: HARBOR },
    );
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(existsSync(join(cwd, 'reports', 'harbor-sync-report.json'))).toBe(true);
    expect(existsSync(join(cwd, 'reports', 'summary.md'))).toBe(true);
  });
});
