// Proves the Harbor double follows docs/harbor.md, with plain fetch and the real skopeo.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { CERT_PATH } from '../harness/harbor-double/jwt.ts';
import { registryAvailable } from '../harness/registry.ts';
import { runProgram } from '../harness/run-bundle.ts';
import { TAR_END, tarFile } from '../harness/tar-writer.ts';

const SKOPEO = '/usr/bin/skopeo';
// Missing tools fail this file like every other integration file: a skipped suite would look green.
beforeAll(() => {
  if (!registryAvailable() || !existsSync(SKOPEO))
    throw new Error('the Harbor double tests need docker-registry and skopeo: apt-get install docker-registry skopeo');
});
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// biome-ignore lint/suspicious/noExplicitAny: JWT claims are whatever the token holds; tests read them freely.
function jwtParts(token: string): { header: Record<string, unknown>; claims: Record<string, any> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p!, 'base64url').toString()),
  };
}

/** skopeo with this process's environment, as a user runs it. */
const skopeo = (args: string[]) => runProgram(SKOPEO, args, { env: process.env, timeout: 30_000 });

/** Writes an OCI image layout holding one image tagged `tag`; returns the manifest digest. */
async function writeOciLayout(dir: string, tag: string, text: string): Promise<string> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer): Promise<string> => {
    const d = sha(b);
    await writeFile(join(blobs, d.slice(7)), b);
    return d;
  };
  const tar = Buffer.concat([tarFile('hello.txt', text), TAR_END]);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await put(config), size: config.length },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await put(layer), size: layer.length },
      ],
    }),
  );
  const md = await put(manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: md,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return md;
}

describe('Harbor double (docs/harbor.md)', () => {
  let h: HarborDouble;
  let work: string;
  let admin: string;
  const dev = { username: 'dev', password: 'dev-pass' };
  const bob = { username: 'bob', password: 'bob-pass' };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hs-harbor-double-'));
    h = await startHarborDouble({
      users: [dev, bob],
      robots: [
        {
          name: 'ci',
          secret: 'ci-secret',
          permissions: [{ project: 'p', actions: ['pull', 'push'] }],
          canCreateProjects: true,
        },
        { name: 'p+reader', secret: 'reader-secret', permissions: [{ project: 'p', actions: ['pull'] }] },
      ],
    });
    admin = basic(h.admin.username, h.admin.password);
    h.createProject('p');
    h.createProject('pub', { public: true });
  });
  afterAll(async () => {
    await h?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const token = async (scopes: string[], auth?: string): Promise<string> => {
    const q = scopes.map((s) => `scope=${encodeURIComponent(s)}`).join('&');
    const res = await fetch(
      `${h.url}/service/token?service=harbor-registry&${q}`,
      auth ? { headers: { authorization: auth } } : {},
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };

  /** Pushes a blob with a monolithic upload (Basic auth works directly on /v2: docs/harbor.md §1). */
  const pushBlob = async (repo: string, data: Buffer, auth = admin): Promise<string> => {
    const digest = sha(data);
    const start = await fetch(`${h.url}/v2/${repo}/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: auth },
    });
    expect(start.status).toBe(202);
    const loc = new URL(start.headers.get('location')!, h.url);
    expect(loc.host).toBe(h.host); // Location rewritten to the front
    loc.searchParams.set('digest', digest);
    const done = await fetch(loc, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(data),
    });
    expect(done.status).toBe(201);
    return digest;
  };
  const pushImage = async (
    repo: string,
    ref: string,
    text: string,
    auth = admin,
  ): Promise<{ digest: string; status: number; body: string }> => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', note: text }));
    const cd = await pushBlob(repo, config, auth);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: config.length },
      layers: [],
    });
    const res = await fetch(`${h.url}/v2/${repo}/manifests/${ref}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': OCI_MANIFEST },
      body: manifest,
    });
    return { digest: sha(manifest), status: res.status, body: await res.text() };
  };

  describe('registry authentication (§1)', () => {
    it('challenges an anonymous GET /v2/ with Bearer realm and the API version header, echoing X-Request-Id', async () => {
      const res = await fetch(`${h.url}/v2/`, { headers: { 'x-request-id': 'req-123' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="http://${h.host}/service/token",service="harbor-registry"`,
      );
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      expect(res.headers.get('x-request-id')).toBe('req-123');
      expect((await fetch(`${h.url}/v2/`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('adds the scope on repository paths; a request with Authorization gets Basic realm="harbor"', async () => {
      let res = await fetch(`${h.url}/v2/pub/r/manifests/latest`); // public project still challenged (#11271)
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(',scope="repository:pub/r:pull"');
      res = await fetch(`${h.url}/v2/p/r/blobs/uploads/?mount=sha256:${'0'.repeat(64)}&from=p/other`, {
        method: 'POST',
      });
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="http://${h.host}/service/token",service="harbor-registry",scope="repository:p/r:pull,push repository:p/other:pull"`,
      );
      res = await fetch(`${h.url}/v2/p/r/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: basic('admin', 'wrong') },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="harbor"');
      expect((await fetch(`${h.url}/v2/`, { headers: { authorization: admin } })).status).toBe(200);
    });

    it('token service: service check, POST 405, no-scope anonymous 401 with empty body', async () => {
      expect(
        (
          await fetch(`${h.url}/service/token?service=other&scope=repository:p/r:pull`, {
            headers: { authorization: admin },
          })
        ).status,
      ).toBe(400);
      expect((await fetch(`${h.url}/service/token?service=harbor-registry`, { method: 'POST' })).status).toBe(405);
      const res = await fetch(`${h.url}/service/token?service=harbor-registry`, {
        headers: { authorization: basic('admin', 'bad') },
      });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('');
      expect(
        (await fetch(`${h.url}/service/token?service=harbor-registry`, { headers: { authorization: admin } })).status,
      ).toBe(200);
    });

    it('token service: response shape, RS256 with libtrust kid, only held actions, repeated and space-separated scopes', async () => {
      const res = await fetch(
        `${h.url}/service/token?service=harbor-registry&scope=repository:p/a:pull,push,delete&scope=${encodeURIComponent('repository:nope/x:pull registry:catalog:*')}`,
        { headers: { authorization: basic(dev.username, dev.password) } },
      );
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'issued_at', 'token']);
      expect(body.access_token).toBe('');
      expect(body.expires_in).toBe(1800);
      expect(body.issued_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const tok = body.token as string;
      const { header, claims } = jwtParts(tok);
      expect(header.alg).toBe('RS256');
      expect(header.kid).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
      const [hh, pp, ss] = tok.split('.');
      expect(
        verify(
          'sha256',
          Buffer.from(`${hh}.${pp}`),
          createPublicKey(readFileSync(CERT_PATH)),
          Buffer.from(ss!, 'base64url'),
        ),
      ).toBe(true);
      expect(claims).toMatchObject({ iss: 'harbor-token-issuer', aud: 'harbor-registry', sub: 'dev' });
      // dev is no member of p, nope does not exist, catalog is for admins.
      expect(claims.access).toEqual([
        { type: 'repository', name: 'p/a', actions: [] },
        { type: 'repository', name: 'nope/x', actions: [] },
        { type: 'registry', name: 'catalog', actions: [] },
      ]);
      const adminClaims = jwtParts(
        await token(['repository:p/a:pull,push,delete', 'registry:catalog:*'], admin),
      ).claims;
      expect(adminClaims.access).toEqual([
        { type: 'repository', name: 'p/a', actions: ['pull', 'push', 'delete'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ]);
    });

    it('bad credentials with a scope get an anonymous token: pull on public projects only', async () => {
      const claims = jwtParts(
        await token(['repository:pub/r:pull,push', 'repository:p/r:pull'], basic('admin', 'nope')),
      ).claims;
      expect(claims.sub).toBe('');
      expect(claims.access).toEqual([
        { type: 'repository', name: 'pub/r', actions: ['pull'] },
        { type: 'repository', name: 'p/r', actions: [] },
      ]);
    });

    it('a token issued before its project was created is ignored (v2_token.go)', async () => {
      h.createProject('future', { createdAt: new Date(Date.now() + 10 * 60_000) });
      const tok = await token(['repository:future/r:pull,push'], admin);
      expect(jwtParts(tok).claims.access[0].actions).toEqual(['pull', 'push']);
      const res = await fetch(`${h.url}/v2/future/r/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}` },
      });
      expect(res.status).toBe(401); // treated as anonymous
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="harbor"');
      const direct = await fetch(`${h.url}/v2/future/r/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: admin },
      });
      expect(direct.status).toBe(202);
    });

    it('a token holder lacking the action gets 401 with a doubled message', async () => {
      const tok = await token(['repository:p/r:pull'], admin);
      const res = await fetch(`${h.url}/v2/p/r/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}` },
      });
      expect(res.status).toBe(401);
      const msg = 'unauthorized to access repository: p/r, action: push';
      expect(await res.json()).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: `${msg}: ${msg}` }] });
    });
  });

  describe('push and pull with skopeo', () => {
    it('pushes an OCI image into an existing project and reads it back', async () => {
      const layout = join(work, 'layout1');
      const digest = await writeOciLayout(layout, 'v1', 'hello harbor');
      h.resetRequests();
      const copy = await skopeo([
        '--insecure-policy',
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${h.admin.username}:${h.admin.password}`,
        `oci:${layout}:v1`,
        `docker://${h.host}/p/app:v1`,
      ]);
      expect(copy.stderr).toBe('');
      expect(copy.code).toBe(0);
      expect(h.tagDigest('p/app', 'v1')).toBe(digest);
      const kinds = new Set(h.requests.map((r) => r.kind));
      for (const k of ['ping', 'token', 'upload', 'manifest']) expect(kinds).toContain(k);
      const inspect = await skopeo([
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `${h.admin.username}:${h.admin.password}`,
        `docker://${h.host}/p/app:v1`,
      ]);
      expect(inspect.code).toBe(0);
      expect(sha(inspect.stdout)).toBe(digest);
    });

    it('pushing into a missing project fails with 401 "project nope not found"', async () => {
      const layout = join(work, 'layout2');
      await writeOciLayout(layout, 'v1', 'nope');
      h.resetRequests();
      const copy = await skopeo([
        '--insecure-policy',
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${h.admin.username}:${h.admin.password}`,
        `oci:${layout}:v1`,
        `docker://${h.host}/nope/app:v1`,
      ]);
      expect(copy.code).not.toBe(0);
      // skopeo's first request on the repository is a blob HEAD: 401 without a body, so it only says "unauthorized".
      expect(copy.stderr).toContain('unauthorized');
      const firstRepoRequest = h.requests.find((r) => r.path.startsWith('/v2/nope/'))!;
      expect(firstRepoRequest).toMatchObject({ method: 'HEAD', kind: 'blob', status: 401 });
      expect(h.requests.some((r) => r.kind === 'manifest')).toBe(false); // never reaches the manifest PUT
      // The same with Basic auth directly (§2.3), and a HEAD has no body.
      const res = await fetch(`${h.url}/v2/nope/app/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: admin },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({
        errors: [{ code: 'UNAUTHORIZED', message: 'project nope not found: project nope not found' }],
      });
      const head = await fetch(`${h.url}/v2/nope/app/blobs/sha256:${'a'.repeat(64)}`, {
        method: 'HEAD',
        headers: { authorization: admin },
      });
      expect(head.status).toBe(401);
      expect(await head.text()).toBe('');
    });

    it('a single-component repository is a 400 before authentication (§2.4)', async () => {
      const res = await fetch(`${h.url}/v2/nginx/blobs/uploads/`, { method: 'POST' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        errors: [{ code: 'BAD_REQUEST', message: 'invalid repository name: nginx' }],
      });
    });
  });

  describe('manifests, tags and mounts (§6)', () => {
    it('a moved tag keeps the old digest pullable; misses are NOT_FOUND from the database', async () => {
      const first = await pushImage('p/move', 'latest', 'one');
      expect(first.status).toBe(201);
      const second = await pushImage('p/move', 'latest', 'two');
      expect(second.status).toBe(201);
      expect(h.tagDigest('p/move', 'latest')).toBe(second.digest);
      const accept = { authorization: admin, accept: OCI_MANIFEST };
      let res = await fetch(`${h.url}/v2/p/move/manifests/latest`, { headers: accept });
      expect(res.headers.get('docker-content-digest')).toBe(second.digest);
      await res.arrayBuffer();
      res = await fetch(`${h.url}/v2/p/move/manifests/${first.digest}`, { headers: accept });
      expect(res.status).toBe(200);
      expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(first.digest);
      res = await fetch(`${h.url}/v2/p/move/manifests/gone`, { headers: accept });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ errors: [{ code: 'NOT_FOUND', message: 'artifact p/move:gone not found' }] });
      res = await fetch(`${h.url}/v2/p/move/tags/list?n=1`, { headers: { authorization: admin } });
      expect(await res.json()).toEqual({ name: 'p/move', tags: ['latest'] });
      res = await fetch(`${h.url}/v2/p/unknown/tags/list`, { headers: { authorization: admin } });
      expect(res.status).toBe(404);
    });

    it('anonymous pull from a public project works with an anonymous token; tags/list pages with Link', async () => {
      const a = await pushImage('pub/img', 'a', 'a');
      await pushImage('pub/img', 'b', 'b');
      await pushImage('pub/img', 'c', 'c');
      const anon = await token(['repository:pub/img:pull']);
      let res = await fetch(`${h.url}/v2/pub/img/manifests/a`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${anon}`, accept: OCI_MANIFEST },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(a.digest);
      res = await fetch(`${h.url}/v2/pub/img/tags/list?n=2`, { headers: { authorization: `Bearer ${anon}` } });
      expect(res.headers.get('link')).toBe('</v2/pub/img/tags/list?last=b&n=2>; rel="next"');
      expect(await res.json()).toEqual({ name: 'pub/img', tags: ['a', 'b'] });
      res = await fetch(`${h.url}/v2/pub/img/tags/list?n=2&last=b`, { headers: { authorization: `Bearer ${anon}` } });
      expect(await res.json()).toEqual({ name: 'pub/img', tags: ['c'] });
      // Anonymous push is refused with a challenge naming pull,push.
      res = await fetch(`${h.url}/v2/pub/img/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${anon}` },
      });
      expect(res.status).toBe(401);
    });

    it('passes MANIFEST_BLOB_UNKNOWN through in distribution format; refuses manifests over 4 MiB', async () => {
      const missing = sha('missing');
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: missing, size: 7 },
        layers: [],
      });
      let res = await fetch(`${h.url}/v2/p/broken/manifests/v1`, {
        method: 'PUT',
        headers: { authorization: admin, 'content-type': OCI_MANIFEST },
        body: manifest,
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { code: string; detail: unknown }[] };
      expect(body.errors[0]!.code).toBe('MANIFEST_BLOB_UNKNOWN');
      expect(JSON.stringify(body.errors[0]!.detail)).toContain(missing);
      expect(h.tagDigest('p/broken', 'v1')).toBeUndefined();
      res = await fetch(`${h.url}/v2/p/broken/manifests/big`, {
        method: 'PUT',
        headers: { authorization: admin, 'content-type': OCI_MANIFEST },
        body: Buffer.alloc(4 * 1024 * 1024 + 1, 32),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('MANIFEST_INVALID');
    });

    it('a mount needs pull on `from`; a single-component `from` is a 400', async () => {
      const digest = await pushBlob('p/src', Buffer.from('shared layer'));
      const onlyDst = await token(['repository:p/dst:pull,push'], admin);
      let res = await fetch(`${h.url}/v2/p/dst/blobs/uploads/?mount=${digest}&from=p/src`, {
        method: 'POST',
        headers: { authorization: `Bearer ${onlyDst}` },
      });
      expect(res.status).toBe(401);
      const both = await token(['repository:p/dst:pull,push', 'repository:p/src:pull'], admin);
      res = await fetch(`${h.url}/v2/p/dst/blobs/uploads/?mount=${digest}&from=p/src`, {
        method: 'POST',
        headers: { authorization: `Bearer ${both}` },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      res = await fetch(`${h.url}/v2/p/dst/blobs/${digest}`, { headers: { authorization: admin } });
      expect(await res.text()).toBe('shared layer');
      res = await fetch(`${h.url}/v2/p/dst/blobs/uploads/?mount=${digest}&from=src`, {
        method: 'POST',
        headers: { authorization: admin },
      });
      expect(res.status).toBe(400);
      expect(h.requests.some((r) => r.kind === 'blob' && r.path === `/v2/p/dst/blobs/${digest}`)).toBe(true);
    });

    it('_catalog: Basic sysadmin only, from the database', async () => {
      let res = await fetch(`${h.url}/v2/_catalog`, { headers: { authorization: admin } });
      expect(res.status).toBe(200);
      const repos = ((await res.json()) as { repositories: string[] }).repositories;
      expect(repos).toContain('p/app');
      expect(repos).toEqual([...repos].sort());
      const tok = await token(['registry:catalog:*'], admin);
      res = await fetch(`${h.url}/v2/_catalog`, { headers: { authorization: `Bearer ${tok}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="harbor"');
      res = await fetch(`${h.url}/v2/_catalog?n=-1`, { headers: { authorization: admin } });
      expect(res.status).toBe(400);
      expect(
        (await fetch(`${h.url}/v2/_catalog`, { headers: { authorization: basic(dev.username, dev.password) } })).status,
      ).toBe(401);
    });

    it('read-only mode and immutable tags', async () => {
      await pushImage('p/imm', '1.0', 'a');
      h.setImmutable('p', /^1\./);
      const again = await pushImage('p/imm', '1.0', 'b');
      expect(again.status).toBe(412);
      expect(JSON.parse(again.body)).toEqual({
        errors: [
          { code: 'PRECONDITION', message: "Failed to process request due to 'imm:1.0' configured as immutable." },
        ],
      });
      expect((await pushImage('p/imm', '2.0', 'b')).status).toBe(201);
      h.setImmutable('p', null);
      h.setReadOnly(true);
      const res = await fetch(`${h.url}/v2/p/ro/blobs/uploads/`, { method: 'POST', headers: { authorization: admin } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        errors: [{ code: 'DENIED', message: 'The system is in read only mode. Any modification is prohibited.' }],
      });
      h.setReadOnly(false);
    });
  });

  describe('API (§3, §4, §5)', () => {
    const api = (path: string, init: RequestInit = {}, auth: string | null = admin): Promise<Response> =>
      fetch(`${h.url}/api/v2.0${path}`, {
        ...init,
        headers: { ...(auth ? { authorization: auth } : {}), ...(init.headers as Record<string, string>) },
      });
    const create = (body: unknown, auth?: string, headers: Record<string, string> = {}): Promise<Response> =>
      api(
        '/projects',
        { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
        auth,
      );

    it('ping, systeminfo and users/current', async () => {
      let res = await api('/ping', {}, null);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('Pong');
      expect(
        ((await (await api('/systeminfo', {}, null)).json()) as Record<string, unknown>).harbor_version,
      ).toBeUndefined();
      expect(((await (await api('/systeminfo')).json()) as Record<string, unknown>).harbor_version).toBe(
        'v2.15.2-080b0220',
      );
      expect((await api('/users/current', {}, null)).status).toBe(401);
      res = await api('/users/current', {}, basic('robot$ci', 'ci-secret'));
      expect(res.status).toBe(412);
      expect(((await (await api('/users/current')).json()) as Record<string, unknown>).sysadmin_flag).toBe(true);
    });

    it('CSRF trap: API responses set sid; a write carrying sid gets 403', async () => {
      const res = await api('/systeminfo');
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^sid=[0-9a-f]+; Path=\/; HttpOnly$/);
      const sid = cookie.split(';')[0]!;
      const trapped = await create({ project_name: 'csrf' }, admin, { cookie: sid });
      expect(trapped.status).toBe(403);
      expect(await trapped.json()).toEqual({ errors: [{ code: 'FORBIDDEN', message: 'CSRF token invalid' }] });
      const v2 = await fetch(`${h.url}/v2/p/r/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: admin, cookie: sid },
      });
      expect(v2.status).toBe(403);
    });

    it('POST /projects: 201 with Location, 409, 400, 401, HEAD', async () => {
      let res = await create({ project_name: 'made', metadata: { public: 'true' }, storage_limit: -1 });
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('');
      const id = h.projects().find((p) => p.name === 'made')!.id;
      expect(res.headers.get('location')).toBe(`/api/v2.0/projects/${id}`);
      res = await create({ project_name: 'made2' }, admin, { 'X-Resource-Name-In-Location': 'true' });
      expect(res.headers.get('location')).toBe('/api/v2.0/projects/made2');
      expect(h.projects().find((p) => p.name === 'made2')!.public).toBe(false);
      res = await create({ project_name: 'made' });
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({
        errors: [{ code: 'CONFLICT', message: 'The project named made already exists' }],
      });
      expect((await create({ project_name: 'Bad_Name' })).status).toBe(400);
      expect((await create({ project_name: 'x', metadata: { public: 'yes' } })).status).toBe(400);
      expect((await create({ project_name: 'a'.repeat(256) })).status).toBe(422);
      expect((await create({ project_name: '123' })).status).toBe(201);
      expect((await create({ project_name: 'anon' }, basic('admin', 'wrong'))).status).toBe(401);
      expect((await api('/projects?project_name=made', { method: 'HEAD' })).status).toBe(200);
      expect((await api('/projects?project_name=none', { method: 'HEAD' })).status).toBe(404);
      expect((await api('/projects?project_name=made', { method: 'HEAD' }, null)).status).toBe(401);
    });

    it('GET /projects: substring match, paging with X-Total-Count and Link', async () => {
      for (const n of ['sub-a', 'sub-b', 'sub-c']) h.createProject(n);
      const res = await api('/projects?name=sub-&page=1&page_size=2');
      expect(res.headers.get('x-total-count')).toBe('3');
      expect(res.headers.get('link')).toBe('</api/v2.0/projects?name=sub-&page=2&page_size=2>; rel="next"');
      expect(((await res.json()) as { name: string }[]).map((p) => p.name)).toEqual(['sub-a', 'sub-b']);
      const anon = (await (await api('/projects?page_size=100', {}, null)).json()) as {
        name: string;
        metadata: { public: string };
      }[];
      expect(anon.every((p) => p.metadata.public === 'true')).toBe(true);
      expect((await api('/projects?page_size=101')).status).toBe(422);
    });

    it('GET /projects/{name_or_id}: 404 admin, 403 user, 401 anonymous when missing', async () => {
      expect((await api('/projects/missing')).status).toBe(404);
      expect((await api('/projects/missing', {}, basic(dev.username, dev.password))).status).toBe(403);
      expect((await api('/projects/missing', {}, null)).status).toBe(401);
      const p = h.projects().find((x) => x.name === '123')!;
      const byName = (await (await api('/projects/123', { headers: { 'X-Is-Resource-Name': 'true' } })).json()) as {
        project_id: number;
      };
      expect(byName.project_id).toBe(p.id);
    });

    it('a user who creates a project can push to it; others cannot see it', async () => {
      const devAuth = basic(dev.username, dev.password);
      expect((await create({ project_name: 'devproj' }, devAuth)).status).toBe(201);
      expect((await pushImage('devproj/tool', 'v1', 'dev', devAuth)).status).toBe(201);
      expect((await api('/projects/devproj', {}, basic(bob.username, bob.password))).status).toBe(403);
    });

    it('robots: creating a project grants a system robot nothing (#15461); project robots may not create', async () => {
      const ci = basic('robot$ci', 'ci-secret');
      expect((await create({ project_name: 'robotmade' }, ci)).status).toBe(201);
      const res = await fetch(`${h.url}/v2/robotmade/app/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: ci },
      });
      expect(res.status).toBe(401);
      expect(
        (await fetch(`${h.url}/v2/p/robot/blobs/uploads/`, { method: 'POST', headers: { authorization: ci } })).status,
      ).toBe(202);
      const pr = await create({ project_name: 'prmade' }, basic('robot$p+reader', 'reader-secret'));
      expect(pr.status).toBe(403);
      expect(await pr.json()).toEqual({
        errors: [{ code: 'FORBIDDEN', message: 'Only system level robot can create project' }],
      });
    });

    it('repositories and artifacts, with {repository_name} encoded twice', async () => {
      const pushed = await pushImage('p/team/tool', 'v1', 'nested');
      expect(pushed.status).toBe(201);
      let res = await api('/projects/p/repositories?page_size=100');
      const names = ((await res.json()) as { name: string }[]).map((r) => r.name);
      expect(names).toContain('p/team/tool');
      res = await api(`/projects/p/repositories/team%252Ftool/artifacts?q=${encodeURIComponent('tags=*')}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-total-count')).toBe('1');
      const [art] = (await res.json()) as {
        digest: string;
        manifest_media_type: string;
        size: number;
        push_time: string;
        tags: { name: string }[];
      }[];
      expect(art).toMatchObject({ digest: pushed.digest, manifest_media_type: OCI_MANIFEST });
      expect(art!.tags.map((t) => t.name)).toEqual(['v1']);
      expect((await api('/projects/p/repositories/team%2Ftool/artifacts')).status).toBe(404); // routing breaks
      res = await api(`/projects/p/repositories/team%252Ftool/artifacts/${pushed.digest}`);
      expect(((await res.json()) as { digest: string }).digest).toBe(pushed.digest);
      const missing = `sha256:${'0'.repeat(64)}`;
      res = await api(`/projects/p/repositories/team%252Ftool/artifacts/${missing}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        errors: [{ code: 'NOT_FOUND', message: `artifact p/team/tool@${missing} not found` }],
      });
    });
  });
});

describe('Harbor double options', () => {
  let h: HarborDouble;
  beforeAll(async () => {
    h = await startHarborDouble({
      tokenTtlSeconds: 1,
      projectCreationRestriction: 'adminonly',
      users: [{ username: 'dev', password: 'pw' }],
      version: 'v2.14.4-abc',
    });
    h.createProject('p');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('tokens expire after tokenTtlSeconds', async () => {
    const res = await fetch(`${h.url}/service/token?service=harbor-registry&scope=repository:p/r:pull,push`, {
      headers: { authorization: basic(h.admin.username, h.admin.password) },
    });
    const body = (await res.json()) as { token: string; expires_in: number };
    expect(body.expires_in).toBe(1);
    const post = (): Promise<Response> =>
      fetch(`${h.url}/v2/p/r/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${body.token}` } });
    expect((await post()).status).toBe(202);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await post()).status).toBe(401);
  });

  it('adminonly restricts project creation', async () => {
    const res = await fetch(`${h.url}/api/v2.0/projects`, {
      method: 'POST',
      headers: { authorization: basic('dev', 'pw'), 'content-type': 'application/json' },
      body: '{"project_name":"x"}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      errors: [{ code: 'FORBIDDEN', message: 'Only system admin can create project' }],
    });
  });
});
