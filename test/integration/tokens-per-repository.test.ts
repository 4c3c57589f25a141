// Harbor's tokens against the real registry in token-auth mode behind the Harbor double: a mount
// needs pull on its source besides push on its target (docs/harbor.md §6), so a catalog whose
// repositories share a base layer would take two tokens per repository, one for its uploads and
// one for its mount. Each push token also asks pull on the run's recent mount sources: one token
// per repository, and the registry accepts the mounts it authorizes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage, pushImage, seededBytes, type BuiltImage } from '../harness/images.ts';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { skopeoCopy } from '../harness/skopeo.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { sync } from './helpers.ts';

const REPOSITORIES = 12;
/** Repositories in two projects: the mounts cross projects as well. */
const repository = (n: number) => `${n % 2 ? 'team-a' : 'team-b'}/app-${n}`;

let source: RunningRegistry;
let harbor: HarborDouble;
const images = new Map<string, BuiltImage>();

beforeAll(async () => {
  source = await startRegistry();
  harbor = await startHarborDouble();
  const base = seededBytes('tokens/base-layer', 4096);
  for (let n = 0; n < REPOSITORIES; n++) {
    const image = buildImage(`tokens/app-${n}`, { sharedLayers: [base], layerSizes: [1024] });
    images.set(repository(n), image);
    await pushImage({ url: source.url }, repository(n), '1.0', image);
  }
});
afterAll(async () => {
  await harbor?.stop();
  await source?.stop();
});

describe('one Harbor token per repository', () => {
  it('mounts the shared base layer into every other repository, with one token each', async () => {
    const list = [...images.keys()].map((r) => `${r}:1.0`).join('\n');
    // One repository at a time, so that which of them learns the mount source is known.
    const run = await sync(syncInputs(source.url, harbor, { images: list, concurrency: '1' }));
    expect(run.result.fatal).toBeUndefined();
    expect(run.result.items.map((i) => i.status)).toEqual([...images.keys()].map(() => 'migrated'));
    const requests = [...harbor.requests];
    // Every image pulls whole from Harbor, each blob checked against its digest (skopeo).
    const pulled = await mkdtemp(join(tmpdir(), 'hs-tokens-'));
    try {
      for (const [repo, image] of images) {
        const dir = join(pulled, repo.replace('/', '-'));
        await skopeoCopy(`${harbor.host}/${repo}:1.0`, `dir:${dir}`, { srcCreds: harbor.admin });
        expect((await readFile(join(dir, 'manifest.json'))).equals(image.manifest)).toBe(true);
      }
    } finally {
      await rm(pulled, { recursive: true, force: true });
    }
    // The base layer went over the wire once; every other repository mounted it.
    const mounts = requests.filter((r) => r.kind === 'upload' && r.method === 'POST' && r.status === 201);
    expect(mounts).toHaveLength(REPOSITORIES - 1);
    // The repository the base layer went to takes one token. The run learns its mount source at
    // the first mount: a repository whose upload asked for a token before that takes two (the tags
    // run two wide, so at most two such repositories); every later one, one. Asked by scope set
    // alone it would be two for each but the first (23).
    const tokens = requests.filter((r) => r.kind === 'token');
    expect(tokens.length).toBeGreaterThanOrEqual(REPOSITORIES);
    expect(tokens.length).toBeLessThanOrEqual(REPOSITORIES + 2);
    // Each token named its repository and the mount source, and no mount was refused for want of it.
    expect(requests.filter((r) => r.kind === 'upload' && r.status === 401 && r.query.includes('mount='))).toEqual([]);
  });
});
