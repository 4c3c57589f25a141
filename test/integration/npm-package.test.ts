// The npm package as a Jenkins agent or a cron host gets it: `npm pack` of this repository,
// installed into an empty directory that has nothing of this repository, offline and with an
// empty npm cache (so installing fetches nothing: the bundle is self-contained and the package
// has no dependencies), then `harbor-sync --version` and a real plan and sync from there, against
// a real distribution registry and the Harbor double.
//
// Node: the `node` devDependency's Node 24 (node_modules/.bin/node), which the machine's own
// `node` may not be; npm is the machine's npm-cli.js run by that Node.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_USER } from '../harness/registry.ts';
import { seedSamples, startSourceWithStale, type StaleScenario, type SampleImages } from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { runProgram, type ProgramRun } from '../harness/run-bundle.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { loginEnv } from '../harness/sync-inputs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE24 = join(ROOT, 'node_modules/.bin/node');
const PKG = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const HARBOR_PASSWORD = 'Harbor-Secret-npm-42';

/** The machine's npm, as a script for NODE24 to run. */
function npmCli(): string {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  const cli = join(dirname(realpathSync(npm)), 'npm-cli.js');
  if (!existsSync(cli)) throw new Error(`npm-cli.js not found next to ${realpathSync(npm)}`);
  return cli;
}

function exec(
  file: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ProgramRun> {
  return runProgram(file, args, {
    cwd: options.cwd,
    // Node 24 first on the PATH, for the `#!/usr/bin/env node` of the installed bin; nothing
    // else of this repository's environment.
    env: { PATH: `${dirname(NODE24)}:${process.env.PATH ?? ''}`, HOME: options.cwd, ...options.env },
    timeout: 120_000,
  });
}

let work: string;
let consumer: string;
let tarball: string;
let packed: { files: { path: string }[] };
let scenario: StaleScenario;
let samples: SampleImages;
let harbor: HarborDouble;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hs-npm-'));
  const npm = npmCli();
  const npmEnv = { npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
  // --ignore-scripts: packing runs no lifecycle script of ours; what is committed is what ships.
  const pack = await exec(NODE24, [npm, 'pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: ROOT,
    env: npmEnv,
  });
  expect(pack.stderr).not.toMatch(/ERR!/);
  expect(pack.code).toBe(0);
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  packed = info;
  tarball = join(work, info.filename);

  consumer = join(work, 'consumer');
  await mkdir(consumer);
  // An empty npm cache and --offline: any dependency the package asked for would fail the install.
  const install = await exec(NODE24, [npm, 'install', '--offline', '--no-audit', '--no-fund', tarball], {
    cwd: consumer,
    env: { ...npmEnv, npm_config_cache: join(work, 'empty-cache') },
  });
  expect(install.stderr).not.toMatch(/ERR!/);
  expect(install.code).toBe(0);

  scenario = await startSourceWithStale();
  samples = await seedSamples({ url: scenario.source.url, auth: SOURCE_USER });
  harbor = await startHarborDouble({ admin: { username: 'admin', password: HARBOR_PASSWORD } });
}, 180_000);

afterAll(async () => {
  await harbor?.stop();
  await scenario?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds what runs and its documents, nothing of the sources, tests or benchmarks', () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/cli.js',
        'dist/cli/index.js',
        'dist/cli/licenses.txt',
      ]),
    );
    const unexpected = paths.filter(
      (p) =>
        !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/cli.js'].includes(p) &&
        !p.startsWith('dist/cli/'),
    );
    expect(unexpected).toEqual([]);
    for (const prefix of ['src/', 'test/', 'bench/', 'lib/', 'scripts/', 'dist/action/', 'node_modules/'])
      expect(
        paths.filter((p) => p.startsWith(prefix)),
        prefix,
      ).toEqual([]);
  });

  it('is publishable: a bin, engines, no runtime dependencies, not private', async () => {
    const installed = JSON.parse(
      await readFile(join(consumer, 'node_modules', PKG.name, 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(installed.private).toBeUndefined();
    expect(installed.bin).toEqual({ 'harbor-sync': 'dist/cli.js' });
    expect(installed.engines).toEqual({ node: '>=22.19' });
    expect(installed.dependencies ?? {}).toEqual({});
    expect(installed.license).toBe('MIT');
    // Installing fetched nothing else: the package is alone in node_modules.
    const lock = JSON.parse(await readFile(join(consumer, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    expect(Object.keys(lock.packages).sort()).toEqual(['', `node_modules/${PKG.name}`]);
  });
});

describe('installed from the tarball into an empty directory', () => {
  const bin = (): string => join(consumer, 'node_modules/.bin/harbor-sync');
  const env = (): Record<string, string> => loginEnv({ harbor: harbor.admin, source: SOURCE_USER });

  it('harbor-sync --version says the package version', async () => {
    const run = await exec(bin(), ['--version'], { cwd: consumer });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`harbor-sync ${PKG.version}\n`);
  });

  it('plans, then syncs for real, from that directory', async () => {
    const common = [
      '--source-registry',
      scenario.source.url,
      '--harbor-url',
      harbor.url,
      '--images',
      'team-a/tools/worker:1.2, team-b/multi:1.0, cache/stale:1',
    ];
    // Read from --json and the report, not the summary's wording (summary.ts has its own tests).
    const plan = await exec(bin(), ['plan', ...common, '--json'], { cwd: consumer, env: env() });
    expect(plan.code).toBe(0);
    const events = plan.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; dryRun?: boolean; totals?: Record<string, number> });
    expect(events.at(-1)).toMatchObject({ event: 'summary', totals: { tags: 3, migrated: 2, stale: 1, failed: 0 } });
    expect(events.filter((e) => e.event === 'tag').every((e) => e.dryRun === true)).toBe(true);
    expect(harbor.projects()).toEqual([]); // a plan writes nothing

    const report = join(consumer, 'report.json');
    const sync = await exec(bin(), ['sync', ...common, '--report-file', report], { cwd: consumer, env: env() });
    expect(sync.stderr).not.toMatch(/TypeError|Cannot find module|at .*\.js:\d+/);
    expect(sync.code).toBe(0);
    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(json.tool).toEqual({ name: 'harbor-sync', version: PKG.version });
    expect(json.migrated.map((i: { source: string }) => i.source).sort()).toEqual([
      'team-a/tools/worker:1.2',
      'team-b/multi:1.0',
    ]);
    expect(json.stale.map((i: { source: string }) => i.source)).toEqual(['cache/stale:1']);
    for (const text of [sync.stdout, sync.stderr, JSON.stringify(json)]) expect(text).not.toContain(HARBOR_PASSWORD);
    const copied = await skopeoInspectRaw(`${harbor.host}/team-b/multi:1.0`, {
      creds: { username: 'admin', password: HARBOR_PASSWORD },
    });
    expect(copied.equals(samples.multi.manifest)).toBe(true);
  });
});
