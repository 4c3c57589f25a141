// Every output action.yml declares is one the bundled action writes to $GITHUB_OUTPUT, with the
// counts of the run: `node dist/action/index.js` with the INPUT_* environment the runner sets, a
// real registry as the source (a tag removed from its storage the way a cleanup would, so Harbor
// retains it) and the Harbor double.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { seedSamples } from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { runAction } from '../harness/run-bundle.ts';
import { syncInputs } from '../harness/sync-inputs.ts';

const HARBOR_PASSWORD = 'Harbor-Secret-4711';
const declared = Object.keys(
  (parse(await readFile(new URL('../../action.yml', import.meta.url), 'utf8')) as { outputs: Record<string, unknown> })
    .outputs,
);

let source: RunningRegistry;
let harbor: HarborDouble;
let work: string;

beforeAll(async () => {
  source = await startRegistry();
  await seedSamples({ url: source.url });
  harbor = await startHarborDouble({ admin: { username: 'admin', password: HARBOR_PASSWORD } });
  work = await mkdtemp(join(tmpdir(), 'hs-outputs-'));
});
afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
});

/** The bundled action on `images`, its report in `<name>.json`. */
const action = (images: string, name: string) =>
  runAction(syncInputs(source.url, harbor, { images, 'report-file': join(work, `${name}.json`) }));

describe('action outputs', () => {
  it('declares the counts and the report file', () => {
    expect(declared).toEqual(expect.arrayContaining(['migrated', 'skipped', 'failed', 'retained', 'report-file']));
  });

  it('sets every declared output, retained included: 0 on a first sync, then the tag deleted at the source', async () => {
    const first = await action('team-a/tools/worker', 'first');
    expect(first.code).toBe(0);
    expect(Object.keys(first.outputs).sort()).toEqual([...declared].sort());
    expect(first.outputs).toEqual({
      migrated: '2',
      broken: '0',
      stale: '0',
      incomplete: '0',
      skipped: '0',
      failed: '0',
      retained: '0',
      'report-file': join(work, 'first.json'),
    });

    // What a cleanup leaves: the tag gone from the source's list; Harbor keeps it.
    await rm(join(source.storageDir, 'docker/registry/v2/repositories/team-a/tools/worker/_manifests/tags/1.3'), {
      recursive: true,
    });
    const again = await action('team-a/tools/worker', 'again');
    expect(again.code).toBe(0);
    expect(Object.keys(again.outputs).sort()).toEqual([...declared].sort());
    expect(again.outputs).toMatchObject({
      migrated: '0',
      skipped: '1',
      failed: '0',
      retained: '1',
    });
    const report = JSON.parse(await readFile(join(work, 'again.json'), 'utf8')) as {
      totals: { retained: number };
      retained: { target: string }[];
    };
    expect(report.totals.retained).toBe(1);
    expect(report.retained.map((r) => r.target)).toEqual(['team-a/tools/worker:1.3']);
  });
});
