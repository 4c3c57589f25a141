// Syncing as a Harbor system robot, the way users are told to run harbor-sync (project create,
// push and pull on every project): into the Harbor double, with such a robot set up in it, or, in
// .github/workflows/e2e-harbor.yml, into a real Harbor as the robot that workflow creates
// (HARBOR_E2E_ROBOT_USERNAME/PASSWORD, test/harness/harbor-target.ts). The real registry is the
// source; skopeo, logged in as the robot, is the oracle.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { seedSamples, type SampleImages } from '../harness/scenarios.ts';
import { REAL_HARBOR, startHarborTarget, type Credentials, type HarborTarget } from '../harness/harbor-target.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

const DOUBLE_ROBOT = { name: 'sync-e2e', secret: 'Robot-Secret-e2e-1' };

let source: RunningRegistry;
let samples: SampleImages;
let harbor: HarborTarget;
let robot: Credentials;
/** A project no test has used, on this Harbor or an earlier run against it: the robot creates it. */
const project = `robot-${Date.now().toString(36)}${Math.floor(Math.random() * 1296)
  .toString(36)
  .padStart(2, '0')}`;

beforeAll(async () => {
  source = await startRegistry();
  samples = await seedSamples({ url: source.url });
  // Against a real Harbor its robots are not the tests' to make: the workflow made one.
  harbor = REAL_HARBOR
    ? await startHarborTarget()
    : await startHarborTarget({
        robots: [
          {
            name: DOUBLE_ROBOT.name,
            secret: DOUBLE_ROBOT.secret,
            permissions: [{ project: '*', actions: ['pull', 'push'] }],
            canCreateProjects: true,
          },
        ],
      });
  if (harbor.robot) robot = harbor.robot;
  else if (!REAL_HARBOR) robot = { username: `robot$${DOUBLE_ROBOT.name}`, password: DOUBLE_ROBOT.secret };
  else
    throw new Error(
      'HARBOR_E2E_URL is set, HARBOR_E2E_ROBOT_USERNAME/PASSWORD are not: this file syncs as a system robot with project create and push/pull on all projects',
    );
});
afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
});

function asRobot(extra: Record<string, string>): Record<string, string> {
  return syncInputs(
    source.url,
    harbor,
    // Into the robot's own new project: team-a/tools/worker → <project>/tools/worker.
    { mappings: `team-a => ${project}\nteam-b => ${project}`, ...extra },
    { as: robot },
  );
}

describe('a system robot account', () => {
  it('creates the project (private) and migrates byte-identical, an index with its children', async () => {
    const run = await sync(asRobot({ images: 'team-a/tools/worker:1.2\nteam-b/multi:1.0' }));
    expect(run.result.fatal).toBeUndefined();
    expect(run.result.items.map((i) => [i.source, i.target, i.status]).sort()).toEqual([
      ['team-a/tools/worker:1.2', `${project}/tools/worker:1.2`, 'migrated'],
      ['team-b/multi:1.0', `${project}/multi:1.0`, 'migrated'],
    ]);
    expect(run.result.projectsCreated).toEqual([project]);
    expect((await harbor.projects()).filter((p) => p.name === project)).toEqual([{ name: project, public: false }]);

    // What the robot pushed, read back as the robot and as Harbor's admin sees it.
    const worker = await skopeoInspectRaw(`${harbor.host}/${project}/tools/worker:1.2`, { creds: robot });
    expect(worker.equals(samples.worker12.manifest)).toBe(true);
    const multi = await skopeoInspectRaw(`${harbor.host}/${project}/multi:1.0`, { creds: robot });
    expect(multi.equals(samples.multi.manifest)).toBe(true);
    for (const child of samples.multi.children) {
      const pulled = await skopeoInspectRaw(`${harbor.host}/${project}/multi@${child.image.digest}`, { creds: robot });
      expect(pulled.equals(child.image.manifest)).toBe(true);
    }
    expect(await harbor.tagDigest(`${project}/tools/worker`, '1.2')).toBe(samples.worker12.digest);
  });

  it('re-run as the robot: everything skipped, already in Harbor', async () => {
    const run = await sync(asRobot({ images: 'team-a/tools/worker:1.2\nteam-b/multi:1.0' }));
    expect(run.result.fatal).toBeUndefined();
    expect(run.result.items.map((i) => [i.source, i.status, i.reason])).toEqual(
      expect.arrayContaining([
        ['team-a/tools/worker:1.2', 'skipped', 'already in Harbor with the same digest'],
        ['team-b/multi:1.0', 'skipped', 'already in Harbor with the same digest'],
      ]),
    );
    expect(run.result.items).toHaveLength(2);
    expect(run.result.projectsCreated).toEqual([]);
  });
});
