// Proves the Harbor double serves proxy-cache projects as Harbor does (docs/harbor.md §7.1): a real
// upstream registry, clients pulling through the double the way docker and containerd do, tags
// removed from the upstream's storage the way a cleanup removes them.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, SOURCE_USER, type RunningRegistry } from '../harness/registry.ts';
import { HARBOR_ADMIN, startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts';
import { buildImage, MANIFEST_ACCEPT, pushImage, type BuiltImage } from '../harness/images.ts';

const REPO = 'team/app'; // on the upstream; `<proxy project>/team/app` in Harbor
const ADMIN = `Basic ${Buffer.from(`${HARBOR_ADMIN.username}:${HARBOR_ADMIN.password}`).toString('base64')}`;

interface Upstream {
  registry: RunningRegistry;
  images: Record<string, BuiltImage>;
}

/** An upstream holding three tags of team/app, behind Basic auth. */
async function startUpstream(): Promise<Upstream> {
  const registry = await startRegistry({ htpasswd: true });
  const target = { url: registry.url, auth: SOURCE_USER };
  const images: Record<string, BuiltImage> = {};
  for (const tag of ['1.0', '1.1', '2.0']) {
    images[tag] = buildImage(`proxy-${tag}`, { format: tag === '2.0' ? 'oci' : 'docker', layerSizes: [1500] });
    await pushImage(target, REPO, tag, images[tag]);
  }
  return { registry, images };
}

/** What a cleanup leaves: the tag gone from the upstream, its manifest revision and blobs still there. */
const deleteUpstreamTag = (registry: RunningRegistry, tag: string) =>
  rm(join(registry.storageDir, 'docker/registry/v2/repositories', REPO, '_manifests/tags', tag), { recursive: true });

/** A registry client as docker's: a token from Harbor's token service, then Bearer requests. */
function client(harbor: HarborDouble, project: string, upstreamRepo = REPO) {
  const repo = `${project}/${upstreamRepo}`;
  const token = async (actions: string): Promise<string> => {
    const res = await fetch(`${harbor.url}/service/token?service=harbor-registry&scope=repository:${repo}:${actions}`, {
      headers: { authorization: ADMIN },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const call = async (method: string, path: string, extra: Record<string, string> = {}, body?: Buffer) => {
    const res = await fetch(`${harbor.url}/v2/${repo}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push')}`,
        ...extra,
      },
      ...(body && { body: new Uint8Array(body) }),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    return { status: res.status, headers: res.headers, bytes, text };
  };
  const manifest = (method: 'GET' | 'HEAD', reference: string) =>
    call(method, `manifests/${reference}`, { accept: MANIFEST_ACCEPT });
  return {
    repo,
    manifest,
    blob: (digest: string, method = 'GET') => call(method, `blobs/${digest}`),
    call,
    /** docker: GET the manifest by tag, then every blob. */
    async pullAsDocker(tag: string, image: BuiltImage): Promise<void> {
      const m = await manifest('GET', tag);
      expect(m.status, m.text).toBe(200);
      expect(m.bytes.equals(image.manifest)).toBe(true);
      for (const b of image.blobs) expect((await call('GET', `blobs/${b.digest}`)).bytes.equals(b.data)).toBe(true);
    },
    /** containerd: HEAD by tag for the digest, GET by digest, then every blob. */
    async pullAsContainerd(tag: string, image: BuiltImage): Promise<void> {
      const head = await manifest('HEAD', tag);
      expect(head.status).toBe(200);
      const digest = head.headers.get('docker-content-digest')!;
      expect(digest).toBe(image.digest);
      const m = await manifest('GET', digest);
      expect(m.status, m.text).toBe(200);
      for (const b of image.blobs) expect((await call('GET', `blobs/${b.digest}`)).bytes.equals(b.data)).toBe(true);
    },
  };
}

/** tag → digest as Harbor's API lists them (`artifacts?with_tag=true`). */
async function apiTags(harbor: HarborDouble, project: string): Promise<Record<string, string>> {
  const repos = await fetch(`${harbor.url}/api/v2.0/projects/${project}/repositories?page_size=100`, {
    headers: { authorization: ADMIN },
  });
  expect(((await repos.json()) as { name: string }[]).map((r) => r.name)).toEqual([`${project}/${REPO}`]);
  const res = await fetch(
    `${harbor.url}/api/v2.0/projects/${project}/repositories/${encodeURIComponent(encodeURIComponent(REPO))}/artifacts?with_tag=true&page_size=100`,
    { headers: { authorization: ADMIN } },
  );
  expect(res.status).toBe(200);
  const out: Record<string, string> = {};
  for (const a of (await res.json()) as { digest: string; tags: { name: string }[] | null }[])
    for (const t of a.tags ?? []) out[t.name] = a.digest;
  return out;
}

describe('a proxy-cache project over an upstream that dropped a tag (Harbor v2.15.2; docs/harbor.md §7.1)', () => {
  let up: Upstream;
  let harbor: HarborDouble;
  let hub: ReturnType<typeof client>;
  beforeAll(async () => {
    up = await startUpstream();
    harbor = await startHarborDouble();
    harbor.createProxyProject('hub', { upstreamUrl: up.registry.url, credentials: SOURCE_USER });
    hub = client(harbor, 'hub');
    await hub.pullAsDocker('1.0', up.images['1.0']!);
    await hub.pullAsDocker('1.1', up.images['1.1']!);
    await hub.pullAsContainerd('2.0', up.images['2.0']!);
    await deleteUpstreamTag(up.registry, '1.1');
  });
  afterAll(async () => {
    await harbor?.stop();
    await up?.registry.stop();
  });

  it('pulling through the project filled its cache: three tags in the API, the project shown as a proxy cache', async () => {
    expect(await apiTags(harbor, 'hub')).toEqual({
      '1.0': up.images['1.0']!.digest,
      '1.1': up.images['1.1']!.digest,
      '2.0': up.images['2.0']!.digest, // tagged after containerd's HEAD (EnsureTag)
    });
    const project = (await (
      await fetch(`${harbor.url}/api/v2.0/projects/hub`, { headers: { authorization: ADMIN } })
    ).json()) as { registry_id: number; metadata: { retention_id?: string } };
    expect(project.registry_id).toBeGreaterThan(0);
    const retention = await fetch(`${harbor.url}/api/v2.0/retentions/${project.metadata.retention_id}`, {
      headers: { authorization: ADMIN },
    });
    expect(((await retention.json()) as { rules: { params: unknown }[] }).rules[0]!.params).toEqual({
      nDaysSinceLastPull: 7,
    });
  });

  it('(a) a manifest read by digest, GET or HEAD, is served from the cache without asking the upstream', async () => {
    harbor.resetRequests();
    const gone = up.images['1.1']!;
    const got = await hub.manifest('GET', gone.digest);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(gone.manifest)).toBe(true);
    expect(got.headers.get('docker-content-digest')).toBe(gone.digest);
    expect((await hub.manifest('HEAD', gone.digest)).status).toBe(200);
    expect(harbor.upstreamRequests).toEqual([]);
    expect(harbor.requests.filter((r) => r.kind === 'manifest').map((r) => r.reference)).toEqual(['digest', 'digest']);
  });

  it('(b) the API lists every cached tag, the dropped one too, without asking the upstream', async () => {
    harbor.resetRequests();
    expect(Object.keys(await apiTags(harbor, 'hub')).sort()).toEqual(['1.0', '1.1', '2.0']);
    expect(harbor.upstreamRequests).toEqual([]);
  });

  it('(e) cached blobs are served locally; a blob Harbor lacks comes from the upstream once, then from the cache', async () => {
    harbor.resetRequests();
    for (const b of up.images['1.1']!.blobs) {
      const got = await hub.blob(b.digest);
      expect(got.status).toBe(200);
      expect(got.bytes.equals(b.data)).toBe(true);
    }
    expect(harbor.upstreamRequests).toEqual([]);

    // An image pushed to the upstream after the pulls: its layer is not in Harbor yet.
    const later = buildImage('proxy-later', { layerSizes: [900] });
    await pushImage({ url: up.registry.url, auth: SOURCE_USER }, REPO, '3.0', later);
    const layer = later.blobs[1]!;
    expect((await hub.blob(layer.digest, 'HEAD')).status).toBe(404); // a blob HEAD is never proxied
    expect(harbor.upstreamRequests).toEqual([]);
    const first = await hub.blob(layer.digest);
    expect(first.status).toBe(200);
    expect(first.bytes.equals(layer.data)).toBe(true);
    expect(harbor.upstreamRequests.map((r) => `${r.method} ${r.kind}`)).toContain('GET blob');
    harbor.resetRequests();
    expect((await hub.blob(layer.digest)).bytes.equals(layer.data)).toBe(true);
    expect((await hub.blob(layer.digest, 'HEAD')).status).toBe(200);
    expect(harbor.upstreamRequests).toEqual([]);
  });

  it('(d) a read by tag of a tag the upstream still has asks the upstream (HEAD by tag), then serves the cache', async () => {
    harbor.resetRequests();
    const got = await hub.manifest('GET', '1.0');
    expect(got.status).toBe(200);
    expect(got.bytes.equals(up.images['1.0']!.manifest)).toBe(true);
    expect(harbor.upstreamRequests.map((r) => [r.method, r.kind, r.reference, r.status])).toEqual([
      ['HEAD', 'manifest', 'tag', 200],
    ]);
    expect(harbor.requests.filter((r) => r.kind === 'manifest').map((r) => r.reference)).toEqual(['tag']);
  });

  it('(c) a read by tag of the dropped tag answers 404, yet v2.15.2 keeps the cached artifact and its tag', async () => {
    harbor.resetRequests();
    for (const method of ['HEAD', 'GET'] as const) {
      const got = await hub.manifest(method, '1.1');
      expect(got.status).toBe(404);
      if (method === 'GET')
        expect(JSON.parse(got.text)).toEqual({
          errors: [{ code: 'NOT_FOUND', message: 'resource not found: repo hub/team/app, tag 1.1 not found' }],
        });
    }
    expect(harbor.upstreamRequests.map((r) => [r.method, r.reference, r.status])).toEqual([
      ['HEAD', 'tag', 404],
      ['HEAD', 'tag', 404],
    ]);
    expect(Object.keys(await apiTags(harbor, 'hub')).sort()).toEqual(['1.0', '1.1', '2.0']);
    expect((await hub.manifest('GET', up.images['1.1']!.digest)).status).toBe(200);
  });

  it('tags/list merges the cached tags with the upstream’s, asking the upstream', async () => {
    harbor.resetRequests();
    const got = await hub.call('GET', 'tags/list');
    expect(JSON.parse(got.text)).toEqual({ name: 'hub/team/app', tags: ['1.0', '1.1', '2.0', '3.0'] });
    expect(harbor.upstreamRequests.map((r) => `${r.method} ${r.kind}`)).toEqual(['GET tags']);
  });

  it('a tag moved on the upstream: a read by tag fetches and caches the new manifest; the old one stays, untagged', async () => {
    const moved = buildImage('proxy-2.0-moved', { layerSizes: [700] });
    await pushImage({ url: up.registry.url, auth: SOURCE_USER }, REPO, '2.0', moved);
    harbor.resetRequests();
    const got = await hub.manifest('GET', '2.0');
    expect(got.status).toBe(200);
    expect(got.bytes.equals(moved.manifest)).toBe(true);
    expect(got.headers.get('docker-content-digest')).toBe(''); // art.Digest is empty on a read by tag
    expect(harbor.upstreamRequests.filter((r) => r.kind === 'manifest').map((r) => r.method)).toEqual(['HEAD', 'GET']);
    expect((await apiTags(harbor, 'hub'))['2.0']).toBe(moved.digest);
    harbor.resetRequests();
    expect((await hub.manifest('GET', up.images['2.0']!.digest)).status).toBe(200);
    expect(harbor.upstreamRequests).toEqual([]);
  });

  it('(f) pushes are refused with 403 DENIED', async () => {
    const image = buildImage('proxy-push');
    const upload = await hub.call('POST', 'blobs/uploads/');
    expect(upload.status).toBe(403);
    expect(JSON.parse(upload.text)).toEqual({
      errors: [{ code: 'DENIED', message: 'denied: can not push artifact to a proxy project: hub' }],
    });
    const put = await hub.call('PUT', 'manifests/9.9', { 'content-type': image.mediaType }, image.manifest);
    expect(put.status).toBe(403);
    expect(JSON.parse(put.text).errors[0].code).toBe('DENIED');
  });
});

describe('the same loss in the releases that delete (v2.14.0–v2.15.0), and the v2.15.1 option that serves the cache', () => {
  let up: Upstream;
  let harbor: HarborDouble;
  beforeAll(async () => {
    up = await startUpstream();
    harbor = await startHarborDouble();
    harbor.createProxyProject('deletes', {
      upstreamUrl: up.registry.url,
      credentials: SOURCE_USER,
      deleteOnUpstreamNotFound: true,
    });
    harbor.createProxyProject('keeps', {
      upstreamUrl: up.registry.url,
      credentials: SOURCE_USER,
      localOnNotFound: true,
    });
    for (const project of ['deletes', 'keeps']) {
      const c = client(harbor, project);
      for (const tag of ['1.0', '1.1', '2.0']) await c.pullAsDocker(tag, up.images[tag]!);
    }
    await deleteUpstreamTag(up.registry, '1.1');
  });
  afterAll(async () => {
    await harbor?.stop();
    await up?.registry.stop();
  });

  it('v2.14.0–v2.15.0: a read by tag of the dropped tag answers 404 and deletes the cached artifact', async () => {
    const c = client(harbor, 'deletes');
    expect(Object.keys(await apiTags(harbor, 'deletes')).sort()).toEqual(['1.0', '1.1', '2.0']);
    expect((await c.manifest('GET', '1.1')).status).toBe(404);
    expect(Object.keys(await apiTags(harbor, 'deletes')).sort()).toEqual(['1.0', '2.0']);
    // Harbor no longer holds the digest, so a read by digest now goes to the upstream.
    harbor.resetRequests();
    expect((await c.manifest('GET', up.images['1.1']!.digest)).status).toBe(200);
    expect(harbor.upstreamRequests.filter((r) => r.kind === 'manifest').map((r) => [r.method, r.reference])).toEqual([
      ['HEAD', 'digest'],
      ['GET', 'digest'],
    ]);
    expect(Object.keys(await apiTags(harbor, 'deletes')).sort()).toEqual(['1.0', '2.0']); // back, untagged
  });

  it('proxy_cache_local_on_not_found: the dropped tag is served from the cache after the upstream says 404', async () => {
    harbor.resetRequests();
    const got = await client(harbor, 'keeps').manifest('GET', '1.1');
    expect(got.status).toBe(200);
    expect(got.bytes.equals(up.images['1.1']!.manifest)).toBe(true);
    expect(harbor.upstreamRequests.map((r) => [r.method, r.reference, r.status])).toEqual([['HEAD', 'tag', 404]]);
    const project = (await (
      await fetch(`${harbor.url}/api/v2.0/projects/keeps`, { headers: { authorization: ADMIN } })
    ).json()) as { metadata: Record<string, string> };
    expect(project.metadata.proxy_cache_local_on_not_found).toBe('true');
  });
});

describe('an upstream that is rate-limited or gone (docs/harbor.md §7.1)', () => {
  let up: Upstream;
  let faults: FaultProxy;
  let harbor: HarborDouble;
  let hub: ReturnType<typeof client>;
  beforeAll(async () => {
    up = await startUpstream();
    faults = await startFaultProxy(up.registry.url);
    harbor = await startHarborDouble();
    harbor.createProxyProject('hub', { upstreamUrl: faults.url, credentials: SOURCE_USER });
    hub = client(harbor, 'hub');
    await hub.pullAsDocker('1.0', up.images['1.0']!);
  });
  afterAll(async () => {
    await harbor?.stop();
    await faults?.stop();
    await up?.registry.stop();
  });

  it('429 from the upstream: a cached tag is served from the cache; one not cached gets 429 TOO_MANY_REQUEST', async () => {
    faults.setFaults([{ method: 'HEAD', path: /\/manifests\//, times: 2, action: { kind: 'status', status: 429 } }]);
    expect((await hub.manifest('GET', '1.0')).status).toBe(200);
    const refused = await hub.manifest('GET', '1.1');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).errors[0]).toEqual({
      code: 'TOO_MANY_REQUEST',
      message: 'too many requests to upstream registry',
    });
  });

  it('an unreachable upstream: a cached tag is served from the cache, one not cached is 404', async () => {
    await faults.disappear();
    harbor.resetRequests();
    const got = await hub.manifest('GET', '1.0');
    expect(got.status).toBe(200);
    expect(got.bytes.equals(up.images['1.0']!.manifest)).toBe(true);
    expect(harbor.upstreamRequests.map((r) => r.status)).toEqual([0]);
    expect((await hub.manifest('GET', '1.1')).status).toBe(404);
  });
});

describe('another Harbor as the upstream, read anonymously: the double follows its Bearer challenge', () => {
  let origin: HarborDouble;
  let harbor: HarborDouble;
  const image = buildImage('proxy-from-harbor', { format: 'oci' });
  beforeAll(async () => {
    origin = await startHarborDouble();
    origin.createProject('lib', { public: true });
    await pushImage({ url: origin.url, auth: origin.admin }, 'lib/app', '1', image);
    harbor = await startHarborDouble();
    harbor.createProxyProject('mirror', { upstreamUrl: origin.url });
  });
  afterAll(async () => {
    await harbor?.stop();
    await origin?.stop();
  });

  it('asks the upstream token service once, then reuses its token', async () => {
    const mirror = client(harbor, 'mirror', 'lib/app');
    await mirror.pullAsDocker('1', image);
    const first = harbor.upstreamRequests.map((r) => `${r.method} ${r.kind} ${r.status}`);
    expect(first.slice(0, 3)).toEqual(['HEAD manifest 401', 'GET token 200', 'HEAD manifest 200']);
    harbor.resetRequests();
    expect((await mirror.manifest('GET', '1')).status).toBe(200);
    expect(harbor.upstreamRequests.map((r) => `${r.method} ${r.kind} ${r.status}`)).toEqual(['HEAD manifest 200']);
  });
});
