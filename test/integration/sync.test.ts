// End to end against real servers: the distribution registry as the source (basic auth, with a
// stale and an incomplete tag made through a pull-through cache) and the Harbor double (the real
// registry with token auth behind a Harbor-core double), or a real Harbor when HARBOR_E2E_URL is
// set (test/harness/harbor-target.ts). skopeo is the independent oracle.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SOURCE_USER } from '../harness/registry.ts';
import { startSourceWithStale, seedSamples, type StaleScenario, type SampleImages } from '../harness/scenarios.ts';
import type { HarborDouble } from '../harness/harbor-double/index.ts';
import { REAL_HARBOR, startHarborTarget, type HarborTarget } from '../harness/harbor-target.ts';
import { buildImage, pushImage } from '../harness/images.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { syncInputs, type Login } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

let scenario: StaleScenario;
let samples: SampleImages;
const sourceCreds = SOURCE_USER;

beforeAll(async () => {
  scenario = await startSourceWithStale();
  samples = await seedSamples({ url: scenario.source.url, auth: sourceCreds });
});
afterAll(async () => {
  await scenario?.stop();
});

/** A sync from the scenario's source (with its login) into `harbor`, as its admin unless `as`. */
function inputs(harbor: HarborTarget, extra: Record<string, string> = {}, as?: Login): Record<string, string> {
  return syncInputs(scenario.source.url, harbor, extra, { source: sourceCreds, as });
}

async function expectSameManifest(sourceRef: string, harborRef: string, harbor: HarborTarget): Promise<void> {
  const fromSource = await skopeoInspectRaw(`${scenario.source.host}/${sourceRef}`, { creds: sourceCreds });
  const fromHarbor = await skopeoInspectRaw(`${harbor.host}/${harborRef}`, { creds: harbor.admin });
  expect(fromHarbor.equals(fromSource), `${harborRef} differs from the source's ${sourceRef}`).toBe(true);
}

const writes = (h: HarborDouble) => h.requests.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));

/** A Harbor project name no test has used, in this run or an earlier one against the same Harbor. */
function freshProject(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296)
    .toString(36)
    .padStart(2, '0')}`;
}

/** The double, for a test only it can answer (skipped against a real Harbor). */
function double(harbor: HarborTarget): HarborDouble {
  if (!harbor.double) throw new Error('this test needs the Harbor double');
  return harbor.double;
}

describe('a declared list into a fresh Harbor', () => {
  let harbor: HarborTarget;
  beforeAll(async () => {
    harbor = await startHarborTarget();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('migrates every listed tag byte-identical, creating the projects (private)', async () => {
    // It creates the projects it names that Harbor lacks: a real Harbor starts with its public
    // project library (and may hold others), the double with none.
    const before = new Set((await harbor.projects()).map((p) => p.name));
    const run = await sync(inputs(harbor, { images: 'team-a/tools/worker:1.2\nalpine:3.19, team-b/multi:1.0' }));
    expect(run.result.fatal).toBeUndefined();
    expect(run.result.items.map((i) => [i.source, i.target, i.status]).sort()).toEqual([
      ['alpine:3.19', 'library/alpine:3.19', 'migrated'],
      ['team-a/tools/worker:1.2', 'team-a/tools/worker:1.2', 'migrated'],
      ['team-b/multi:1.0', 'team-b/multi:1.0', 'migrated'],
    ]);
    await expectSameManifest('team-a/tools/worker:1.2', 'team-a/tools/worker:1.2', harbor);
    await expectSameManifest('alpine:3.19', 'library/alpine:3.19', harbor);
    expect(run.item('team-a/tools/worker:1.2').digest).toBe(samples.worker12.digest);
    expect(run.result.projectsCreated.sort()).toEqual(['library', 'team-a', 'team-b'].filter((p) => !before.has(p)));
    const projects = (await harbor.projects()).map((p) => [p.name, p.public]).sort();
    if (harbor.double) {
      expect(projects).toEqual([
        ['library', false],
        ['team-a', false],
        ['team-b', false],
      ]);
    } else {
      expect(projects.filter(([name]) => name === 'team-a' || name === 'team-b')).toEqual([
        ['team-a', false],
        ['team-b', false],
      ]);
    }
  });

  it.skipIf(REAL_HARBOR)(
    'sent each blob over the wire once: the base layer shared by two repositories was mounted',
    async () => {
      const unique = new Set(
        [
          ...samples.worker12.blobs,
          ...samples.alpine.blobs,
          ...samples.multi.children.flatMap((c) => c.image.blobs),
        ].map((b) => b.digest),
      );
      const { requests } = double(harbor);
      const uploads = requests.filter((r) => r.kind === 'upload' && r.method === 'PUT' && r.status === 201);
      expect(uploads).toHaveLength(unique.size);
      const mounts = requests.filter((r) => r.kind === 'upload' && r.method === 'POST' && r.status === 201);
      expect(mounts).toHaveLength(1);
    },
  );

  it('copies a multi-arch index with all its children, pullable by digest', async () => {
    await expectSameManifest('team-b/multi:1.0', 'team-b/multi:1.0', harbor);
    for (const child of samples.multi.children) {
      await expectSameManifest(`team-b/multi@${child.image.digest}`, `team-b/multi@${child.image.digest}`, harbor);
    }
    const item = (await sync(inputs(harbor, { images: 'team-b/multi:1.0', 'dry-run': 'true' }))).item(
      'team-b/multi:1.0',
    );
    expect(item.status).toBe('skipped');
  });

  it('re-run: everything skipped', async () => {
    const run = await sync(inputs(harbor, { images: 'team-a/tools/worker:1.2\nalpine:3.19, team-b/multi:1.0' }));
    expect(run.result.items.map((i) => i.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(run.result.items.every((i) => i.reason === 'already in Harbor with the same digest')).toBe(true);
  });

  it.skipIf(REAL_HARBOR)('re-run: not one blob, manifest or write request reaches Harbor', async () => {
    const double_ = double(harbor);
    double_.resetRequests();
    const run = await sync(inputs(harbor, { images: 'team-a/tools/worker:1.2\nalpine:3.19, team-b/multi:1.0' }));
    expect(run.result.items.map((i) => i.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(double_.requests.filter((r) => r.kind === 'blob' || r.kind === 'upload')).toEqual([]);
    // One artifact listing per repository answers for all its tags: no manifest requests either.
    expect(double_.requests.filter((r) => r.kind === 'manifest')).toEqual([]);
    expect(writes(double_)).toEqual([]);
  });

  it('a whole repository expands to all its tags; a blob Harbor already has in the repository is not sent again', async () => {
    const run = await sync(inputs(harbor, { images: 'team-a/tools/worker' }));
    expect(run.item('team-a/tools/worker:1.2').status).toBe('skipped');
    const migrated = run.item('team-a/tools/worker:1.3');
    expect(migrated.status).toBe('migrated');
    // worker:1.3 shares its base layer with 1.2, already in this Harbor repository.
    expect(migrated.blobs).toMatchObject({ total: 4, existing: 1, uploaded: 3 });
    await expectSameManifest('team-a/tools/worker:1.3', 'team-a/tools/worker:1.3', harbor);
  });

  it('re-points a tag that moved at the source, and keeps the old artifact pullable by digest', async () => {
    const moved = buildImage('moved/worker/1.2', { format: 'docker', layerSizes: [2048] });
    await pushImage({ url: scenario.source.url, auth: sourceCreds }, 'team-a/tools/worker', '1.2', moved);
    const run = await sync(inputs(harbor, { images: 'team-a/tools/worker:1.2' }));
    const item = run.item('team-a/tools/worker:1.2');
    expect(item).toMatchObject({ status: 'migrated', digest: moved.digest, previousDigest: samples.worker12.digest });
    expect(await harbor.tagDigest('team-a/tools/worker', '1.2')).toBe(moved.digest);
    const old = await skopeoInspectRaw(`${harbor.host}/team-a/tools/worker@${samples.worker12.digest}`, {
      creds: harbor.admin,
    });
    expect(old.equals(samples.worker12.manifest)).toBe(true);
    // put the source back for the other tests
    await pushImage({ url: scenario.source.url, auth: sourceCreds }, 'team-a/tools/worker', '1.2', samples.worker12);
  });
});

describe('stale and incomplete tags from a pull-through cache', () => {
  let harbor: HarborTarget;
  beforeAll(async () => {
    harbor = await startHarborTarget();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('are classified, list their missing blobs, and nothing of them is written to Harbor', async () => {
    const run = await sync(inputs(harbor, { images: 'cache/stale:1, cache/partial:1, alpine:3.19' }));
    const stale = run.item('cache/stale:1');
    expect(stale).toMatchObject({ status: 'stale', digest: scenario.images.stale.digest });
    expect(stale.missing?.sort()).toEqual(scenario.images.stale.blobs.map((b) => b.digest).sort());
    const partial = run.item('cache/partial:1');
    expect(partial).toMatchObject({ status: 'incomplete', digest: scenario.images.partial.digest });
    expect(partial.missing?.sort()).toEqual(scenario.images.partialMissing.map((b) => b.digest).sort());
    expect(run.item('alpine:3.19').status).toBe('migrated');
    expect(await harbor.tagDigest('cache/stale', '1')).toBeUndefined();
    expect(await harbor.tagDigest('cache/partial', '1')).toBeUndefined();
    // A real Harbor has projects of its own: what matters is that no project cache was made.
    expect((await harbor.projects()).map((p) => p.name)).not.toContain('cache');
    expect(run.logs.some((l) => l.startsWith('warning: stale') && l.includes('cache/stale:1'))).toBe(true);
  });

  it.skipIf(REAL_HARBOR)('not one request about them reaches Harbor', async () => {
    const double_ = double(harbor);
    double_.resetRequests();
    const run = await sync(inputs(harbor, { images: 'cache/stale:1, cache/partial:1' }));
    expect(run.result.items.map((i) => i.status).sort()).toEqual(['incomplete', 'stale']);
    expect(double_.requests.filter((r) => r.path.includes('/cache/'))).toEqual([]);
  });
});

describe('Harbor projects and credentials', () => {
  let harbor: HarborTarget;
  beforeAll(async () => {
    harbor = await startHarborTarget();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('with create-projects false, a missing project fails its tags clearly and nothing is created', async () => {
    // A project no test creates, so a real Harbor that earlier runs left things in cannot have it.
    const missing = freshProject('absent');
    const run = await sync(
      inputs(harbor, {
        images: 'team-a/tools/worker:1.2',
        mappings: `team-a => ${missing}`,
        'create-projects': 'false',
      }),
    );
    expect(run.item('team-a/tools/worker:1.2')).toMatchObject({
      status: 'failed',
      error: {
        step: 'project',
        message: `project ${missing} does not exist in Harbor`,
        hint: expect.stringContaining('create-projects: true'),
      },
    });
    const projects = await harbor.projects();
    if (harbor.double) expect(projects).toEqual([]);
    else expect(projects.map((p) => p.name)).not.toContain(missing); // a real Harbor has projects of its own
  });

  it('a wrong Harbor password is one clear error, before any tag', async () => {
    const run = await sync(
      inputs(harbor, { images: 'team-a/tools/worker:1.2, alpine:3.19', 'harbor-password': 'wrong-password' }),
    );
    expect(run.result.items).toEqual([]);
    expect(run.result.fatal).toMatchObject({
      step: 'auth',
      errorCode: 'CREDENTIALS_REJECTED',
      status: 401,
      message: `Harbor at ${harbor.host} rejected the credentials of user "${harbor.admin.username}" (401 UNAUTHORIZED)`,
    });
    expect(run.logs.filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(JSON.stringify(run)).not.toContain('wrong-password');
  });

  it('a name Harbor cannot take is refused before anything is copied, naming the image and the rule', async () => {
    const run = await sync(inputs(harbor, { images: 'alpine:3.19\nmy__team/app:1' }));
    expect(run.result.items).toEqual([]);
    expect(run.result.fatal?.step).toBe('config');
    expect(run.result.fatal?.message).toContain(
      'images line 2 (my__team/app): Harbor project name "my__team" (from "my__team/app") breaks Harbor\'s rule ^[a-z0-9]+(?:[._-][a-z0-9]+)*$',
    );
  });

  it.skipIf(REAL_HARBOR)('a name Harbor cannot take: not one request reaches Harbor', async () => {
    const double_ = double(harbor);
    double_.resetRequests();
    const run = await sync(inputs(harbor, { images: 'alpine:3.19\nmy__team/app:1' }));
    expect(run.result.fatal?.step).toBe('config');
    expect(double_.requests).toEqual([]);
  });

  it('a wrong source password is one clear error too', async () => {
    const run = await sync(inputs(harbor, { images: 'alpine:3.19', 'source-password': 'nope-nope' }));
    expect(run.result.fatal).toMatchObject({
      step: 'auth',
      errorCode: 'CREDENTIALS_REJECTED',
      status: 401,
      message: `the source registry ${scenario.source.host} rejected the credentials of user "${sourceCreds.username}"`,
    });
  });
});

// Robot accounts are set up in the double; a real Harbor's are not the tests' to make.
describe.skipIf(REAL_HARBOR)('Harbor robot accounts', () => {
  let harbor: HarborTarget;
  beforeAll(async () => {
    harbor = await startHarborTarget({
      robots: [
        {
          name: 'sync',
          secret: 'Robot-Secret-1',
          permissions: [{ project: '*', actions: ['pull', 'push'] }],
          canCreateProjects: true,
        },
        {
          name: 'creator',
          secret: 'Robot-Secret-2',
          permissions: [{ project: 'library', actions: ['pull', 'push'] }],
          canCreateProjects: true,
        },
      ],
    });
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('a system robot account creates the project and pushes (public visibility honoured)', async () => {
    const run = await sync(
      inputs(
        harbor,
        { images: 'team-b/multi:1.0', 'project-visibility': 'public' },
        { username: 'robot$sync', password: 'Robot-Secret-1' },
      ),
    );
    expect(run.item('team-b/multi:1.0').status).toBe('migrated');
    expect((await harbor.projects()).find((p) => p.name === 'team-b')?.public).toBe(true);
    await expectSameManifest('team-b/multi:1.0', 'team-b/multi:1.0', harbor);
  });

  it('a robot that may create a project but not push to it gets told so (Harbor #15461)', async () => {
    const run = await sync(
      inputs(harbor, { images: 'team-a/tools/worker:1.3' }, { username: 'robot$creator', password: 'Robot-Secret-2' }),
    );
    const item = run.item('team-a/tools/worker:1.3');
    expect(item.status).toBe('failed');
    expect(item.error).toMatchObject({ status: 401 });
    expect(item.error?.hint).toContain('project team-a was created, but "robot$creator" cannot push to it');
  });
});

describe('dry run', () => {
  let harbor: HarborTarget;
  beforeAll(async () => {
    harbor = await startHarborTarget();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('classifies every tag as the real run would and writes nothing, not even projects', async () => {
    // Into projects no test has pushed to. A real Harbor keeps the blobs of a repository deleted
    // through its API until garbage collection, still linked to the project: in library or team-a,
    // where the tests above pushed the same images, the dry run's blob HEADs would find them and
    // the figures below would come out short. In a project that does not exist yet, nothing is.
    const lib = freshProject('dry-lib');
    const team = freshProject('dry-team');
    const run = await sync(
      inputs(harbor, {
        images: 'team-a/tools/worker, alpine:3.19, cache/stale:1',
        mappings: `team-a => ${team}`,
        'default-project': lib,
        'dry-run': 'true',
      }),
    );
    expect(run.result.dryRun).toBe(true);
    expect(run.result.items.map((i) => [i.source, i.target, i.status]).sort()).toEqual([
      ['alpine:3.19', `${lib}/alpine:3.19`, 'migrated'],
      ['cache/stale:1', 'cache/stale:1', 'stale'],
      ['team-a/tools/worker:1.2', `${team}/tools/worker:1.2`, 'migrated'],
      ['team-a/tools/worker:1.3', `${team}/tools/worker:1.3`, 'migrated'],
    ]);
    expect(run.item('alpine:3.19').reason).toBe(
      `would upload up to ${(samples.alpine.blobs.reduce((n, b) => n + b.size, 0) / 1000).toFixed(1)} kB and create project ${lib}`,
    );
    // Bytes that would move: every blob once, the base layer shared by both worker tags counted once.
    const unique = new Map(
      [...samples.alpine.blobs, ...samples.worker12.blobs, ...samples.worker13.blobs].map((b) => [b.digest, b.size]),
    );
    expect(run.result.bytesPlanned).toBe([...unique.values()].reduce((n, s) => n + s, 0));
    const projects = await harbor.projects();
    if (harbor.double) {
      expect(writes(harbor.double)).toEqual([]);
      expect(projects).toEqual([]);
    } else {
      // A real Harbor has projects of its own.
      expect(projects.map((p) => p.name)).not.toContain(lib);
      expect(projects.map((p) => p.name)).not.toContain(team);
    }
  });
});
