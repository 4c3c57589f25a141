// Nothing lost, and it shows: what Harbor keeps that the source no longer lists is reported as
// retained (and stays pullable), and Harbor settings that would refuse or later delete what is
// copied are said once per project. The real registry as the source (tags and repositories
// removed from its storage the way a cleanup would), the Harbor double, skopeo as the oracle.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { seedSamples, type SampleImages } from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { pushImage, buildImage } from '../harness/images.ts';
import { decideOutcome } from '../../src/report/outcome.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

let source: RunningRegistry;
let samples: SampleImages;

beforeAll(async () => {
  source = await startRegistry();
  samples = await seedSamples({ url: source.url });
});
afterAll(async () => {
  await source?.stop();
});

const repositoryDir = (repository: string) => join(source.storageDir, 'docker/registry/v2/repositories', repository);
/** What a cleanup leaves: the tag gone from the source's list, its manifest and blobs still on disk. */
const deleteTag = (repository: string, tag: string) =>
  rm(join(repositoryDir(repository), '_manifests/tags', tag), { recursive: true });

const inputs = (harbor: HarborDouble, extra: Record<string, string>) => syncInputs(source.url, harbor, extra);

describe('retained: tags and repositories only Harbor has now', () => {
  let harbor: HarborDouble;
  beforeAll(async () => {
    harbor = await startHarborDouble();
    const first = await sync(inputs(harbor, { catalog: 'true', include: 'team-a/**\nteam-b/multi' }));
    expect(first.byStatus('failed')).toEqual([]);
    expect(first.result.retained).toEqual([]);
    // Another team pushed into the shared project team-b directly: never ours to call retained.
    await pushImage(
      { url: `http://${harbor.host}`, auth: harbor.admin },
      'team-b/legacy',
      '1',
      buildImage('other-team', { format: 'oci', layerSizes: [512] }),
    );
    await deleteTag('team-a/tools/worker', '1.3');
    await rm(repositoryDir('team-b/multi'), { recursive: true });
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('a tag deleted at the source is retained, with its digest and push time, and still pulls byte-identical', async () => {
    harbor.resetRequests();
    const run = await sync(inputs(harbor, { images: 'team-a/tools/worker' }));
    expect(run.item('team-a/tools/worker:1.2').status).toBe('skipped');
    expect(run.result.retained).toEqual([
      {
        kind: 'tag',
        source: 'team-a/tools/worker:1.3',
        target: 'team-a/tools/worker:1.3',
        digest: samples.worker13.digest,
        pushedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    // No request per tag: one artifact listing for the repository, no manifest or blob request to Harbor.
    const listing = harbor.requests.filter((r) => r.path.includes('/artifacts'));
    expect(listing).toHaveLength(1);
    expect(harbor.requests.filter((r) => r.kind === 'manifest' || r.kind === 'blob' || r.kind === 'upload')).toEqual(
      [],
    );
    const kept = await skopeoInspectRaw(`${harbor.host}/team-a/tools/worker:1.3`, { creds: harbor.admin });
    expect(kept.equals(samples.worker13.manifest)).toBe(true);
    // Information, never a failure, whatever fail-on says.
    expect(decideOutcome(run.result, 'stale').ok).toBe(true);
  });

  it('a tag the filters leave out is out of scope, not retained', async () => {
    const run = await sync(inputs(harbor, { images: 'team-a/tools/worker', tags: '1\\.2' }));
    expect(run.result.retained).toEqual([]);
  });

  it("in catalog mode, a repository the catalog no longer lists is retained; another team's repository in the shared project is not ours", async () => {
    harbor.resetRequests();
    const run = await sync(inputs(harbor, { catalog: 'true', include: 'team-a/**\nteam-b/multi' }));
    expect(run.result.fatal).toBeUndefined();
    expect(run.result.retained).toEqual([
      {
        kind: 'tag',
        source: 'team-a/tools/worker:1.3',
        target: 'team-a/tools/worker:1.3',
        digest: samples.worker13.digest,
        pushedAt: expect.any(String),
      },
      // Harbor counts the index and each platform's image as artifacts.
      { kind: 'repository', source: 'team-b/multi', target: 'team-b/multi', artifacts: 3 },
    ]);
    // One repository listing per target project, not a request per tag or repository.
    const perProject = harbor.requests.filter((r) => /^\/api\/v2\.0\/projects\/[^/]+\/repositories$/.test(r.path));
    expect(perProject.map((r) => r.path).sort()).toEqual([
      '/api/v2.0/projects/team-a/repositories',
      '/api/v2.0/projects/team-b/repositories',
    ]);
    const report = (await import('../../src/report/json.ts')).buildReport(run.result, 'test');
    expect(report.totals.retained).toBe(2);
    expect(report.retained.map((r) => r.target)).toEqual(['team-a/tools/worker:1.3', 'team-b/multi']);
  });
});

describe('Harbor settings that would refuse or later delete what is copied', () => {
  let harbor: HarborDouble;
  beforeAll(async () => {
    harbor = await startHarborDouble();
  });
  afterAll(async () => {
    await harbor?.stop();
  });

  it('a proxy-cache target project fails its tags once, without a push request each, saying what to do', async () => {
    harbor.createProject('hub');
    harbor.setProxyCache('hub', 3);
    harbor.resetRequests();
    const run = await sync(
      inputs(harbor, {
        images: 'team-a/tools/worker:1.2, alpine:3.19',
        mappings: 'team-a => hub\nalpine => hub/alpine',
      }),
    );
    for (const source of ['team-a/tools/worker:1.2', 'alpine:3.19']) {
      expect(run.item(source)).toMatchObject({
        status: 'failed',
        error: {
          step: 'project',
          errorCode: 'PROXY_PROJECT',
          message: 'project hub is a proxy-cache project (it mirrors registry #3): Harbor refuses every push into it',
          hint: expect.stringContaining('map these images to a regular project'),
        },
      });
    }
    expect(harbor.requests.filter((r) => r.path.startsWith('/v2/hub/'))).toEqual([]);
    expect(harbor.requests.filter((r) => r.path === '/api/v2.0/projects/hub')).toHaveLength(1);
    expect(run.result.harborNotes).toEqual([
      { project: 'hub', kind: 'proxy-cache', message: expect.stringContaining('is a proxy-cache project') },
    ]);
  });

  it('a project with a tag-retention policy gets one note naming the policy; the run is fine', async () => {
    harbor.createProject('library');
    const id = harbor.setRetention('library', {
      algorithm: 'or',
      rules: [
        {
          id: 1,
          priority: 1,
          disabled: false,
          action: 'retain',
          template: 'latestPushedK',
          params: { latestPushedK: 10 },
          tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }],
          scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
        },
      ],
      trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
      scope: { level: 'project', ref: 1 },
    });
    const run = await sync(inputs(harbor, { images: 'alpine:3.19' }));
    expect(run.item('alpine:3.19').status).toBe('migrated');
    expect(decideOutcome(run.result, 'failed').ok).toBe(true);
    expect(run.result.harborNotes).toEqual([
      {
        project: 'library',
        kind: 'retention',
        message: `project library has a tag-retention policy, retention policy #${id} on schedule "0 0 0 * * *": retain the 10 most recently pushed artifacts of repositories ** (tags **): Harbor may delete migrated tags that fall outside it later; harbor-sync never deletes anything`,
      },
    ]);
  });

  it('an immutability rule that keeps a moved tag from re-pointing gets one line naming the rule', async () => {
    const first = await sync(inputs(harbor, { images: 'team-a/tools/worker:1.2' }));
    expect(first.item('team-a/tools/worker:1.2').status).toBe('migrated');
    harbor.setImmutable('team-a', /^1\.2$/, '1.2');
    const moved = buildImage('moved/worker', { format: 'docker', layerSizes: [700] });
    await pushImage({ url: source.url }, 'team-a/tools/worker', '1.2', moved);
    try {
      const run = await sync(inputs(harbor, { images: 'team-a/tools/worker:1.2' }));
      expect(run.item('team-a/tools/worker:1.2')).toMatchObject({
        status: 'failed',
        error: { errorCode: 'IMMUTABLE_TAG', status: 412 },
      });
      expect(run.result.harborNotes).toEqual([
        {
          project: 'team-a',
          kind: 'immutable',
          message: expect.stringContaining('project team-a has tag immutability rules (tags 1.2 of repositories **)'),
        },
      ]);
    } finally {
      await pushImage({ url: source.url }, 'team-a/tools/worker', '1.2', samples.worker12);
    }
  });
});
