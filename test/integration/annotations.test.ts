// Annotations on the job page, through the action entry as the runner starts it
// (`node dist/action/index.js` with INPUT_* and the runner's files): a source scripted to fail
// its tags in many different ways (and one stale tag) into the Harbor double, so the run has more
// classes of failure than GitHub shows annotations for a step. What must come out: one
// `::error title=…::` per class, one `::warning` for the stale tag, never more than 10 annotation
// lines in all (setFailed's included), the classes that do not fit folded into the last error,
// which points at the job summary; per-tag lines stay plain log lines.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage, sha256, type BuiltImage } from '../harness/images.ts';
import { startScriptedRegistry, type ScriptedRegistry, type ScriptedResponse } from '../harness/scripted-registry.ts';

const HARBOR_PASSWORD = 'Harbor-Secret-annot-7';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let source: ScriptedRegistry;
let harbor: HarborDouble;
let work: string;

/** Routes serving an image whole (manifest by tag and digest, every blob). */
function serve(repo: string, tag: string, image: BuiltImage): Record<string, ScriptedResponse> {
  const manifest: ScriptedResponse = {
    status: 200,
    headers: { 'content-type': image.mediaType, 'docker-content-digest': image.digest },
    body: image.manifest,
  };
  const routes: Record<string, ScriptedResponse> = {
    [`GET /v2/${repo}/manifests/${tag}`]: manifest,
    [`GET /v2/${repo}/manifests/${image.digest}`]: manifest,
  };
  for (const blob of image.blobs)
    routes[`GET /v2/${repo}/blobs/${blob.digest}`] = {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': blob.digest },
      body: blob.data,
    };
  return routes;
}

/** Only the manifest: every blob answers 404 (a pull-through cache that never fetched them). */
function manifestOnly(repo: string, tag: string, image: BuiltImage): Record<string, ScriptedResponse> {
  const manifest: ScriptedResponse = {
    status: 200,
    headers: { 'content-type': image.mediaType, 'docker-content-digest': image.digest },
    body: image.manifest,
  };
  return { [`GET /v2/${repo}/manifests/${tag}`]: manifest, [`GET /v2/${repo}/manifests/${image.digest}`]: manifest };
}

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
    ...serve('missing/app', '1', good),
    ...serve('proxy/app', '1', good),
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
    ...serve('ok/size', '1', short),
    [`GET /v2/ok/size/blobs/${shortLayer.digest}`]: {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: shortLayer.data.subarray(0, 700),
    },
    ...serve('ok/corrupt', '1', corrupt),
    [`GET /v2/ok/corrupt/blobs/${corruptLayer.digest}`]: {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(corruptLayer.size, 7),
    },
    ...manifestOnly('ok/stale', '1', image('stale')),
  };
  expect(sha256(large.manifest)).not.toBe(wrongDigest);
  source = await startScriptedRegistry(routes);
  harbor = await startHarborDouble({ admin: { username: 'admin', password: HARBOR_PASSWORD } });
  harbor.createProject('ok');
  harbor.createProject('proxy');
  harbor.setProxyCache('proxy', 1);
  work = await mkdtemp(join(tmpdir(), 'hs-annotations-'));
}, 60_000);

afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
});

function action(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/action/index.js'],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** `::error title=…::message` lines as written (properties and data escaped as @actions/core does). */
function commands(stdout: string): { level: string; title?: string; message: string }[] {
  const decode = (s: string) =>
    s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  return stdout.split('\n').flatMap((line) => {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) return [];
    const title = /(?:^|,)title=([^,]*)/.exec(m[2] ?? '')?.[1];
    return [{ level: m[1]!, ...(title !== undefined && { title: decode(title) }), message: decode(m[3]!) }];
  });
}

describe('annotations from the action', () => {
  it('one error per class, one warning for the stale tag, at most 10 in all, the rest folded with a pointer to the summary', async () => {
    const summaryFile = join(work, 'step-summary.md');
    const outputFile = join(work, 'github-output');
    await writeFile(summaryFile, '');
    await writeFile(outputFile, '');
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
    const run = await action({
      'INPUT_SOURCE-REGISTRY': source.url,
      'INPUT_HARBOR-URL': harbor.url,
      'INPUT_HARBOR-USERNAME': 'admin',
      'INPUT_HARBOR-PASSWORD': HARBOR_PASSWORD,
      INPUT_IMAGES: images.join('\n'),
      'INPUT_CREATE-PROJECTS': 'false',
      INPUT_RETRIES: '0',
      RUNNER_TEMP: work,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
    });
    expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    expect(run.code).toBe(1);

    const report = JSON.parse(await readFile(join(work, 'harbor-sync-report.json'), 'utf8')) as {
      failed: { source: string; errorCode: string; error: { step: string; errorCode: string } }[];
      stale: { source: string }[];
    };
    expect(report.stale.map((i) => i.source)).toEqual(['ok/stale:1']);
    const classes = new Set(report.failed.map((i) => `${i.error.errorCode} (${i.error.step})`));
    // More classes than fit: what this test is about.
    expect(report.failed).toHaveLength(images.length - 1);
    expect(classes.size).toBeGreaterThanOrEqual(9);

    const annotations = commands(run.stdout);
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
    const summary = await readFile(summaryFile, 'utf8');
    for (const item of report.failed) expect(summary).toContain(item.source);
  });
});
