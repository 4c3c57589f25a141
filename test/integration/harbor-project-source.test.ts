// harbor://PROJECT as the source (issue 29): what a proxy-cache project holds is copied into a
// regular project, read through Harbor's API and by digest only, so nothing is asked of the upstream
// and nothing the cache holds is lost (docs/harbor.md §7.1). A real upstream registry behind the
// Harbor double's proxy-cache project, filled by pulling through it as docker and containerd do;
// tags deleted upstream as a cleanup deletes them; skopeo as the oracle; requests counted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, SOURCE_USER, type RunningRegistry } from '../harness/registry.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage, buildIndex, pushImage, pushIndex, type BuiltImage, type BuiltIndex } from '../harness/images.ts';
import { deleteRegistryTag, proxyPuller, unlinkRegistryBlob } from '../harness/proxy-pull.ts';
import { skopeoCopy, skopeoInspectRaw } from '../harness/skopeo.ts';
import { runCli } from '../harness/run-bundle.ts';
import { asCli, syncInputs } from '../harness/sync-inputs.ts';
import { buildConfig } from '../../src/config/inputs.ts';
import { CLI_NAMES } from '../../src/config/option-names.ts';
import { INPUT_NAMING } from '../../src/model/config.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/registry/retry.ts';
import { harborProject } from '../../src/sources/harbor-project.ts';
import { renderHtmlPage } from '../../src/report/html.ts';
import { renderSummary } from '../../src/report/summary.ts';
import { sync, type SyncRun } from './helpers.ts';

const SUMMARY_FILE = new URL('../../.tmp/proxy-rescue-summary.md', import.meta.url);

/** tag → digest of a repository, as Harbor's API lists it (what the project holds). */
async function apiTags(harbor: HarborDouble, project: string, path: string): Promise<Record<string, string>> {
  const auth = `Basic ${Buffer.from(`${harbor.admin.username}:${harbor.admin.password}`).toString('base64')}`;
  const res = await fetch(
    `${harbor.url}/api/v2.0/projects/${project}/repositories/${encodeURIComponent(encodeURIComponent(path))}/artifacts?with_tag=true&page_size=100`,
    { headers: { authorization: auth } },
  );
  expect(res.status).toBe(200);
  const out: Record<string, string> = {};
  for (const a of (await res.json()) as { digest: string; tags: { name: string }[] | null }[])
    for (const t of a.tags ?? []) out[t.name] = a.digest;
  return out;
}

/** What a run sent that a proxy-cache project answers by asking its upstream: manifest reads by
 * tag and tags/list on the project, and anything the double asked the upstream by tag. */
function tagReads(harbor: HarborDouble, project: string) {
  const onProject = harbor.requests.filter((r) => r.path.startsWith(`/v2/${project}/`));
  return {
    manifestsByTag: onProject.filter((r) => r.kind === 'manifest' && r.reference === 'tag'),
    tagLists: onProject.filter((r) => r.kind === 'tags'),
    upstreamByTag: harbor.upstreamRequests.filter((r) => r.reference === 'tag' || r.kind === 'tags'),
  };
}

const statuses = (run: SyncRun) =>
  Object.fromEntries(run.result.items.map((i) => [i.source, `${i.status}${i.reason ? `: ${i.reason}` : ''}`]));

interface Cache {
  upstream: RunningRegistry;
  images: Record<string, BuiltImage | BuiltIndex>;
}

/** An upstream with six tags in two repositories, pulled through `project` of `harbor` (so its
 * cache holds them all), then two of them (a third) deleted upstream. */
async function fillCache(harbor: HarborDouble, project: string, deleteOnUpstreamNotFound: boolean): Promise<Cache> {
  const upstream = await startRegistry({ htpasswd: true });
  const target = { url: upstream.url, auth: SOURCE_USER };
  const images: Record<string, BuiltImage | BuiltIndex> = {
    'team/app:1.0': buildImage('rescue-app-1.0', { layerSizes: [1500] }),
    'team/app:1.1': buildImage('rescue-app-1.1', { layerSizes: [1500, 700] }),
    'team/app:2.0': buildImage('rescue-app-2.0', { format: 'oci', layerSizes: [900] }),
    'library/tool:a': buildImage('rescue-tool-a', { layerSizes: [600] }),
    'library/tool:b': buildIndex(
      'rescue-tool-b',
      [
        {
          image: buildImage('rescue-tool-b-amd64', { format: 'oci' }),
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          image: buildImage('rescue-tool-b-arm64', { format: 'oci' }),
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
      'oci',
    ),
    'library/tool:c': buildImage('rescue-tool-c', { format: 'oci', layerSizes: [800] }),
  };
  for (const [ref, image] of Object.entries(images)) {
    const [repo, tag] = ref.split(':') as [string, string];
    if ('children' in image) await pushIndex(target, repo, tag, image);
    else await pushImage(target, repo, tag, image);
  }
  harbor.createProxyProject(project, { upstreamUrl: upstream.url, credentials: SOURCE_USER, deleteOnUpstreamNotFound });
  const app = proxyPuller(harbor, `${project}/team/app`);
  const tool = proxyPuller(harbor, `${project}/library/tool`);
  await app.asDocker('1.0', images['team/app:1.0'] as BuiltImage);
  await app.asDocker('1.1', images['team/app:1.1'] as BuiltImage);
  await app.asContainerd('2.0', images['team/app:2.0'] as BuiltImage);
  await tool.asContainerd('a', images['library/tool:a'] as BuiltImage);
  await tool.indexAsDocker('b', images['library/tool:b'] as BuiltIndex);
  await tool.asDocker('c', images['library/tool:c'] as BuiltImage);
  await deleteRegistryTag(upstream, 'team/app', '1.1');
  await deleteRegistryTag(upstream, 'library/tool', 'b');
  return { upstream, images };
}

const CACHED = {
  'team/app': ['1.0', '1.1', '2.0'],
  'library/tool': ['a', 'b', 'c'],
};

describe('a proxy-cache project whose upstream deleted a third of its tags, kept by harbor://hub', () => {
  let harbor: HarborDouble;
  let cache: Cache;
  let first: SyncRun;
  const inputs = () =>
    syncInputs('harbor://hub', harbor, { catalog: 'true', mappings: 'hub => hub-kept', 'create-projects': 'true' });

  beforeAll(async () => {
    harbor = await startHarborDouble();
    // As Harbor v2.14.0–v2.15.0 do: a read by tag of a tag the upstream dropped deletes the cached
    // copy (docs/harbor.md §7.1), so a single tag read in the run would show as a lost tag.
    cache = await fillCache(harbor, 'hub', true);
    for (const [path, tags] of Object.entries(CACHED))
      expect(Object.keys(await apiTags(harbor, 'hub', path)).sort()).toEqual(tags);
    harbor.resetRequests();
    first = await sync(inputs());
  });
  afterAll(async () => {
    await harbor?.stop();
    await cache?.upstream.stop();
  });

  it('copies every cached tag, the ones the upstream deleted too, into hub-kept', () => {
    expect(first.result.fatal).toBeUndefined();
    expect(statuses(first)).toEqual({
      'hub/team/app:1.0': 'migrated',
      'hub/team/app:1.1': 'migrated',
      'hub/team/app:2.0': 'migrated',
      'hub/library/tool:a': 'migrated',
      'hub/library/tool:b': 'migrated',
      'hub/library/tool:c': 'migrated',
    });
    expect(first.item('hub/team/app:1.1').target).toBe('hub-kept/team/app:1.1');
    expect(first.result.projectsCreated).toEqual(['hub-kept']);
  });

  it('what hub-kept serves is byte-identical to what the upstream had, blobs and all (skopeo)', async () => {
    const work = await mkdtemp(join(tmpdir(), 'rescue-'));
    for (const [ref, image] of Object.entries(cache.images)) {
      const raw = await skopeoInspectRaw(`${harbor.host}/hub-kept/${ref}`, { creds: harbor.admin });
      expect(raw.equals(image.manifest), ref).toBe(true);
    }
    // The two tags only the cache still had: pulled whole, every blob checked against its digest.
    for (const ref of ['team/app:1.1', 'library/tool:b'])
      await skopeoCopy(`${harbor.host}/hub-kept/${ref}`, `dir:${join(work, ref.replace(/[/:]/g, '-'))}`, {
        srcCreds: harbor.admin,
        all: true,
        preserveDigests: true,
      });
  });

  it('sends no tag read to the proxy project, and asks the upstream nothing at all', () => {
    expect(tagReads(harbor, 'hub')).toEqual({ manifestsByTag: [], tagLists: [], upstreamByTag: [] });
    expect(harbor.upstreamRequests).toEqual([]);
    // What it did read of the project: the API, and manifests by digest.
    const manifests = harbor.requests.filter((r) => r.path.startsWith('/v2/hub/') && r.kind === 'manifest');
    expect(manifests.length).toBeGreaterThan(0);
    expect(manifests.every((r) => r.reference === 'digest')).toBe(true);
    expect(harbor.requests.some((r) => r.path === '/api/v2.0/projects/hub/repositories')).toBe(true);
  });

  it('leaves every tag in the proxy project', async () => {
    for (const [path, tags] of Object.entries(CACHED))
      expect(Object.keys(await apiTags(harbor, 'hub', path)).sort()).toEqual(tags);
  });

  it('says in the log that the source is a proxy-cache project read by digest', () => {
    expect(first.logs.some((l) => /^Source: Harbor project hub at .*, a proxy-cache project/.test(l))).toBe(true);
  });

  it('says in the summary where the tags are now and how clients pull them', async () => {
    expect(first.result.harborNotes).toEqual([
      {
        project: 'hub-kept',
        kind: 'kept',
        message: expect.stringContaining(
          `pull ${harbor.host}/hub-kept/library/tool:a where clients pulled ${harbor.host}/hub/library/tool:a`,
        ),
      },
    ]);
    const md = renderSummary(first.result, { failOn: 'failed' });
    expect(md).toContain('Where the tags are now');
    expect(md).toContain(`${harbor.host}/hub-kept/library/tool:a`);
    // The same document in the HTML page.
    const page = renderHtmlPage(first.result, { failOn: 'failed' }).replaceAll('<wbr>', '');
    expect(page).toContain('Where the tags are now');
    expect(page).toContain(`${harbor.host}/hub-kept/library/tool:a`);
    await mkdir(new URL('.', SUMMARY_FILE), { recursive: true });
    await writeFile(SUMMARY_FILE, md);
  });

  it('the re-run skips everything, again without a tag read or an upstream request', async () => {
    harbor.resetRequests();
    const again = await sync(inputs());
    expect(new Set(Object.values(statuses(again)))).toEqual(
      new Set(['skipped: already in Harbor with the same digest']),
    );
    expect(again.result.items).toHaveLength(6);
    expect(harbor.requests.filter((r) => r.kind === 'upload' || r.method === 'PUT')).toEqual([]);
    // Each tag compared by the listings alone: no manifest or blob asked of the project's /v2 (only
    // the referrers of each, which Harbor answers itself).
    const v2 = harbor.requests.filter((r) => r.path.startsWith('/v2/hub/'));
    expect(v2.filter((r) => r.kind === 'manifest' || r.kind === 'blob')).toEqual([]);
    expect(v2.every((r) => r.path.includes('/referrers/sha256:'))).toBe(true);
    expect(harbor.upstreamRequests).toEqual([]);
    for (const [path, tags] of Object.entries(CACHED))
      expect(Object.keys(await apiTags(harbor, 'hub', path)).sort()).toEqual(tags);
  });

  it('unlike a sync that reads the same cache as a registry, by tag: the dropped tag fails and Harbor deletes it', async () => {
    harbor.resetRequests();
    const byTag = await sync(
      syncInputs(
        harbor.url,
        harbor,
        { images: 'hub/team/app:1.1', mappings: 'hub => hub-by-tag', 'create-projects': 'true' },
        { source: harbor.admin },
      ),
    );
    expect(byTag.item('hub/team/app:1.1').status).toBe('failed');
    expect(tagReads(harbor, 'hub').upstreamByTag.map((r) => `${r.method} ${r.status}`)).toContain('HEAD 404');
    expect(Object.keys(await apiTags(harbor, 'hub', 'team/app')).sort()).toEqual(['1.0', '2.0']);
    // hub-kept still has it.
    expect((await apiTags(harbor, 'hub-kept', 'team/app'))['1.1']).toBe(cache.images['team/app:1.1']!.digest);
  });

  it('the next night, the tag the cache lost is reported as retained: only hub-kept has it now', async () => {
    const night = await sync(inputs());
    expect(night.byStatus('failed')).toEqual([]);
    expect(night.result.retained).toEqual([
      {
        kind: 'tag',
        source: 'hub/team/app:1.1',
        target: 'hub-kept/team/app:1.1',
        digest: cache.images['team/app:1.1']!.digest,
        pushedAt: expect.stringMatching(/^\d{4}-/),
      },
    ]);
  });
});

describe('harbor://PROJECT of a regular project, with an account of its own', () => {
  let harbor: HarborDouble;
  const reader = { username: 'reader', password: 'reader-pw' };
  const one = buildImage('regular-1', { layerSizes: [500] });
  const two = buildIndex(
    'regular-2',
    [
      { image: buildImage('regular-2-amd64'), platform: { os: 'linux', architecture: 'amd64' } },
      { image: buildImage('regular-2-arm64'), platform: { os: 'linux', architecture: 'arm64' } },
    ],
    'docker',
  );
  beforeAll(async () => {
    harbor = await startHarborDouble({ users: [reader] });
    harbor.createProject('team', { owner: reader.username });
    harbor.createProject('team-copy');
    const target = { url: harbor.url, auth: harbor.admin };
    await pushImage(target, 'team/app', '1', one);
    await pushIndex(target, 'team/app', '2', two);
  });
  afterAll(async () => {
    await harbor?.stop();
  });
  const inputs = (extra: Record<string, string> = {}) =>
    syncInputs(
      'harbor://team',
      harbor,
      { images: 'team/app', mappings: 'team => team-copy', ...extra },
      { source: reader },
    );

  it('copies it into another project, byte-identical, reading by digest only; the re-run skips', async () => {
    harbor.resetRequests();
    const run = await sync(inputs());
    expect(statuses(run)).toEqual({ 'team/app:1': 'migrated', 'team/app:2': 'migrated' });
    expect(run.logs.some((l) => /^Source: Harbor project team at .*, a regular project/.test(l))).toBe(true);
    expect(tagReads(harbor, 'team')).toEqual({ manifestsByTag: [], tagLists: [], upstreamByTag: [] });
    expect(
      (await skopeoInspectRaw(`${harbor.host}/team-copy/app:1`, { creds: harbor.admin })).equals(one.manifest),
    ).toBe(true);
    expect(
      (await skopeoInspectRaw(`${harbor.host}/team-copy/app:2`, { creds: harbor.admin })).equals(two.manifest),
    ).toBe(true);
    expect(run.result.harborNotes.map((n) => [n.project, n.kind])).toEqual([['team-copy', 'kept']]);
    const again = await sync(inputs());
    expect(statuses(again)).toEqual({
      'team/app:1': 'skipped: already in Harbor with the same digest',
      'team/app:2': 'skipped: already in Harbor with the same digest',
    });
  });

  it('the CLI, as a nightly job runs it: copies the project, says where the tags are now', async () => {
    const { args, env } = asCli(
      'sync',
      syncInputs('harbor://team', harbor, {
        images: 'team/app',
        mappings: 'team => team-cli',
        'create-projects': 'true',
      }),
    );
    const run = await runCli(args, { env });
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toContain('Where the tags are now');
    expect(run.stdout).toContain(`pull ${harbor.host}/team-cli/app:1 where clients pulled ${harbor.host}/team/app:1`);
  });

  it('a tag Harbor does not list is a 404 without any request to /v2', async () => {
    const client = harborProject.open({
      source: { url: 'harbor://team' },
      harbor: { url: harbor.url, credentials: harbor.admin },
      connection: { userAgent: 'test', retry: DEFAULT_RETRY_POLICY, stallTimeoutSeconds: 10, connections: 2 },
      naming: INPUT_NAMING,
    });
    harbor.resetRequests();
    await expect(client.getManifest('team/app', '9.9')).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await client.headManifest('team/app', '9.9')).toBeUndefined();
    expect(await client.headManifest('team/app', '1')).toEqual({ digest: one.digest, mediaType: undefined, size: -1 });
    expect((await client.getManifest('team/app', '1')).bytes.equals(one.manifest)).toBe(true);
    // (A first request answered 401 is repeated with a token.)
    expect(new Set(harbor.requests.filter((r) => r.kind === 'manifest').map((r) => `${r.method} ${r.path}`))).toEqual(
      new Set([`GET /v2/team/app/manifests/${one.digest}`]),
    );
    // One artifact listing served them all.
    expect(harbor.requests.filter((r) => r.path.endsWith('/artifacts'))).toHaveLength(1);
    await client.close();
  });

  it('a wrong source password is refused in words that name source-username, not harbor-username', async () => {
    const run = await sync({ ...inputs(), 'source-password': 'wrong' });
    expect(run.result.fatal).toMatchObject({ errorCode: 'CREDENTIALS_REJECTED', step: 'auth', status: 401 });
    expect(run.result.fatal?.message).toContain('user "reader", given to read project team');
    expect(run.result.fatal?.hint).toBe('check source-username and source-password');
    expect(run.result.items).toEqual([]);
  });

  it('a project that does not exist is one clear error before anything is read', async () => {
    const run = await sync(
      syncInputs('harbor://nowhere', harbor, { images: 'nowhere/app:1', mappings: 'nowhere => kept' }),
    );
    expect(run.result.fatal).toMatchObject({ errorCode: 'NOT_FOUND', step: 'preflight', status: 404 });
    expect(run.result.fatal?.message).toContain('has no project nowhere');
  });
});

describe('a cached tag one of whose layers Harbor no longer holds', () => {
  let harbor: HarborDouble;
  let cache: Cache;
  beforeAll(async () => {
    harbor = await startHarborDouble();
    cache = await fillCache(harbor, 'hub', false);
  });
  afterAll(async () => {
    await harbor?.stop();
    await cache?.upstream.stop();
  });

  it('is incomplete, naming the missing digest, and stays in the proxy project', async () => {
    // Harbor fetches what a client skipped before it stores a manifest (docs/harbor.md §7.1), so a
    // hole comes from storage: a layer gone from hub's repository and, after the upstream's
    // cleanup, from the upstream too.
    const image = cache.images['team/app:1.1'] as BuiltImage;
    const lost = image.blobs[2]!.digest;
    await unlinkRegistryBlob(harbor.registry, 'hub/team/app', lost);
    await unlinkRegistryBlob(cache.upstream, 'team/app', lost);
    harbor.resetRequests();
    const run = await sync(
      syncInputs('harbor://hub', harbor, {
        images: 'hub/team/app',
        mappings: 'hub => hub-kept',
        'create-projects': 'true',
      }),
    );
    expect(run.item('hub/team/app:1.1')).toMatchObject({
      status: 'incomplete',
      missing: [lost],
      reason: '1 of 3 blobs answer 404 on the source',
    });
    expect(run.item('hub/team/app:1.0').status).toBe('migrated');
    expect(tagReads(harbor, 'hub')).toEqual({ manifestsByTag: [], tagLists: [], upstreamByTag: [] });
    expect(Object.keys(await apiTags(harbor, 'hub', 'team/app')).sort()).toEqual(['1.0', '1.1', '2.0']);
  });
});

describe('a run that would copy a Harbor project onto itself is refused before it starts', () => {
  const build = (inputs: Record<string, string>) =>
    buildConfig(
      (name) =>
        ({ 'harbor-url': 'https://harbor.example.com', 'harbor-username': 'u', 'harbor-password': 'p', ...inputs })[
          name
        ],
    );

  it('catalog without a mapping out of the project: exit 2, saying what to add', async () => {
    await expect(build({ 'source-registry': 'harbor://hub-proxy', catalog: 'true' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      step: 'config',
      message:
        'catalog: true with source-registry harbor://hub-proxy: no mapping takes every repository of project hub-proxy out of it, so some would be copied onto themselves: add a mapping such as "hub-proxy => hub-proxy-kept" to mappings',
    });
  });

  it('an image without a mapping out of the project, or outside it, in the names of the CLI', async () => {
    const cli = (inputs: Record<string, string>) =>
      buildConfig(
        (name) =>
          ({ 'harbor-url': 'https://harbor.example.com', 'harbor-username': 'u', 'harbor-password': 'p', ...inputs })[
            name
          ],
        { names: CLI_NAMES },
      );
    await expect(
      cli({ 'source-registry': 'harbor://hub-proxy', images: 'hub-proxy/library/nginx:1.27' }),
    ).rejects.toThrow(
      'images line 1: hub-proxy/library/nginx would be copied onto itself in Harbor project hub-proxy (--source-registry harbor://hub-proxy): add a mapping such as "hub-proxy => hub-proxy-kept" to --mappings',
    );
    await expect(cli({ 'source-registry': 'harbor://hub-proxy', images: 'library/nginx:1.27' })).rejects.toThrow(
      'images line 1: library/nginx is not in Harbor project hub-proxy',
    );
    await expect(
      cli({
        'source-registry': 'harbor://hub-proxy',
        images: 'hub-proxy/library/nginx',
        mappings: 'hub-proxy => hub-proxy/kept',
      }),
    ).rejects.toThrow('would be copied onto itself');
  });

  it('a mapping out of the project is accepted; images may name Harbor’s host', async () => {
    const config = await build({
      'source-registry': 'harbor://hub-proxy/',
      images: 'harbor.example.com/hub-proxy/library/nginx:1.27',
      catalog: 'true',
      mappings: 'hub-proxy/library => hub-kept/lib\nhub-proxy => hub-kept',
    });
    expect(config.source.url).toBe('harbor://hub-proxy');
    expect(config.images.map((i) => i.repository)).toEqual(['hub-proxy/library/nginx']);
    // Harbor's credentials read it: none of its own.
    expect(config.source.credentials).toBeUndefined();
  });

  it('refuses a URL that names more than a project, or carries a password, without echoing it', async () => {
    await expect(build({ 'source-registry': 'harbor://hub-proxy/library/nginx', catalog: 'true' })).rejects.toThrow(
      'source-registry: write harbor://PROJECT',
    );
    await expect(build({ 'source-registry': 'harbor://Hub', catalog: 'true' })).rejects.toThrow(
      "source-registry: Harbor project name in harbor://PROJECT breaks Harbor's rule",
    );
    const refused = build({ 'source-registry': 'harbor://u:hunter2@hub', catalog: 'true' });
    await expect(refused).rejects.toThrow('must not carry a user name or password');
    await expect(refused).rejects.not.toThrow('hunter2');
  });
});

describe('the CLI refuses a run without a mapping out of the project', () => {
  it('exit 2, one line saying what to add, before any request', async () => {
    const run = await runCli(
      ['sync', '--source-registry', 'harbor://hub-proxy', '--catalog', '--harbor-url', 'http://127.0.0.1:9'],
      { env: { HARBOR_USERNAME: 'u', HARBOR_PASSWORD: 'p' } },
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'harbor-sync: --catalog with --source-registry harbor://hub-proxy: no mapping takes every repository of project hub-proxy out of it, so some would be copied onto themselves: add a mapping such as "hub-proxy => hub-proxy-kept" to --mappings',
    );
  });
});
