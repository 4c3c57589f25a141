// Annotations on the job page, through the action entry as the runner starts it
// (`node dist/action/index.js` with INPUT_* and the runner's files): a source scripted to fail
// its tags in many different ways (and one stale tag) into the Harbor double, so the run has more
// classes of failure than GitHub shows annotations for a step. What must come out: one
// `::error title=…::` per class, one `::warning` for the stale tag, never more than 10 annotation
// lines in all (setFailed's included), the classes that do not fit folded into the last error,
// which points at the job summary; per-tag lines stay plain log lines.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage, sha256, type BuiltImage } from '../harness/images.ts';
import { runAction } from '../harness/run-bundle.ts';
import {
  imageRoutes,
  manifestRoutes,
  startScriptedRegistry,
  type ScriptedRegistry,
  type ScriptedResponse,
} from '../harness/scripted-registry.ts';
import { syncInputs } from '../harness/sync-inputs.ts';

const HARBOR_PASSWORD = 'Harbor-Secret-annot-7';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let source: ScriptedRegistry;
let harbor: HarborDouble;

const image = (seed: string): BuiltImage => buildImage(seed, { format: 'oci', layerSizes: [1500] });

beforeAll(async () => {
  const good = image('good');
  const large = image('large');
  const wrongDigest = `sha256:${'e'.repeat(64)}`;
  const short = image('short');
  const corrupt = image('corrupt');
  const shortLayer = short.blobs[1]!;
  const corruptLayer = corrupt.blobs[1]!;
  const routes: Record<string, ScriptedResponse> = {
    'GET /v2/': { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' },
    // Harbor side: a project that does not exist (create-projects false), a proxy-cache project.
    ...imageRoutes('missing/app', '1', good),
    ...imageRoutes('proxy/app', '1', good),
    // ok/notfound:1 has no route: 404 MANIFEST_UNKNOWN.
    'GET /v2/ok/invalid/manifests/1': { status: 200, headers: { 'content-type': OCI_MANIFEST }, body: 'not json {' },
    'GET /v2/ok/large/manifests/1': {
      status: 200,
      headers: { 'content-type': OCI_MANIFEST },
      body: Buffer.concat([
        Buffer.from('{"schemaVersion":2,"x":"'),
        Buffer.alloc(5 * 1024 * 1024, 'a'),
        Buffer.from('"}'),
      ]),
    },
    [`GET /v2/ok/digest/manifests/${wrongDigest}`]: {
      status: 200,
      headers: { 'content-type': large.mediaType },
      body: large.manifest,
    },
    'GET /v2/ok/denied/manifests/1': {
      status: 403,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }),
    },
    'GET /v2/ok/teapot/manifests/1': { status: 418, headers: { 'content-type': 'text/plain' }, body: 'teapot' },
    // A layer shorter than its descriptor says, and one of the right size with the wrong bytes.
    ...imageRoutes('ok/size', '1', short),
    [`GET /v2/ok/size/blobs/${shortLayer.digest}`]: {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: shortLayer.data.subarray(0, 700),
    },
    ...imageRoutes('ok/corrupt', '1', corrupt),
    [`GET /v2/ok/corrupt/blobs/${corruptLayer.digest}`]: {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(corruptLayer.size, 7),
    },
    ...manifestRoutes('ok/stale', '1', image('stale')),
  };
  expect(sha256(large.manifest)).not.toBe(wrongDigest);
  source = await startScriptedRegistry(routes);
  harbor = await startHarborDouble({ admin: { username: 'admin', password: HARBOR_PASSWORD } });
  harbor.createProject('ok');
  harbor.createProject('proxy');
  harbor.setProxyCache('proxy', 1);
}, 60_000);

afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
});

describe('annotations from the action', () => {
  it('one error per class, one warning for the stale tag, at most 10 in all, the rest folded with a pointer to the summary', async () => {
    const images = [
      'missing/app:1',
      'proxy/app:1',
      'ok/notfound:1',
      'ok/invalid:1',
      'ok/large:1',
      `ok/digest@sha256:${'e'.repeat(64)}`,
      'ok/denied:1',
      'ok/teapot:1',
      'ok/size:1',
      'ok/corrupt:1',
      'ok/stale:1',
    ];
    const run = await runAction(
      syncInputs(source.url, harbor, { images: images.join('\n'), 'create-projects': 'false', retries: '0' }),
      { timeout: 120_000 },
    );
    expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    expect(run.code).toBe(1);

    const report = JSON.parse(await readFile(join(run.dir, 'harbor-sync-report.json'), 'utf8')) as {
      failed: { source: string; errorCode: string; error: { step: string; errorCode: string } }[];
      stale: { source: string }[];
    };
    expect(report.stale.map((i) => i.source)).toEqual(['ok/stale:1']);
    const classes = new Set(report.failed.map((i) => `${i.error.errorCode} (${i.error.step})`));
    // More classes than fit: what this test is about.
    expect(report.failed).toHaveLength(images.length - 1);
    expect(classes.size).toBeGreaterThanOrEqual(9);

    const annotations = run.annotations.map((a) => ({ level: a.name, title: a.properties.title, message: a.data }));
    expect(annotations.length).toBeLessThanOrEqual(10);
    const titled = annotations.filter((a) => a.title?.startsWith('harbor-sync: '));
    const errors = titled.filter((a) => a.level === 'error');
    const warnings = titled.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.title).toBe('harbor-sync: 1 stale tag not copied');
    expect(warnings[0]!.message).toContain('- ok/stale:1: stale');

    // Every class is named: shown on its own, or in the folded last error.
    const shown = errors.slice(0, -1).map((a) => /— (\S+ \(\w+\))$/.exec(a.title!)?.[1]);
    for (const title of errors.slice(0, -1).map((a) => a.title!))
      expect(title).toMatch(/^harbor-sync: \d+ tags? failed — [A-Z_]+ \([a-z]+\)$/);
    const folded = errors.at(-1)!;
    expect(folded.title).toMatch(/^harbor-sync: \d+ tags failed in \d+ more classes — see the job summary$/);
    expect(folded.message).toContain('Every tag is listed in the job summary');
    for (const c of classes) expect([...shown, ...folded.message.split('\n')].join('\n'), c).toContain(c);
    expect(shown.length + Number(/in (\d+) more classes/.exec(folded.title!)![1])).toBe(classes.size);

    // setFailed's line is the last error; the per-tag lines are plain lines, not annotations.
    expect(annotations.at(-1)).toMatchObject({
      level: 'error',
      message: `harbor-sync: ${images.length - 1} tag(s) failed`,
    });
    expect(run.stdout).toMatch(/^failed {5}ok\/teapot:1 → ok\/teapot:1 /m);
    expect(run.stdout.replaceAll(`::add-mask::${HARBOR_PASSWORD}`, '')).not.toContain(HARBOR_PASSWORD);
    // The job summary still lists every failed tag.
    for (const item of report.failed) expect(run.summary).toContain(item.source);
  });
});
