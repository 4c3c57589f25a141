// The reports for Jenkins, GitLab and cron, from real runs: the source is the real distribution
// registry left stale and incomplete by a real pull-through cache (test/harness/scenarios.ts), plus
// a tag that copies and one that does not exist; the target is the Harbor double.
// - One run writes the JUnit report, the HTML page and the metrics file next to the JSON report:
//   the JUnit file is valid (xmllint, the schema Jenkins documents) and its counts are the JSON
//   report's; the metrics pass promtool and carry the last success over; the page has the verdict.
// - The CLI (dist/cli.js) run as examples/Jenkinsfile runs it (its flags, its credentials as
//   environment variables) exits 0, 1 and 2 in the scenarios that call for them, and the
//   Jenkinsfile's own BUILD_RESULT map, read from its text, turns them into SUCCESS, UNSTABLE and
//   FAILURE. The cron wrapper (examples/cron/harbor-sync-cron) writes metrics the alert can watch.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/inputs.js';
import type { Report } from '../../src/report/json.js';
import { LAST_SUCCESS } from '../../src/report/metrics.js';
import { runAndReport } from '../../src/run-and-report.js';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage, pushImage } from '../harness/images.ts';
import { freePort } from '../harness/ports.ts';
import { SOURCE_USER, TLS_CERT } from '../harness/registry.ts';
import { promtool, validateJunit, xpathNumber } from '../harness/report-readers.ts';
import { CLI_BUNDLE, runCli, runProgram, type ProgramRun } from '../harness/run-bundle.ts';
import { PARTIAL_REPO, STALE_REPO, STALE_TAG, startSourceWithStale, type StaleScenario } from '../harness/scenarios.ts';
import { loginEnv, syncInputs } from '../harness/sync-inputs.ts';

const GOOD = 'team-a/app:1.0';
const MISSING = 'team-a/app:404';
const STALE = `${STALE_REPO}:${STALE_TAG}`;
const PARTIAL = `${PARTIAL_REPO}:${STALE_TAG}`;

let scenario: StaleScenario;
let harbor: HarborDouble;
let work: string;

beforeAll(async () => {
  scenario = await startSourceWithStale();
  await pushImage(scenario.sourceTarget, 'team-a/app', '1.0', buildImage('ci-reports/app', { layerSizes: [3000] }));
  harbor = await startHarborDouble();
  work = await mkdtemp(join(tmpdir(), 'hs-ci-reports-'));
});
afterAll(async () => {
  await harbor?.stop();
  await scenario?.stop();
});

const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('one run with migrated, stale, incomplete and failed tags writes all three files', () => {
  it('JUnit (valid, counts of the JSON report), HTML page (verdict first), metrics (promtool; last success carried)', async () => {
    const dir = await mkdtemp(join(work, 'run-'));
    const files = {
      report: join(dir, 'out/harbor-sync-report.json'),
      junit: join(dir, 'out/harbor-sync-junit.xml'),
      html: join(dir, 'out/harbor-sync-report.html'),
      metrics: join(dir, 'textfile/harbor_sync.prom'),
    };
    const inputs = (images: string, extra: Record<string, string> = {}) =>
      syncInputs(
        scenario.source.url,
        harbor,
        {
          images,
          'report-file': files.report,
          'junit-file': files.junit,
          'html-file': files.html,
          'metrics-file': files.metrics,
          ...extra,
        },
        { source: SOURCE_USER },
      );
    // A previous success, as a run of yesterday left it.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'textfile'));
    await writeFile(files.metrics, `# TYPE ${LAST_SUCCESS} gauge\n${LAST_SUCCESS} 1700000000\n`);

    const config = await buildConfig((name) => inputs([GOOD, STALE, PARTIAL, MISSING].join('\n'))[name]);
    const outcome = await runAndReport(config, { logger: quietLogger });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.unwritten).toEqual([]);
    const report = JSON.parse(await readFile(files.report, 'utf8')) as Report;
    expect(report.totals).toMatchObject({ tags: 4, migrated: 1, stale: 1, incomplete: 1, failed: 1 });

    // JUnit: valid against the schema, one case per tag, counts equal to the JSON report's.
    expect(validateJunit(files.junit).said).toMatch(/validates/);
    expect(xpathNumber(files.junit, 'count(//testcase)')).toBe(report.totals.tags);
    expect(xpathNumber(files.junit, 'number(//testsuite/@tests)')).toBe(report.totals.tags);
    expect(xpathNumber(files.junit, 'count(//testcase/failure)')).toBe(report.totals.failed);
    expect(xpathNumber(files.junit, 'number(//testsuite/@failures)')).toBe(report.totals.failed);
    expect(xpathNumber(files.junit, 'count(//testcase/skipped)')).toBe(report.totals.stale + report.totals.incomplete);
    expect(xpathNumber(files.junit, 'number(//testsuite/@skipped)')).toBe(
      report.totals.stale + report.totals.incomplete,
    );
    expect(xpathNumber(files.junit, 'number(//testsuite/@errors)')).toBe(0);
    expect(
      xpathNumber(files.junit, `count(//testcase[@classname="${STALE_REPO}"][@name="${STALE_TAG}"]/skipped)`),
    ).toBe(1);
    expect(
      xpathNumber(files.junit, 'count(//testcase[@classname="team-a/app"][@name="404"]/failure[@type="NOT_FOUND"])'),
    ).toBe(1);

    // The HTML page: one file, the verdict right under the title.
    const html = await readFile(files.html, 'utf8');
    expect(html).toMatch(/<h1>harbor-sync<\/h1>\n<section class="alert alert-caution"[^>]*>\n<p class="alert-title">/);
    expect(html).toMatch(/<strong>1 tag failed<\/strong> \(1 cause below, each with what to do\); 2 more need action/);
    expect(html).not.toMatch(/<script|\ssrc="/);

    // Metrics: a real parser accepts them; tags per class are the report's; not a full success, so
    // yesterday's success stays.
    const metrics = await readFile(files.metrics, 'utf8');
    expect(promtool(['check', 'metrics'], metrics)).toEqual({ ok: true, said: '' });
    for (const status of ['migrated', 'stale', 'incomplete', 'skipped', 'failed'] as const)
      expect(sample(metrics, 'harbor_sync_tags', `{class="${status}"}`), status).toBe(report.totals[status]);
    expect(sample(metrics, 'harbor_sync_failures', '{code="NOT_FOUND"}')).toBe(1);
    expect(sample(metrics, 'harbor_sync_exit_code')).toBe(1);
    expect(sample(metrics, LAST_SUCCESS)).toBe(1700000000);
    expect(sample(metrics, 'harbor_sync_last_run_timestamp_seconds')).toBe(Date.parse(report.finishedAt) / 1000);

    // A run that does everything (the good tag is in Harbor now: skipped) is the new last success.
    const again = await buildConfig((name) => inputs(GOOD)[name]);
    const second = await runAndReport(again, { logger: quietLogger });
    expect(second.exitCode).toBe(0);
    const after = await readFile(files.metrics, 'utf8');
    expect(sample(after, LAST_SUCCESS)).toBe(Date.parse(second.result.finishedAt) / 1000);
    expect(sample(after, 'harbor_sync_tags', '{class="skipped"}')).toBe(1);
    expect(xpathNumber(files.junit, 'count(//testcase)')).toBe(1);
    expect(xpathNumber(files.junit, 'count(//testcase/*[self::failure or self::skipped or self::error])')).toBe(0);
  });
});

// ---- examples/Jenkinsfile: the exit code, its build result ---------------------------------------

const jenkinsfile = readFileSync('examples/Jenkinsfile', 'utf8');

/** The Jenkinsfile's BUILD_RESULT map and the result it falls back to. */
function buildResultMap(): (status: number) => string {
  const map = /^def BUILD_RESULT = \[([^\]]+)\]$/m.exec(jenkinsfile)?.[1];
  const fallback = /BUILD_RESULT\.get\(status, '(\w+)'\)/.exec(jenkinsfile)?.[1];
  if (!map || !fallback) throw new Error('examples/Jenkinsfile has no BUILD_RESULT map and .get(status, …)');
  const entries = new Map([...map.matchAll(/(\d+):\s*'(\w+)'/g)].map((m) => [Number(m[1]), m[2]!]));
  return (status) => entries.get(status) ?? fallback;
}

/** The harbor-sync command of the Jenkinsfile's sh step, its arguments after `$HARBOR_SYNC`. */
function jenkinsArguments(vars: Record<string, string>): string[] {
  const script = /sh\(returnStatus: true, script: '''([\s\S]*?)'''\)/.exec(jenkinsfile)?.[1];
  if (!script) throw new Error("examples/Jenkinsfile has no sh(returnStatus: true, script: '''…''')");
  const line = script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .find((l) => /^\s*\$HARBOR_SYNC /.test(l))!;
  return line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((word) => word.replace(/^"\$(\w+)"$/, (_, name: string) => vars[name] ?? `<unset ${name}>`));
}

describe('examples/Jenkinsfile: harbor-sync exit codes become the build results its BUILD_RESULT map says', () => {
  const result = buildResultMap();

  it('the map grades as documented: 0 SUCCESS, 1 UNSTABLE, 2 FAILURE, 130 ABORTED, anything else FAILURE', () => {
    expect([0, 1, 2, 130, 3].map(result)).toEqual(['SUCCESS', 'UNSTABLE', 'FAILURE', 'ABORTED', 'FAILURE']);
  });

  /** A workspace with harbor-sync.yml, run with the Jenkinsfile's own flags and credentials. */
  async function jenkinsBuild(
    name: string,
    config: { harbor?: string; images: string },
    credentials: Record<string, string> = {},
  ): Promise<{ build: string; run: ProgramRun; workspace: string }> {
    const workspace = await mkdtemp(join(work, `jenkins-${name}-`));
    await writeFile(
      join(workspace, 'harbor-sync.yml'),
      [
        'version: 1',
        `source-registry: ${scenario.source.url}`,
        `harbor-url: ${config.harbor ?? harbor.url}`,
        'images: |',
        ...config.images.split('\n').map((image) => `  ${image}`),
        '',
      ].join('\n'),
    );
    // withCredentials: the two logins as environment variables, the CA as a file's path.
    const env = { ...loginEnv({ source: SOURCE_USER }), ...credentials };
    // A weekday's build with the parameters' defaults (Sunday's checks Harbor whole: verify=blobs).
    const args = jenkinsArguments({ command: 'sync', verify: 'digest', HARBOR_CA_FILE: TLS_CERT });
    const run = await runCli(args, { cwd: workspace, env });
    return { build: result(run.code ?? -1), run, workspace };
  }

  it('SUCCESS: everything copied; the reports the pipeline publishes are there', async () => {
    const { build, run, workspace } = await jenkinsBuild('success', { images: GOOD });
    expect(run.code, run.stderr).toBe(0);
    expect(build).toBe('SUCCESS');
    const junit = /junit testResults: '([^']+)'/.exec(jenkinsfile)![1]!;
    const archived = /archiveArtifacts artifacts: '([^']+)'/.exec(jenkinsfile)![1]!.split(/,\s*/);
    expect(archived).toContain(junit);
    for (const file of archived) expect(existsSync(join(workspace, file)), file).toBe(true);
  });

  it('UNSTABLE: stale and incomplete tags (the pipeline runs with --fail-on stale)', async () => {
    const { build, run, workspace } = await jenkinsBuild('stale', { images: `${STALE}\n${PARTIAL}` });
    expect(run.code, run.stderr).toBe(1);
    expect(build).toBe('UNSTABLE');
    // The junit step shows them as failures (--fail-on stale), so it marks the build UNSTABLE too.
    const junit = join(workspace, /junit testResults: '([^']+)'/.exec(jenkinsfile)![1]!);
    expect(xpathNumber(junit, 'count(//testcase/failure[@type="STALE" or @type="INCOMPLETE"])')).toBe(2);
  });

  it('UNSTABLE: a failed tag', async () => {
    const { build, run } = await jenkinsBuild('failed', { images: `${GOOD}\n${MISSING}` });
    expect(run.code, run.stderr).toBe(1);
    expect(build).toBe('UNSTABLE');
  });

  it('FAILURE: Harbor refuses the credentials', async () => {
    const { build, run, workspace } = await jenkinsBuild('credentials', { images: GOOD }, { HARBOR_PASSWORD: 'wrong' });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/Harbor rejected the credentials|credentials/i);
    expect(build).toBe('FAILURE');
    // The run's own error case in the JUnit report, so the Tests tab says it too.
    const junit = join(workspace, /junit testResults: '([^']+)'/.exec(jenkinsfile)![1]!);
    expect(xpathNumber(junit, 'count(//testcase[@name="run"]/error[@type="CREDENTIALS_REJECTED"])')).toBe(1);
  });

  it('FAILURE: Harbor cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { build, run } = await jenkinsBuild('connection', { images: GOOD, harbor: closed });
    expect(run.code, run.stderr).toBe(2);
    expect(build).toBe('FAILURE');
  });

  it('FAILURE: a configuration mistake', async () => {
    const { build, run } = await jenkinsBuild('config', { images: 'Team/App:1' });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(build).toBe('FAILURE');
  });
});

describe('examples/cron/harbor-sync-cron', () => {
  it('runs the CLI with the credentials file, and leaves the metrics an alert watches and the HTML page', async () => {
    const dir = await mkdtemp(join(work, 'cron-'));
    await writeFile(
      join(dir, 'harbor-sync.yml'),
      `version: 1\nsource-registry: ${scenario.source.url}\nharbor-url: ${harbor.url}\nimages: ${GOOD}\n`,
    );
    await writeFile(
      join(dir, 'credentials.env'),
      Object.entries(loginEnv({ source: SOURCE_USER }))
        .map(([name, value]) => `${name}=${value}\n`)
        .join(''),
      { mode: 0o600 },
    );
    const env = {
      HARBOR_SYNC: `${process.execPath} ${CLI_BUNDLE}`,
      CONFIG: join(dir, 'harbor-sync.yml'),
      CREDENTIALS: join(dir, 'credentials.env'),
      OUT: join(dir, 'out'),
      METRICS_FILE: join(dir, 'textfile/harbor_sync.prom'),
    };
    // Not spawnSync: the Harbor double answers from this process.
    const r = await runProgram('examples/cron/harbor-sync-cron', [], { env });
    expect(r.code, r.stderr).toBe(0);
    const metrics = await readFile(env.METRICS_FILE, 'utf8');
    expect(promtool(['check', 'metrics'], metrics)).toEqual({ ok: true, said: '' });
    expect(sample(metrics, LAST_SUCCESS)).toBeGreaterThan(Date.now() / 1000 - 300);
    expect(existsSync(join(env.OUT, 'harbor-sync-report.html'))).toBe(true);
  });
});
