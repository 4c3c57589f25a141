// Nothing a server says becomes a workflow command, end to end: a Harbor double whose
// harbor_version carries newlines and `::error title=…::`, and a source whose refusal message
// carries the older `##[error]` form and an <img>, synced by the action entry as the runner
// starts it (`node dist/action/index.js`) and by the CLI (a runner reads a `run:` step's stdout
// and stderr alike). What comes out is read the way the runner reads it: harbor-sync's own
// annotations are there, no forged one is; the job summary renders no element from outside.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summaryPage } from '../harness/github-markdown.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage } from '../harness/images.ts';
import { runAction, runCli } from '../harness/run-bundle.ts';
import {
  imageRoutes,
  startScriptedRegistry,
  type ScriptedRegistry,
  type ScriptedResponse,
} from '../harness/scripted-registry.ts';
import { asCli, syncInputs } from '../harness/sync-inputs.ts';
import { FORGED, forgedCommands, workflowCommands } from '../harness/workflow-commands.ts';

const HARBOR_PASSWORD = 'Harbor-Secret-forged-3';
const IMG = '<img src=//evil.example/x.png>';
/** What a registry may put in an error message: one line (the client keeps one), both forms. */
const REFUSAL = `requested access to the resource is denied ##[error]FORGED-v1 ##[add-mask]FORGED-mask | ${IMG}`;

let source: ScriptedRegistry;
let harbor: HarborDouble;

beforeAll(async () => {
  const denied: ScriptedResponse = {
    status: 403,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errors: [{ code: 'DENIED', message: REFUSAL }] }),
  };
  source = await startScriptedRegistry({
    'GET /v2/': { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' },
    ...imageRoutes('ok/good', '1', buildImage('good', { format: 'oci', layerSizes: [1500] })),
    'GET /v2/ok/denied/manifests/1': denied,
  });
  harbor = await startHarborDouble({
    admin: { username: 'admin', password: HARBOR_PASSWORD },
    version: `v2.15.2 ${FORGED} ${IMG}`,
  });
  harbor.createProject('ok');
}, 60_000);

afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
});

describe('hostile text from Harbor and the source, through the entry points', () => {
  it('the action: its own annotations, no forged command, a summary with no element from outside', async () => {
    const run = await runAction(syncInputs(source.url, harbor, { images: 'ok/good:1\nok/denied:1', retries: '0' }), {
      timeout: 120_000,
    });
    expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    expect(run.code).toBe(1);
    const output = run.stdout + run.stderr;
    // The refusal is in the log, quoted: on the failed tag's line and in its annotation.
    expect(output).toContain('FORGED-v1');
    expect(forgedCommands(output)).toEqual([]);
    const annotations = run.annotations.filter((c) => c.name === 'error');
    expect(annotations.map((a) => a.properties.title)).toContain(
      'harbor-sync: 1 tag failed — PERMISSION_DENIED (discover)',
    );
    const report = JSON.parse(await readFile(join(run.dir, 'harbor-sync-report.json'), 'utf8')) as {
      migrated: { source: string }[];
    };
    expect(report.migrated.map((i) => i.source)).toEqual(['ok/good:1']);

    const page = summaryPage(run.summary);
    expect(page).toContain('FORGED-v1');
    expect(page).not.toMatch(/<img/i);
  });

  it('the CLI in a workflow step: nothing on stdout or stderr a runner would act on', async () => {
    const cli = asCli('sync', syncInputs(source.url, harbor, { images: 'ok/good:1, ok/denied:1', retries: '0' }));
    const run = await runCli(cli.args, { env: cli.env, timeout: 120_000 });
    expect(run.code).toBe(1);
    const output = run.stdout + run.stderr;
    expect(output).toContain('FORGED-v1');
    expect(forgedCommands(output)).toEqual([]);
    expect(workflowCommands(output)).toEqual([]);
  });
});
