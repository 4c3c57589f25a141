// verify: blobs against real servers: the distribution registry as the source, the Harbor double
// damaged as a garbage collection damages Harbor (the data files of a shared base layer and of an
// index child removed from its registry's storage; tags, links and Harbor's database kept), skopeo
// as the oracle that a pull of every tag fails before and works after, byte-identical.
// - plan --verify=blobs finds exactly what was removed and writes nothing to Harbor, never GETs a
//   manifest (a pull in Harbor's eyes);
// - plan --verify=blobs --fail-on=pending (the CLI bundle) exits 1 on the damaged Harbor, and 0
//   after sync --verify=blobs repaired it;
// - what neither Harbor nor the source has fails with BROKEN_UNREPAIRABLE;
// - a plain no-op asks Harbor for no blob; verify=blobs asks for each (repository, digest) once,
//   with a HEAD, and nothing else beyond the no-op.
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagResult } from '../../src/model/result.ts';
import { damageStorage } from '../harness/harbor-double/damage.ts';
import { startHarborDouble, type HarborDouble, type RequestRecord } from '../harness/harbor-double/index.ts';
import { buildImage, pushImage } from '../harness/images.ts';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { runAction, runCli } from '../harness/run-bundle.ts';
import { seedSamples, type SampleImages } from '../harness/scenarios.ts';
import { skopeoCopy, skopeoInspectRaw } from '../harness/skopeo.ts';
import { asCli, syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

const TAGS = ['team-a/tools/worker:1.2', 'team-a/tools/worker:1.3', 'alpine:3.19', 'team-b/multi:1.0'];
const IMAGES = TAGS.join('\n');
/** Where each tag lands in Harbor. */
const inHarbor = (tag: string) => (tag.includes('/') ? tag : `library/${tag}`);

let source: RunningRegistry;
let scratch: RunningRegistry;
let harbor: HarborDouble;
let samples: SampleImages;
let tmp: string;

beforeAll(async () => {
  source = await startRegistry();
  scratch = await startRegistry();
  samples = await seedSamples({ url: source.url });
  harbor = await startHarborDouble();
  tmp = await mkdtemp(join(tmpdir(), 'hs-verify-'));
  const first = await sync(inputs());
  expect(first.result.items.map((i) => i.status)).toEqual(TAGS.map(() => 'migrated'));
});
afterAll(async () => {
  await harbor?.stop();
  await scratch?.stop();
  await source?.stop();
});

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return syncInputs(source.url, harbor, { images: IMAGES, ...extra });
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const writes = (): RequestRecord[] => harbor.requests.filter((r) => WRITE.has(r.method));

/** A pull of every child and blob of the tag from Harbor (skopeo checks each digest), into a
 * scratch registry, digests kept; then its manifest as Harbor serves it. */
async function pullWhole(tag: string): Promise<Buffer> {
  const from = `${harbor.host}/${inHarbor(tag)}`;
  const to = `${scratch.host}/pulled/${tag.replace(/[/:]/g, '-')}:${Date.now()}`;
  await skopeoCopy(from, to, { srcCreds: harbor.admin, all: true, preserveDigests: true });
  return await skopeoInspectRaw(from, { creds: harbor.admin });
}

const missingOf = (items: TagResult[]) =>
  [...new Set(items.flatMap((i) => (i.harborMissing ?? []).map((m) => `${m.kind} ${m.digest}`)))].sort();

describe('a Harbor that lost a shared base layer and an index child', () => {
  const armChild = () => samples.multi.children[1]!.image;
  beforeAll(async () => {
    await harbor.damage({ blobs: [samples.baseLayer.digest], manifests: [armChild().digest] });
  });

  it('pulls fail, yet a plain run finds nothing: the digests still match', async () => {
    await expect(pullWhole('team-a/tools/worker:1.2')).rejects.toThrow(/blob unknown|not found|404/i);
    const plain = await sync(inputs({ 'dry-run': 'true' }));
    expect(plain.result.items.map((i) => i.status)).toEqual(TAGS.map(() => 'skipped'));
  });

  it('plan --verify=blobs finds exactly what was removed, writes nothing and GETs no manifest', async () => {
    harbor.resetRequests();
    const run = await sync(inputs({ 'dry-run': 'true', verify: 'blobs' }));
    expect(run.item('team-a/tools/worker:1.2')).toMatchObject({
      status: 'broken',
      checkedWhole: true,
      harborMissing: [{ digest: samples.baseLayer.digest, kind: 'blob', size: samples.baseLayer.size }],
    });
    expect(run.item('team-a/tools/worker:1.3').status).toBe('broken');
    expect(run.item('team-b/multi:1.0')).toMatchObject({
      status: 'broken',
      harborMissing: [
        { digest: samples.baseLayer.digest, kind: 'blob' },
        { digest: armChild().digest, kind: 'manifest', size: armChild().manifest.length },
      ],
    });
    expect(run.item('alpine:3.19')).toMatchObject({
      status: 'skipped',
      reason: 'already in Harbor with the same digest, checked whole',
    });
    expect(missingOf(run.result.items)).toEqual(
      [`blob ${samples.baseLayer.digest}`, `manifest ${armChild().digest}`].sort(),
    );
    expect(writes()).toEqual([]);
    expect(harbor.requests.filter((r) => r.method === 'GET' && (r.kind === 'manifest' || r.kind === 'blob'))).toEqual(
      [],
    );
    // Still broken: nothing was repaired.
    await expect(pullWhole('team-b/multi:1.0')).rejects.toThrow();
  });

  it('plan --verify=blobs --fail-on=pending exits 1 (the CLI), its summary listing the broken tags by what is missing', async () => {
    const summaryFile = join(tmp, 'audit-summary.md');
    const { args, env } = asCli('plan', {
      ...inputs({ verify: 'blobs', 'fail-on': 'pending' }),
      'summary-file': summaryFile,
    });
    const run = await runCli(args, { env });
    expect(run.code, run.output).toBe(1);
    const summary = await readFile(summaryFile, 'utf8');
    expect(summary).toContain('**Checked whole in Harbor:** 4 tags (`verify: blobs`); 3 are broken');
    expect(summary).toContain('### Would repair: 3 tags');
    expect(summary).toContain(`| \`sha256:${samples.baseLayer.digest.slice(7, 19)}\` | blob |`);
    expect(summary).toContain('**The run failed** (exit code 1, `--fail-on pending`');
    // For the closing note of issue 26: what an audit that found broken tags says.
    await copyFile(summaryFile, join(process.cwd(), '.tmp/audit-summary.md'));
  });

  it('the action (verify: blobs, dry-run) sets the broken output and writes nothing', async () => {
    harbor.resetRequests();
    const run = await runAction(inputs({ verify: 'blobs', 'dry-run': 'true' }));
    expect(run.code, run.output).toBe(0);
    expect(run.outputs).toMatchObject({ migrated: '0', broken: '3', skipped: '1', failed: '0' });
    expect(run.summary).toContain('### Would repair: 3 tags');
    expect(writes()).toEqual([]);
  });

  it('sync --verify=blobs repairs: every tag pulls whole and byte-identical again, and the check passes', async () => {
    harbor.resetRequests();
    const run = await sync(inputs({ verify: 'blobs' }));
    expect(run.item('team-a/tools/worker:1.2')).toMatchObject({
      status: 'broken',
      reason: 'Harbor lacked 1 of 3 blobs; repaired from the source',
    });
    expect(run.item('team-a/tools/worker:1.3')).toMatchObject({
      status: 'broken',
      reason: 'Harbor lacked 1 of 4 blobs; repaired from the source',
    });
    expect(run.item('team-b/multi:1.0')).toMatchObject({
      status: 'broken',
      reason: 'Harbor lacked 1 of 5 blobs and 1 of 3 manifests; repaired from the source',
      blobs: { total: 1 },
    });
    // The base layer crossed the wire once: uploaded into one repository, mounted into the other.
    const counts = run.result.items.map((i) => i.blobs ?? { uploaded: 0, mounted: 0, bytesUploaded: 0 });
    expect(counts.reduce((n, b) => n + b.uploaded, 0)).toBe(1);
    expect(counts.reduce((n, b) => n + b.mounted, 0)).toBe(1);
    expect(counts.reduce((n, b) => n + b.bytesUploaded, 0)).toBe(samples.baseLayer.size);
    // Only what was missing was written: one blob upload, one mount, the child manifest by digest.
    expect(
      writes()
        .map((r) => `${r.method} ${r.kind}${r.reference ? ` ${r.reference}` : ''}`)
        .sort(),
    ).toEqual([
      'POST upload', // the mount
      'POST upload', // the upload's session
      'PUT manifest digest',
      'PUT upload',
    ]);
    for (const tag of TAGS) {
      const manifest = await pullWhole(tag);
      expect(manifest.equals(await skopeoInspectRaw(`${source.host}/${tag}`)), tag).toBe(true);
    }
    for (const { image } of samples.multi.children) {
      const fromHarbor = await skopeoInspectRaw(`${harbor.host}/team-b/multi@${image.digest}`, { creds: harbor.admin });
      expect(fromHarbor.equals(image.manifest)).toBe(true);
    }
    const { args, env } = asCli('plan', inputs({ verify: 'blobs', 'fail-on': 'pending' }));
    const check = await runCli(args, { env });
    expect(check.code, check.output).toBe(0);
  });
});

describe('what neither Harbor nor the source has', () => {
  it('fails the tag with BROKEN_UNREPAIRABLE, naming the digest and what to do, and writes nothing', async () => {
    const lost = buildImage('verify/lost', { layerSizes: [2048, 1024] });
    const layer = lost.blobs[2]!;
    await pushImage({ url: source.url }, 'team-c/lost', '1', lost);
    expect((await sync(inputs({ images: 'team-c/lost:1' }))).item('team-c/lost:1').status).toBe('migrated');
    await harbor.damage({ blobs: [layer.digest] });
    await damageStorage(source.storageDir, { blobs: [layer.digest] });
    harbor.resetRequests();

    const run = await sync(inputs({ images: 'team-c/lost:1', verify: 'blobs' }));
    expect(run.item('team-c/lost:1')).toMatchObject({
      status: 'failed',
      checkedWhole: true,
      harborMissing: [{ digest: layer.digest, kind: 'blob' }],
      error: {
        step: 'verify',
        errorCode: 'BROKEN_UNREPAIRABLE',
        message: `team-c/lost:1 in Harbor lacks 1 of 3 blobs, and the source lacks it too: ${layer.digest}`,
      },
    });
    expect(writes()).toEqual([]);
  });
});

describe('what verify=blobs costs in requests to Harbor', () => {
  /** Requests to Harbor of one run over the sample tags, all whole in Harbor. */
  async function requestsOf(extra: Record<string, string>): Promise<RequestRecord[]> {
    harbor.resetRequests();
    const run = await sync(inputs({ 'dry-run': 'true', ...extra }));
    expect(run.result.items.map((i) => i.status)).toEqual(TAGS.map(() => 'skipped'));
    return [...harbor.requests];
  }

  it('a plain no-op asks for no blob; verify=blobs adds exactly one HEAD per (repository, digest)', async () => {
    const plain = await requestsOf({});
    expect(plain.filter((r) => r.kind === 'blob' || r.kind === 'manifest')).toEqual([]);

    const verify = await requestsOf({ verify: 'blobs' });
    const key = (r: RequestRecord) => `${r.method} ${r.kind} ${r.path}`;
    const added = [...verify];
    for (const r of plain) added.splice(added.map(key).indexOf(key(r)), 1);
    // Besides the answers, Harbor's /v2 login: the HEADs sent side by side before the client knew
    // Harbor wants a token are refused once (401: at most as many as the look's width, 4 × 4), and
    // they share one token per repository.
    const refused = added.filter((r) => r.status === 401);
    expect(refused.length).toBeLessThanOrEqual(16);
    expect(refused.every((r) => r.method === 'HEAD')).toBe(true);
    expect(added.filter((r) => r.kind === 'token')).toHaveLength(3);
    const extra = added.filter((r) => r.status !== 401 && r.kind !== 'token').map(key);
    // Each of the tags' unique blobs and manifests, per repository, once, by HEAD.
    const expected = [
      ...repositoryDigests('team-a/tools/worker', [samples.worker12, samples.worker13]),
      ...repositoryDigests('library/alpine', [samples.alpine]),
      ...repositoryDigests(
        'team-b/multi',
        samples.multi.children.map((c) => c.image),
        samples.multi.digest,
      ),
    ].sort();
    expect(extra.sort()).toEqual(expected);
  });
});

/** `HEAD blob /v2/<repo>/blobs/<digest>` and `HEAD manifest /v2/<repo>/manifests/<digest>` for each
 * unique blob and manifest of these images (and an index over them). */
function repositoryDigests(
  repository: string,
  images: { digest: string; blobs: { digest: string }[] }[],
  index?: string,
): string[] {
  const blobs = new Set(images.flatMap((i) => i.blobs.map((b) => b.digest)));
  const manifests = new Set([...images.map((i) => i.digest), ...(index ? [index] : [])]);
  return [
    ...[...blobs].map((d) => `HEAD blob /v2/${repository}/blobs/${d}`),
    ...[...manifests].map((d) => `HEAD manifest /v2/${repository}/manifests/${d}`),
  ];
}
