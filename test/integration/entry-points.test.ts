// The committed bundles as users run them: `node dist/cli.js sync …` (Jenkins, cron) and
// `node dist/action/index.js` with the INPUT_* environment the Actions runner sets.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_USER } from '../harness/registry.ts';
import { startSourceWithStale, seedSamples, type StaleScenario } from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { runAction, runCli } from '../harness/run-bundle.ts';
import { startScriptedRegistry, type ScriptedRegistry } from '../harness/scripted-registry.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { asCli, loginEnv, syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

let scenario: StaleScenario;
let harbor: HarborDouble;
let work: string;
const HARBOR_PASSWORD = 'Harbor-Secret-4711';

beforeAll(async () => {
  scenario = await startSourceWithStale();
  await seedSamples({ url: scenario.source.url, auth: SOURCE_USER });
  harbor = await startHarborDouble({ admin: { username: 'admin', password: HARBOR_PASSWORD } });
  work = await mkdtemp(join(tmpdir(), 'hs-entry-'));
});
afterAll(async () => {
  await harbor?.stop();
  await scenario?.stop();
});

describe('CLI (node dist/cli.js)', () => {
  it('syncs with credentials from the environment, prints the summary, writes report and summary files, exits 0', async () => {
    const report = join(work, 'report.json');
    const summary = join(work, 'summary.md');
    const cli = asCli(
      'sync',
      syncInputs(
        scenario.source.url,
        harbor,
        { images: 'team-a/tools/worker:1.2, cache/stale:1', 'report-file': report, 'summary-file': summary },
        { source: SOURCE_USER },
      ),
    );
    const run = await runCli(cli.args, { env: cli.env });
    expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('**1 migrated**');
    expect(run.stdout).toContain('**1 stale**');
    expect(await readFile(summary, 'utf8')).toBe(run.stdout);
    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(json.schema).toBe('harbor-sync/report/v1');
    expect(json.migrated).toEqual([
      expect.objectContaining({ source: 'team-a/tools/worker:1.2', target: 'team-a/tools/worker:1.2' }),
    ]);
    expect(json.stale).toEqual([
      expect.objectContaining({ source: 'cache/stale:1', digest: scenario.images.stale.digest }),
    ]);
    for (const text of [run.stdout, run.stderr, JSON.stringify(json)]) {
      expect(text).not.toContain(HARBOR_PASSWORD);
      expect(text).not.toContain(SOURCE_USER.password);
    }
    const copied = await skopeoInspectRaw(`${harbor.host}/team-a/tools/worker:1.2`, {
      creds: { username: 'admin', password: HARBOR_PASSWORD },
    });
    const original = await skopeoInspectRaw(`${scenario.source.host}/team-a/tools/worker:1.2`, { creds: SOURCE_USER });
    expect(copied.equals(original)).toBe(true);
  });

  it('exits 1 with --fail-on stale when a tag is stale, 2 on a configuration error', async () => {
    const env = loginEnv({ harbor: harbor.admin, source: SOURCE_USER });
    const base = ['sync', '--source-registry', scenario.source.url, '--harbor-url', harbor.url];
    const stale = await runCli([...base, '--images', 'cache/stale:1', '--fail-on', 'stale', '--quiet'], { env });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('1 stale tag(s) (fail-on: stale)');
    const bad = await runCli([...base, '--images', 'Team/App:1'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('images line 1: "Team/App:1": repository "Team/App" must be lowercase');
    const unknown = await runCli(['sync', '--no-such-flag'], { env });
    expect(unknown.code).toBe(2);
    const wrong = await runCli([...base, '--images', 'alpine:3.19'], { env: { ...env, HARBOR_PASSWORD: 'not-it' } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('rejected the credentials of user "admin"');
  });

  it('reads credentials from a Docker config.json (DOCKER_CONFIG) when none are given', async () => {
    const dir = join(work, 'docker');
    await mkdir(dir, { recursive: true });
    const auth = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          [scenario.source.host]: { auth: auth(SOURCE_USER.username, SOURCE_USER.password) },
          [`http://${harbor.host}`]: { auth: auth('admin', HARBOR_PASSWORD) },
        },
      }),
    );
    const run = await runCli(
      ['sync', '--source-registry', scenario.source.url, '--harbor-url', harbor.url, '--images', 'team-b/multi:1.0'],
      { env: { DOCKER_CONFIG: dir, HOME: work } },
    );
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('**1 migrated**');
    for (const text of [run.stdout, run.stderr]) expect(text).not.toContain(HARBOR_PASSWORD);
  });

  it('--json: one JSON object per line on stdout, a tag event per tag and the totals last', async () => {
    const cli = asCli(
      'plan',
      syncInputs(
        scenario.source.url,
        harbor,
        { images: 'team-a/tools/worker, cache/stale:1' },
        { source: SOURCE_USER },
      ),
    );
    const run = await runCli([...cli.args, '--json'], { env: cli.env });
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const tags = events.filter((e) => e.event === 'tag');
    expect(tags.map((e) => `${e.source} ${e.status}`).sort()).toEqual([
      'cache/stale:1 stale',
      'team-a/tools/worker:1.2 skipped',
      'team-a/tools/worker:1.3 migrated',
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'summary', totals: { tags: 3, stale: 1 } });
  });

  it('sync --help lists every option with its default, --version prints the version', async () => {
    const help = await runCli(['sync', '--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--source-registry',
      '--harbor-password',
      '--images-file',
      '--create-projects',
      '--dry-run',
      '--fail-on',
      '--summary-file',
    ])
      expect(help.stdout).toContain(flag);
    expect(help.stdout).toContain('default: library');
    expect((await runCli(['--version'])).stdout).toMatch(/^harbor-sync \d+\.\d+\.\d+\n$/);
  });
});

describe('Action (node dist/action/index.js)', () => {
  it('reads INPUT_*, masks secrets, writes the job summary, sets outputs, and fails per fail-on', async () => {
    const run = await runAction(
      syncInputs(
        scenario.source.url,
        harbor,
        { images: 'alpine:3.19\ncache/partial:1', 'fail-on': 'stale' },
        { source: SOURCE_USER },
      ),
    );
    expect(run.stdout).toContain(`::add-mask::${HARBOR_PASSWORD}`);
    expect(run.stdout).toContain(`::add-mask::${SOURCE_USER.password}`);
    expect(
      run.stdout.replaceAll(`::add-mask::${HARBOR_PASSWORD}`, '').replaceAll(`::add-mask::${SOURCE_USER.password}`, ''),
    ).not.toMatch(new RegExp(`${HARBOR_PASSWORD}|${SOURCE_USER.password}`));
    expect(run.stdout).toContain('::error::harbor-sync: 1 incomplete tag(s) (fail-on: stale)');
    expect(run.stdout).toContain('::group::harbor-sync: starting');
    expect(run.stdout).toMatch(/::endgroup::\nharbor-sync: 2\/2 tags/);
    expect(run.code).toBe(1);
    const summary = run.summary;
    // The verdict first, saying the step failed and why; the report's path; then the tags.
    expect(summary).toMatch(/^## harbor-sync\n\n> \[!WARNING\]\n> \*\*1 tag needs action:\*\* 0 stale, 1 incomplete/);
    expect(summary).toContain('**The step failed** (`fail-on: stale`: stale and incomplete tags fail it).');
    expect(summary).toContain('**1 migrated**');
    expect(summary).toContain(`JSON report \`${join(run.dir, 'harbor-sync-report.json')}\``);
    expect(summary).toMatch(/### Incomplete: 1 tag[\s\S]*cache\/partial:1/);
    expect(run.outputs).toMatchObject({
      migrated: '1',
      incomplete: '1',
      stale: '0',
      failed: '0',
      'report-file': join(run.dir, 'harbor-sync-report.json'),
    });
    const report = JSON.parse(await readFile(join(run.dir, 'harbor-sync-report.json'), 'utf8'));
    expect(report.incomplete[0].missing).toHaveLength(scenario.images.partialMissing.length);
  });

  it('writes a step summary for a configuration error too: the verdict with the one-line message', async () => {
    const run = await runAction(syncInputs(scenario.source.url, harbor, { images: 'Team/App:1' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::harbor-sync configuration: images line 1');
    const summary = run.summary;
    expect(summary).toMatch(
      /^## harbor-sync\n\n> \[!CAUTION\]\n> \*\*Configuration error: nothing was done\.\*\* images line 1: "Team\/App:1": repository "Team\/App" must be lowercase/,
    );
    expect(summary).toContain('> **The step failed.**');
    expect(summary).not.toContain(HARBOR_PASSWORD);
  });
});

describe('unsupported manifests', () => {
  let scripted: ScriptedRegistry;
  const schema1 = JSON.stringify({
    schemaVersion: 1,
    name: 'old/app',
    tag: 'v1',
    architecture: 'amd64',
    fsLayers: [],
    history: [],
    signatures: [],
  });
  beforeAll(async () => {
    scripted = await startScriptedRegistry({
      'GET /v2/': { status: 200, body: '{}' },
      'GET /v2/old/app/manifests/v1': {
        status: 200,
        headers: {
          'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
          'docker-content-digest': `sha256:${'0'.repeat(64)}`,
        },
        body: schema1,
      },
    });
  });
  afterAll(async () => {
    await scripted?.stop();
  });

  it('a Docker schema 1 tag is skipped with the reason, and nothing is written to Harbor', async () => {
    harbor.resetRequests();
    const run = await sync(syncInputs(scripted.url, harbor, { images: 'old/app:v1' }));
    expect(run.item('old/app:v1')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('Docker schema 1 manifest'),
    });
    expect(harbor.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  });
});
