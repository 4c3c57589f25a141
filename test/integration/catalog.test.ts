// Whole-catalog sync against the real registry (catalog pages kept small so paging is exercised)
// and the Harbor double: selection rules, mapping rules and collisions, signatures following their
// subject, platform filtering, a config file, and a no-op re-run counted at the source.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import {
  buildImage,
  buildIndex,
  pushImage,
  pushIndex,
  seededBytes,
  sha256,
  toBlob,
  type BuiltImage,
  type BuiltIndex,
} from '../harness/images.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts';
import { runCli } from '../harness/run-bundle.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { loginEnv, syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

const REPOS = 130;
let registry: RunningRegistry;
let source: FaultProxy; // counts every request the source gets
const filtTags = ['1.0.0', '1.1.0', '1.2.0', '1.2.5', '1.3.0-rc1', '2.0.0', 'latest'];
let signed: BuiltImage;
let signature: BuiltImage;
let multi: BuiltIndex;

beforeAll(async () => {
  registry = await startRegistry({ catalogMaxEntries: 50 });
  const target = { url: registry.url };
  const base = seededBytes('catalog/base', 2048);
  for (let i = 0; i < REPOS; i++) {
    await pushImage(
      target,
      `cat/r-${String(i).padStart(3, '0')}`,
      '1.0',
      buildImage(`catalog/${i}`, { format: 'oci', sharedLayers: [base], layerSizes: [64] }),
    );
  }
  for (const tag of filtTags)
    await pushImage(target, 'filt/app', tag, buildImage(`filt/${tag}`, { layerSizes: [100] }));
  signed = buildImage('sig/app', { format: 'oci', layerSizes: [300] });
  await pushImage(target, 'sig/app', '1.0', signed);
  signature = buildImage('sig/app/signature', { format: 'oci', layerSizes: [50] });
  await pushImage(target, 'sig/app', `sha256-${signed.digest.slice(7)}.sig`, signature);
  const amd64 = { os: 'linux', architecture: 'amd64' };
  const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
  multi = buildIndex(
    'multi/app',
    [
      { image: buildImage('multi/amd64', { format: 'oci', platform: amd64 }), platform: amd64 },
      { image: buildImage('multi/arm64', { format: 'oci', platform: arm64 }), platform: arm64 },
    ],
    'oci',
  );
  await pushIndex(target, 'multi/app', '1.0', multi);
  await pushImage(target, 'mirror/a/x', '1', buildImage('mirror/a/x', { layerSizes: [10] }));
  await pushImage(target, 'mirror/b/x', '1', buildImage('mirror/b/x', { layerSizes: [11] }));
  source = await startFaultProxy(registry.url);
});
afterAll(async () => {
  await source?.stop();
  await registry?.stop();
});

const inputs = (harbor: HarborDouble, extra: Record<string, string>) => syncInputs(source.url, harbor, extra);

describe('catalog mode', () => {
  let harbor: HarborDouble;
  beforeAll(async () => {
    harbor = await startHarborDouble();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('walks every catalog page and migrates every selected repository', async () => {
    source.hits.length = 0;
    const run = await sync(inputs(harbor, { catalog: 'true', include: 'cat/**', concurrency: '8' }));
    expect(run.result.fatal).toBeUndefined();
    const migrated = run.byStatus('migrated').map((i) => i.source);
    expect(migrated).toHaveLength(REPOS);
    expect(migrated).toContain('cat/r-129:1.0');
    // n=1000 is refused (maxentries 50): then the registry's own pages, followed by Link.
    const catalogCalls = source.hits.filter((h) => h.path.startsWith('/v2/_catalog'));
    expect(catalogCalls.length).toBeGreaterThanOrEqual(1 + Math.ceil((REPOS + 5) / 50));
    // Everything else in the catalog is reported as left out, with the rule.
    expect(run.item('filt/app:*')).toMatchObject({ status: 'skipped', reason: 'filtered out: not in include' });
    expect(harbor.tagDigest('cat/r-000', '1.0')).toBeDefined();
  });

  it('a no-op re-run: one manifest HEAD per tag at the source, no blob or manifest GET anywhere', async () => {
    source.hits.length = 0;
    harbor.resetRequests();
    const run = await sync(inputs(harbor, { catalog: 'true', include: 'cat/**', concurrency: '8' }));
    expect(run.byStatus('skipped').filter((i) => i.reason === 'already in Harbor with the same digest')).toHaveLength(
      REPOS,
    );
    const atSource = source.hits.filter((h) => !h.path.startsWith('/v2/_catalog') && h.path !== '/v2/');
    expect(atSource.filter((h) => h.path.includes('/blobs/'))).toEqual([]);
    expect(atSource.filter((h) => h.method === 'GET' && h.path.includes('/manifests/'))).toEqual([]);
    expect(atSource.filter((h) => h.method === 'HEAD' && h.path.includes('/manifests/'))).toHaveLength(REPOS);
    expect(harbor.requests.filter((r) => r.kind === 'blob' || r.kind === 'upload' || r.kind === 'manifest')).toEqual(
      [],
    );
  });
});

describe('selection', () => {
  let harbor: HarborDouble;
  beforeAll(async () => {
    harbor = await startHarborDouble();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  const planned = async (extra: Record<string, string>) => {
    const run = await sync(inputs(harbor, { images: 'filt/app', 'dry-run': 'true', ...extra }));
    return {
      kept: run
        .byStatus('migrated')
        .map((i) => i.source.split(':')[1])
        .sort(),
      reasons: Object.fromEntries(run.byStatus('skipped').map((i) => [i.source.split(':')[1], i.reason])),
    };
  };

  it.each([
    [{ tags: '1\\.2\\..*' }, ['1.2.0', '1.2.5']],
    [{ 'exclude-tags': '.*-rc.*\nlatest' }, ['1.0.0', '1.1.0', '1.2.0', '1.2.5', '2.0.0']],
    [{ semver: '>=1.1 <2' }, ['1.1.0', '1.2.0', '1.2.5']],
    [{ semver: '>=1.1 <2', 'semver-include-prerelease': 'true' }, ['1.1.0', '1.2.0', '1.2.5', '1.3.0-rc1']],
    [{ latest: '2' }, ['1.2.5', '2.0.0']],
    [{ latest: '2', 'semver-include-prerelease': 'true' }, ['1.3.0-rc1', '2.0.0']],
    [{ latest: '2', 'exclude-tags': '.*-rc.*' }, ['1.2.5', '2.0.0']],
  ])('%o keeps %o and says why the rest was left out', async (filters, kept) => {
    const result = await planned(filters);
    expect(result.kept).toEqual(kept);
    const left = filtTags.filter((t) => !kept.includes(t));
    expect(Object.keys(result.reasons).sort()).toEqual(left.sort());
    for (const tag of left) expect(result.reasons[tag]).toMatch(/^filtered out: (tags|exclude-tags|semver|latest) /);
  });

  it('include and exclude patterns in catalog mode, each left-out repository reported once with its rule', async () => {
    const run = await sync(
      inputs(harbor, { catalog: 'true', include: 'cat/r-00*\n/^filt\\//', exclude: 'cat/r-001', 'dry-run': 'true' }),
    );
    const kept = [...new Set(run.byStatus('migrated').map((i) => i.source.split(':')[0]))].sort();
    expect(kept).toEqual([
      'cat/r-000',
      'cat/r-002',
      'cat/r-003',
      'cat/r-004',
      'cat/r-005',
      'cat/r-006',
      'cat/r-007',
      'cat/r-008',
      'cat/r-009',
      'filt/app',
    ]);
    expect(run.item('cat/r-001:*').reason).toBe('filtered out: exclude "cat/r-001"');
    expect(run.item('cat/r-010:*').reason).toBe('filtered out: not in include');
  });
});

describe('mapping, signatures, platforms, config file', () => {
  let harbor: HarborDouble;
  beforeAll(async () => {
    harbor = await startHarborDouble();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('mapping rules send a prefix to another project; two sources onto one target fail before anything is copied', async () => {
    const moved = await sync(inputs(harbor, { images: 'mirror/a/x:1', mappings: 'mirror/a => team-m' }));
    expect(moved.item('mirror/a/x:1')).toMatchObject({ status: 'migrated', target: 'team-m/x:1' });
    harbor.resetRequests();
    const clash = await sync(
      inputs(harbor, { images: 'mirror/a/x:1, mirror/b/x:1, filt/app:1.0.0', mappings: 'mirror => mirrors (flatten)' }),
    );
    for (const source of ['mirror/a/x:1', 'mirror/b/x:1']) {
      expect(clash.item(source)).toMatchObject({
        status: 'failed',
        target: 'mirrors/x:1',
        error: { step: 'config', errorCode: 'NAME_COLLISION' },
      });
    }
    expect(clash.item('filt/app:1.0.0').status).toBe('migrated');
    expect(harbor.requests.filter((r) => r.path.includes('/mirrors/'))).toEqual([]);
  });

  it('a Helm chart (an OCI artifact with its own media types) copies like an image, byte for byte', async () => {
    // What `helm push` writes: an OCI manifest whose config and layer carry Helm's media types.
    const config = toBlob(Buffer.from(JSON.stringify({ apiVersion: 'v2', name: 'demo', version: '0.1.0' })));
    const chart = toBlob(seededBytes('charts/demo-0.1.0.tgz', 1500));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: config.digest, size: config.size },
        layers: [
          { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: chart.digest, size: chart.size },
        ],
        annotations: { 'org.opencontainers.image.title': 'demo' },
      }),
    );
    const helm: BuiltImage = {
      manifest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(manifest),
      blobs: [config, chart],
    };
    await pushImage({ url: registry.url }, 'charts/demo', '0.1.0', helm);
    const run = await sync(inputs(harbor, { images: 'charts/demo:0.1.0' }));
    expect(run.item('charts/demo:0.1.0')).toMatchObject({ status: 'migrated', digest: helm.digest });
    const copied = await skopeoInspectRaw(`${harbor.host}/charts/demo:0.1.0`, { creds: harbor.admin });
    expect(copied.equals(manifest)).toBe(true);
    const again = await sync(inputs(harbor, { images: 'charts/demo:0.1.0' }));
    expect(again.item('charts/demo:0.1.0').status).toBe('skipped');
  });

  it('a cosign signature tag follows its subject, even when the tag filter would not select it', async () => {
    const run = await sync(inputs(harbor, { images: 'sig/app', tags: '1\\.0' }));
    const sigTag = `sha256-${signed.digest.slice(7)}.sig`;
    expect(run.item('sig/app:1.0').status).toBe('migrated');
    expect(run.item(`sig/app:${sigTag}`)).toMatchObject({ status: 'migrated', digest: signature.digest });
    expect(harbor.tagDigest('sig/app', sigTag)).toBe(signature.digest);
    cleanup = await startHarborDouble();
    const off = await sync(inputs(cleanup, { images: 'sig/app', 'include-signatures': 'false' }));
    expect(off.item(`sig/app:${sigTag}`)).toMatchObject({
      status: 'skipped',
      reason: 'signature or attestation (include-signatures: false)',
    });
    await cleanup?.stop();
  });

  it('platforms copies only those children into a new index, says the digest changed, and a re-run skips it', async () => {
    const run = await sync(inputs(harbor, { images: 'multi/app:1.0', platforms: 'linux/arm64' }));
    const item = run.item('multi/app:1.0');
    expect(item).toMatchObject({ status: 'migrated', sourceDigest: multi.digest, platforms: ['linux/arm64/v8'] });
    expect(item.digest).not.toBe(multi.digest);
    const raw = JSON.parse(
      (await skopeoInspectRaw(`${harbor.host}/multi/app:1.0`, { creds: harbor.admin })).toString(),
    );
    expect(raw.manifests.map((m: { digest: string }) => m.digest)).toEqual([multi.children[1]!.image.digest]);
    const again = await sync(inputs(harbor, { images: 'multi/app:1.0', platforms: 'linux/arm64' }));
    expect(again.item('multi/app:1.0').status).toBe('skipped');
  });

  it('a config file holds the inputs and rules; an explicit input overrides it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-config-'));
    const file = join(dir, 'harbor-sync.yml');
    await writeFile(
      file,
      [
        'version: 1',
        `source-registry: ${source.url}`,
        `harbor-url: ${harbor.url}`,
        'images:',
        '  - mirror/b/x:1',
        'mappings:',
        '  - { from: mirror/b, to: team-n }',
        'dry-run: true',
        '',
      ].join('\n'),
    );
    const run = await sync({
      'config-file': file,
      'harbor-username': harbor.admin.username,
      'harbor-password': harbor.admin.password,
      'dry-run': 'false',
    });
    expect(run.item('mirror/b/x:1')).toMatchObject({ status: 'migrated', target: 'team-n/x:1' });
    expect(run.result.dryRun).toBe(false);
    expect(harbor.tagDigest('team-n/x', '1')).toBeDefined();
  });
});

let cleanup: HarborDouble | undefined;

describe('sharding over runners', () => {
  let harbor: HarborDouble;
  let work: string;
  beforeAll(async () => {
    harbor = await startHarborDouble();
    work = await mkdtemp(join(tmpdir(), 'hs-shards-'));
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  const cli = (args: string[]) => runCli(args, { env: loginEnv() });
  const plan = (extra: string[]) =>
    cli([
      'plan',
      '--source-registry',
      source.url,
      '--harbor-url',
      harbor.url,
      '--catalog',
      'true',
      '--exclude',
      'cat/r-1*',
      '--quiet',
      ...extra,
    ]);
  const classes = (
    report: Record<string, { source: string; target: string; digest: string | null; reason?: string }[]>,
  ) =>
    Object.fromEntries(
      ['migrated', 'stale', 'incomplete', 'skipped', 'failed'].map((k) => [
        k,
        report[k]!.map((i) => `${i.source} ${i.target} ${i.digest} ${i.reason}`).sort(),
      ]),
    );

  it("shards are disjoint, cover everything, and their merged report equals a single runner's", async () => {
    expect((await plan(['--report-file', join(work, 'single.json')])).code).toBe(0);
    const shards = [1, 2, 3].map((i) => join(work, `shard-${i}.json`));
    for (const [i, file] of shards.entries())
      expect((await plan(['--shard', `${i + 1}/3`, '--report-file', file])).code).toBe(0);
    const reports = await Promise.all(shards.map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
    const sources = reports.map(
      (r) =>
        new Set(['migrated', 'skipped'].flatMap((k) => r[k].map((i: { source: string }) => i.source.split(':')[0]))),
    );
    for (let a = 0; a < 3; a++)
      for (let b = a + 1; b < 3; b++) expect([...sources[a]!].filter((s) => sources[b]!.has(s))).toEqual([]);
    expect(reports.every((r) => r.migrated.length > 0)).toBe(true); // the hash spreads repositories

    const merged = await cli([
      'report-merge',
      '--report-file',
      join(work, 'merged.json'),
      '--summary-file',
      join(work, 'merged.md'),
      '--junit-file',
      join(work, 'merged.xml'),
      '--html-file',
      join(work, 'merged.html'),
      '--metrics-file',
      join(work, 'merged.prom'),
      ...shards,
    ]);
    expect(merged.code).toBe(0);
    const single = JSON.parse(await readFile(join(work, 'single.json'), 'utf8'));
    const all = JSON.parse(await readFile(join(work, 'merged.json'), 'utf8'));
    expect(classes(all)).toEqual(classes(single));
    expect(all.totals).toMatchObject({
      migrated: single.totals.migrated,
      skipped: single.totals.skipped,
      tags: single.totals.tags,
    });
    // A blob shared by repositories of different shards is planned by each runner that needs it.
    expect(all.totals.bytesPlanned).toBeGreaterThanOrEqual(single.totals.bytesPlanned);
    expect(await readFile(join(work, 'merged.md'), 'utf8')).toBe(merged.stdout);
    // The merge writes every file a sync writes, from the merged model.
    const junit = await readFile(join(work, 'merged.xml'), 'utf8');
    expect(junit).toContain(`<testsuites name="harbor-sync" tests="${single.totals.tags}" failures="0" errors="0"`);
    const page = await readFile(join(work, 'merged.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/i);
    expect(page).toContain(`${single.totals.tags} tags`);
    const metrics = await readFile(join(work, 'merged.prom'), 'utf8');
    // Labelled with the shards merged: one series a scraper keeps apart from a shard's own.
    expect(metrics).toMatch(
      new RegExp(`^harbor_sync_tags\\{shard="merged [^"]+",class="migrated"\\} ${single.totals.migrated}$`, 'm'),
    );
    expect(metrics).toMatch(/^harbor_sync_exit_code\{shard="merged [^"]+"\} 0$/m);
  });

  it('report-merge refuses a file that is not a report', async () => {
    await writeFile(join(work, 'bogus.json'), '{"hello":1}');
    const run = await cli(['report-merge', join(work, 'bogus.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a harbor-sync report');
  });
});
