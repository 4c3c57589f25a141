// Offline source (issue 6): storage made the real way (the distribution registry, and the
// pull-through cache that leaves stale and incomplete tags), then read from the directory and
// from a tarball with no server, into the Harbor double. The oracle is the same run over HTTP
// against the registry that wrote the storage, and skopeo reading Harbor back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { SOURCE_USER, startRegistry } from '../harness/registry.ts';
import { buildImage, pushImage, pushIndex, type BuiltImage } from '../harness/images.ts';
import {
  buildSamples,
  startSourceWithStale,
  seedSamples,
  STALE_REPO,
  PARTIAL_REPO,
  type StaleScenario,
  type SampleImages,
} from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { snapshotTree } from '../harness/storage-helpers.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { createStorageSource, openStorageSource, type StorageSource } from '../../src/registry/storage/open-storage.js';
import { storageLocation } from '../../src/sources/storage.js';
import { createRegistryClient } from '../../src/registry/distribution-client.js';
import { createHarborApi } from '../../src/harbor/api.js';
import { buildConfig } from '../../src/config/inputs.js';
import { runSync } from '../../src/sync/engine.js';
import { USER_AGENT } from '../../src/sync/clients.js';
import { buildReport } from '../../src/report/json.js';
import type { SyncConfig } from '../../src/model/config.js';
import type { SyncResult, TagResult } from '../../src/model/result.js';

const IMAGES = [
  'team-a/tools/worker',
  'alpine:3.19',
  'team-b/multi:1.0',
  `${STALE_REPO}:1`,
  `${PARTIAL_REPO}:1`,
  'nowhere/missing:1',
];

let scenario: StaleScenario;
let samples: SampleImages;
let storageDir: string;
let work: string;
let viaHttp: SyncResult;
const harbors: HarborDouble[] = [];

/** Built by buildConfig from named inputs, as the CLI does. */
async function config(
  sourceUrl: string,
  harbor: HarborDouble,
  credentials?: { username: string; password: string },
): Promise<SyncConfig> {
  const inputs = syncInputs(sourceUrl, harbor, { images: IMAGES.join('\n') });
  const built = await buildConfig((name) => inputs[name]);
  return { ...built, source: { ...built.source, ...(credentials && { credentials }) } };
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

async function syncFromStorage(
  url: string,
  harbor: HarborDouble,
): Promise<{ result: SyncResult; source: StorageSource }> {
  const source = await openStorageSource(storageLocation(url));
  const result = await runSync(await config(url, harbor), quiet, {
    source,
    harbor: createRegistryClient({ url: harbor.url, credentials: harbor.admin, userAgent: USER_AGENT }),
    api: createHarborApi({ url: harbor.url, credentials: harbor.admin, userAgent: USER_AGENT }),
  });
  return { result, source };
}

/** What must not depend on where the source was read from (blob upload/mount counts depend on timing). */
function classification(result: SyncResult): unknown[] {
  return result.items
    .map((i: TagResult) => [
      i.source,
      i.target,
      i.status,
      i.digest,
      i.mediaType,
      i.platforms,
      i.size,
      i.missing?.slice().sort(),
      i.reason,
      i.error?.step,
      i.error?.code,
    ])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

async function newHarbor(): Promise<HarborDouble> {
  const harbor = await startHarborDouble();
  harbors.push(harbor);
  return harbor;
}

async function expectHarborHoldsSamples(harbor: HarborDouble): Promise<void> {
  const target = (repo: string) => (repo.includes('/') ? repo : `library/${repo}`);
  const refs = [
    ...samples.refs.map((r) => ({ ref: `${target(r.repo)}:${r.tag}`, bytes: r.manifest })),
    ...samples.multi.children.map((c) => ({ ref: `team-b/multi@${c.image.digest}`, bytes: c.image.manifest })),
  ];
  await Promise.all(
    refs.map(async ({ ref, bytes }) => {
      const raw = await skopeoInspectRaw(`${harbor.host}/${ref}`, { creds: harbor.admin });
      expect(raw.equals(bytes), `${ref} in Harbor differs from what was pushed to the source`).toBe(true);
    }),
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hs-storage-it-'));
  scenario = await startSourceWithStale();
  samples = await seedSamples({ url: scenario.source.url, auth: SOURCE_USER });
  storageDir = scenario.source.storageDir;
  // The reference run: the same storage served by the registry, over HTTP.
  viaHttp = await runSync(await config(scenario.source.url, await newHarbor(), SOURCE_USER), quiet);
  await scenario.stop(); // from here on, no server reads or writes the storage
});
afterAll(async () => {
  await scenario?.stop();
  await Promise.allSettled(harbors.map((h) => h.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the reference run over HTTP', () => {
  it('has what the scenario promises: samples migrated, stale, incomplete, missing failed', () => {
    expect(viaHttp.fatal).toBeUndefined();
    const status = Object.fromEntries(viaHttp.items.map((i) => [i.source, i.status]));
    expect(status).toEqual({
      'team-a/tools/worker:1.2': 'migrated',
      'team-a/tools/worker:1.3': 'migrated',
      'alpine:3.19': 'migrated',
      'team-b/multi:1.0': 'migrated',
      'cache/stale:1': 'stale',
      'cache/partial:1': 'incomplete',
      'nowhere/missing:1': 'failed',
    });
  });
});

describe('from the storage directory, read-only', () => {
  let result: SyncResult;
  let harbor: HarborDouble;
  let before: string[];
  let after: string[];

  beforeAll(async () => {
    harbor = await newHarbor();
    execFileSync('chmod', ['-R', 'a-w', storageDir]);
    try {
      // Root ignores the mode bits, so also prove it: the tree is unchanged, metadata included.
      before = await snapshotTree(storageDir);
      const run = await syncFromStorage(`dir://${storageDir}`, harbor);
      result = run.result;
      after = await snapshotTree(storageDir);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', storageDir]);
    }
  });

  it('classifies every tag exactly as the HTTP run did', () => {
    expect(result.fatal).toBeUndefined();
    expect(classification(result)).toEqual(classification(viaHttp));
  });

  it('reports stale and incomplete with the same missing digests', () => {
    const partial = result.items.find((i) => i.source === `${PARTIAL_REPO}:1`)!;
    expect(partial.status).toBe('incomplete');
    expect(partial.missing?.slice().sort()).toEqual(scenario.images.partialMissing.map((b) => b.digest).sort());
    const stale = result.items.find((i) => i.source === `${STALE_REPO}:1`)!;
    expect(stale.status).toBe('stale');
    expect(stale.missing?.slice().sort()).toEqual(scenario.images.stale.blobs.map((b) => b.digest).sort());
    expect(harbor.tagDigest('cache/stale', '1')).toBeUndefined();
    expect(harbor.tagDigest('cache/partial', '1')).toBeUndefined();
  });

  it('Harbor holds the samples byte for byte, index children included', async () => {
    await expectHarborHoldsSamples(harbor);
  });

  it('wrote nothing into the source directory', () => {
    expect(after.length).toBeGreaterThan(20);
    expect(after).toEqual(before);
  });
});

describe('source-registry: dir:// as a user gives it', () => {
  it('runs the whole sync from the inputs alone, classifying as the HTTP run did', async () => {
    const harbor = await newHarbor();
    const result = await runSync(await config(`dir://${storageDir}`, harbor), quiet);
    expect(result.fatal).toBeUndefined();
    expect(classification(result)).toEqual(classification(viaHttp));
  });
});

describe('from a tarball of the storage directory', () => {
  it('classifies the same and migrates byte-identical; the extracted copy goes on close', async () => {
    const archive = join(work, 'registry.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', dirname(storageDir), basename(storageDir)]);
    const harbor = await newHarbor();
    const { result, source } = await syncFromStorage(`file://${archive}`, harbor);
    expect(result.fatal).toBeUndefined();
    expect(classification(result)).toEqual(classification(viaHttp));
    await expectHarborHoldsSamples(harbor);
    // runSync closed the source: its temp copy is gone.
    expect(() => execFileSync('test', ['-e', source.root])).toThrow();
  });

  it('an https?:// URL of a tarball is downloaded first, then migrated the same', async () => {
    const archive = join(work, 'served.tar');
    execFileSync('tar', ['-cf', archive, '-C', dirname(storageDir), basename(storageDir)]);
    const server = createServer((req, res) => {
      if (req.url !== '/backups/registry.tar') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      createReadStream(archive).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const harbor = await newHarbor();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backups/registry.tar`;
      const result = await runSync(await config(url, harbor), quiet);
      expect(result.fatal).toBeUndefined();
      expect(classification(result)).toEqual(classification(viaHttp));
      await expectHarborHoldsSamples(harbor);
    } finally {
      server.close();
    }
  });
});

describe('damaged storage', () => {
  it('a corrupt tag link and a damaged blob fail their tags with the file named; the rest migrates', async () => {
    const damaged = join(work, 'damaged');
    await cp(storageDir, damaged, { recursive: true });
    const v2 = join(damaged, 'docker/registry/v2');
    const tagLink = join(v2, 'repositories/alpine/_manifests/tags/3.19/current/link');
    await writeFile(tagLink, 'sha256:this-is-not-a-digest');
    const ownLayer = samples.worker12.blobs.at(-1)!; // worker 1.2's own layer, not shared
    const hex = ownLayer.digest.slice('sha256:'.length);
    const data = join(v2, 'blobs/sha256', hex.slice(0, 2), hex, 'data');
    // Same size, other bytes: caught while streaming, naming the file. (A file of another size is
    // refused by its size before streaming: storage-hostile.test.ts.)
    await writeFile(data, Buffer.alloc(ownLayer.data.length, 0));

    const harbor = await newHarbor();
    const { result } = await syncFromStorage(`dir://${damaged}`, harbor);
    expect(result.fatal).toBeUndefined();
    const item = (source: string) => result.items.find((i) => i.source === source)!;

    expect(item('alpine:3.19').status).toBe('failed');
    expect(item('alpine:3.19').error).toMatchObject({ step: 'discover', errorCode: 'STORAGE_CORRUPT' });
    expect(item('alpine:3.19').error?.message).toContain(tagLink);

    expect(item('team-a/tools/worker:1.2').status).toBe('failed');
    expect(item('team-a/tools/worker:1.2').error?.step).toBe('blob');
    expect(item('team-a/tools/worker:1.2').error?.message).toContain(data);
    expect(harbor.tagDigest('team-a/tools/worker', '1.2')).toBeUndefined();

    for (const ok of ['team-a/tools/worker:1.3', 'team-b/multi:1.0']) expect(item(ok).status).toBe('migrated');
    expect(item(`${STALE_REPO}:1`).status).toBe('stale');
  });
});

describe('a path without storage', () => {
  it('stops the run in preflight with one clear error naming the path', async () => {
    const harbor = harbors[0]!;
    const url = `dir://${join(work, 'not-a-registry')}`;
    const result = await runSync(await config(url, harbor), quiet, {
      source: createStorageSource(storageLocation(url)),
      harbor: createRegistryClient({ url: harbor.url, credentials: harbor.admin, userAgent: USER_AGENT }),
      api: createHarborApi({ url: harbor.url, credentials: harbor.admin, userAgent: USER_AGENT }),
    });
    expect(result.items).toEqual([]);
    expect(result.fatal).toMatchObject({ step: 'storage', errorCode: 'STORAGE_MISSING' });
    expect(result.fatal?.message).toContain(join(work, 'not-a-registry'));
    expect(result.fatal?.message).toMatch(/does not exist/);
  });
});

describe('include-untagged: the manifest a re-pointed tag left behind', () => {
  // Made by the real registry: `repointed/app:1` pushed as `old`, then as `current`, so `old` is
  // only a revision now. Also a tagged index (its children are revisions no tag names) and a
  // repository only ever pushed to by digest (no tags directory at all).
  const UNTAGGED_IMAGES = 'repointed/app\nrepointed/multi\ndigest-only/app';
  let dir: string;
  let old: BuiltImage;
  let current: BuiltImage;
  let pushedByDigest: BuiltImage;
  const multi = buildSamples().multi;

  beforeAll(async () => {
    old = buildImage('untagged/old', { format: 'oci', layerSizes: [3000] });
    current = buildImage('untagged/current', { format: 'docker', layerSizes: [2000] });
    pushedByDigest = buildImage('untagged/digest-only', { format: 'oci', layerSizes: [1000] });
    const registry = await startRegistry();
    try {
      await pushImage({ url: registry.url }, 'repointed/app', '1', old);
      await pushImage({ url: registry.url }, 'repointed/app', '1', current);
      await pushIndex({ url: registry.url }, 'repointed/multi', '1.0', multi);
      await pushImage({ url: registry.url }, 'digest-only/app', pushedByDigest.digest, pushedByDigest);
    } finally {
      await registry.stop();
    }
    dir = registry.storageDir;
    // The premise, as the registry left it: the tag names `current`, `old` is still a revision.
    const source = await openStorageSource(storageLocation(`dir://${dir}`));
    expect((await source.headManifest('repointed/app', '1'))?.digest).toBe(current.digest);
    expect(await source.listRevisions('repointed/app')).toContain(old.digest);
    await source.close();
  });

  async function run(url: string, harbor: HarborDouble, includeUntagged?: string): Promise<SyncResult> {
    const inputs = syncInputs(url, harbor, {
      images: UNTAGGED_IMAGES,
      ...(includeUntagged && { 'include-untagged': includeUntagged }),
    });
    return await runSync(await buildConfig((name) => inputs[name]), quiet);
  }
  const statuses = (result: SyncResult) => Object.fromEntries(result.items.map((i) => [i.source, i.status]));

  it('true: copies them by digest, byte-identical, each reported as repo@sha256:…; index children go with their index', async () => {
    const harbor = await newHarbor();
    const result = await run(`dir://${dir}`, harbor, 'true');
    expect(result.fatal).toBeUndefined();
    expect(statuses(result)).toEqual({
      'repointed/app:1': 'migrated',
      [`repointed/app@${old.digest}`]: 'migrated',
      'repointed/multi:1.0': 'migrated',
      [`digest-only/app@${pushedByDigest.digest}`]: 'migrated',
    });
    const report = buildReport(result, 'test');
    expect(report.migrated).toContainEqual(
      expect.objectContaining({
        source: `repointed/app@${old.digest}`,
        target: `repointed/app@${old.digest}`,
        digest: old.digest,
      }),
    );
    expect(harbor.tagDigest('repointed/app', '1')).toBe(current.digest);
    const pulled = (ref: string) => skopeoInspectRaw(`${harbor.host}/${ref}`, { creds: harbor.admin });
    expect((await pulled(`repointed/app@${old.digest}`)).equals(old.manifest)).toBe(true);
    expect((await pulled(`digest-only/app@${pushedByDigest.digest}`)).equals(pushedByDigest.manifest)).toBe(true);
    for (const child of multi.children)
      expect((await pulled(`repointed/multi@${child.image.digest}`)).equals(child.image.manifest)).toBe(true);

    // Run again: Harbor has that digest now, so it is skipped like any tag it already holds.
    const again = await run(`dir://${dir}`, harbor, 'true');
    expect(again.items.find((i) => i.source === `repointed/app@${old.digest}`)).toMatchObject({
      status: 'skipped',
      reason: 'already in Harbor with the same digest',
    });
  });

  it('default false: only the tags are copied; Harbor never gets the untagged manifest', async () => {
    const harbor = await newHarbor();
    const result = await run(`dir://${dir}`, harbor);
    expect(result.fatal).toBeUndefined();
    expect(statuses(result)).toEqual({
      'repointed/app:1': 'migrated',
      'repointed/multi:1.0': 'migrated',
      'digest-only/app:*': 'failed', // no tags: as before, a declared repository without tags fails
    });
    await expect(
      skopeoInspectRaw(`${harbor.host}/repointed/app@${old.digest}`, { creds: harbor.admin }),
    ).rejects.toThrow(/not found|manifest unknown/i);
  });

  it('from a tarball the same', async () => {
    const archive = join(work, 'repointed.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', dirname(dir), basename(dir)]);
    const harbor = await newHarbor();
    const result = await run(`file://${archive}`, harbor, 'true');
    expect(statuses(result)[`repointed/app@${old.digest}`]).toBe('migrated');
    expect(
      (await skopeoInspectRaw(`${harbor.host}/repointed/app@${old.digest}`, { creds: harbor.admin })).equals(
        old.manifest,
      ),
    ).toBe(true);
  });
});
