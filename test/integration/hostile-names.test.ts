// Names from a source that break the reference grammar (`:x`, `@x`, `a/:b` in the catalog, a tag
// starting with `-`) become failed items with NAME_INVALID, and the run still ends with its report
// and summary; report-merge of that report ends too. Run as a user runs it (node dist/cli.js),
// with a time limit: a name that sends the summary into a loop fails here instead of hanging.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage } from '../harness/images.ts';
import { startRecordingServer, type RecordingServer } from '../harness/recording-server.ts';
import { runCli } from '../harness/run-bundle.ts';
import { imageParts, sourceHandler } from '../harness/scripted-source.ts';
import { loginEnv } from '../harness/sync-inputs.ts';

const BAD_REPOSITORIES = [':x', '@x', 'a/:b'];
const image = buildImage('hostile-names/ok', { format: 'oci', layerSizes: [300] });
const json = (body: unknown) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

let harbor: HarborDouble;
let source: RecordingServer;
let dir: string;

beforeAll(async () => {
  harbor = await startHarborDouble();
  const parts = imageParts('ok/app', '1', image);
  const registry = sourceHandler({ auth: { kind: 'none' }, manifests: [parts.manifest], blobs: new Map(parts.blobs) });
  source = await startRecordingServer({
    handler: (req) => {
      if (req.path === '/v2/_catalog') return json({ repositories: [...BAD_REPOSITORIES, 'ok/app'] });
      if (req.path === '/v2/ok/app/tags/list') return json({ name: 'ok/app', tags: ['1', '-x'] });
      return registry(req);
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'hs-hostile-names-'));
});
afterAll(async () => {
  await source?.stop();
  await harbor?.stop();
  await rm(dir, { recursive: true, force: true });
});

// Past the time limit the run is killed and the test fails; SIGKILL, as a loop never reaches the
// SIGTERM handler (which finishes what is in flight).
const cli = (args: string[]) =>
  runCli(args, { env: { HOME: dir, ...loginEnv() }, timeout: 30_000, killSignal: 'SIGKILL' });

describe('names outside the grammar', () => {
  it('a catalog listing :x, @x and a/:b ends with a report naming each as NAME_INVALID', async () => {
    const reportFile = join(dir, 'report.json');
    const run = await cli([
      'sync',
      '--source-registry',
      source.url,
      '--harbor-url',
      harbor.url,
      '--catalog',
      'true',
      '--shard',
      '1/1',
      '--retries',
      '0',
      '--report-file',
      reportFile,
    ]);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(await readFile(reportFile, 'utf8'));
    const failed = report.failed as { source: string; error: { errorCode: string; step: string } }[];
    expect(failed.map((i) => [i.source, i.error.errorCode, i.error.step]).sort()).toEqual(
      [...BAD_REPOSITORIES.map((r) => `${r}:*`), 'ok/app:-x'].sort().map((s) => [s, 'NAME_INVALID', 'discover']),
    );
    expect(report.migrated.map((i: { source: string }) => i.source)).toEqual(['ok/app:1']);
    // The summary was written: its failure section names the cause.
    expect(run.stdout).toContain('NAME_INVALID');
  });

  it('report-merge of that report ends, with the same failures', async () => {
    const merged = join(dir, 'merged.json');
    const run = await cli(['report-merge', '--report-file', merged, join(dir, 'report.json')]);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(await readFile(merged, 'utf8'));
    expect(report.failed.map((i: { source: string }) => i.source).sort()).toEqual(
      [...BAD_REPOSITORIES.map((r) => `${r}:*`), 'ok/app:-x'].sort(),
    );
  });
});
