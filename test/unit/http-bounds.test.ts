// Nothing a server sends can hang the run, exhaust the runner or forge output (issue 23, HTTP part):
// paged lists stop at a loop and at their caps, every small body is read with a bound on bytes and
// on time, JSON answers are checked for their shape and names and digests for their grammar where
// they enter. Scripted node:http servers (hostile-http.ts) misbehave on cue.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createRegistryClient } from '../../src/registry/distribution-client.ts';
import { createHarborApi, type HarborApi } from '../../src/harbor/api.ts';
import type { RegistryClient } from '../../src/registry/registry-client.ts';
import type { ListLimits } from '../../src/registry/pagination.ts';
import {
  endless,
  json,
  startHostileServer,
  trickle,
  trickleHeaders,
  type HostileServer,
} from '../harness/hostile-http.ts';
import { HARBOR_ADMIN } from '../harness/harbor-double/admin.ts';

const NO_RETRY = { retries: 0, maxWaitMs: 10, baseMs: 1 };
const servers: HostileServer[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const s of servers.splice(0)) await s.stop();
});

async function server(handler: HostileServer['handler']): Promise<HostileServer> {
  const s = await startHostileServer(handler);
  servers.push(s);
  return s;
}

function registry(
  s: HostileServer,
  options: { stall?: number; retries?: number; listLimits?: ListLimits } = {},
): RegistryClient {
  const client = createRegistryClient({
    url: s.url,
    userAgent: 'test',
    retry: { ...NO_RETRY, retries: options.retries ?? 0 },
    ...(options.stall !== undefined && { stallTimeoutSeconds: options.stall }),
    ...(options.listLimits && { listLimits: options.listLimits }),
  });
  closers.push(() => client.close());
  return client;
}

function harbor(s: HostileServer, options: { stall?: number; listLimits?: ListLimits } = {}): HarborApi {
  const api = createHarborApi({
    url: s.url,
    userAgent: 'test',
    credentials: { ...HARBOR_ADMIN },
    retry: NO_RETRY,
    ...(options.stall !== undefined && { stallTimeoutSeconds: options.stall }),
    ...(options.listLimits && { listLimits: options.listLimits }),
  });
  closers.push(() => api.close());
  return api;
}

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error & Record<string, unknown>,
  );
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

/** Waits (up to 2 s) for the server to see what the client did. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
}

async function drain(list: AsyncIterable<string[]>): Promise<string[]> {
  const all: string[] = [];
  for await (const page of list) all.push(...page);
  return all;
}

const link = (path: string) => ({ link: `<${path}>; rel="next"` });
const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;

describe('paged lists: loops, endless pages and caps', () => {
  it('a tags/list whose Link names the same page stops before asking twice, naming the list and the page', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname !== '/v2/team/app/tags/list') return false;
      json(res, 200, { name: 'team/app', tags: ['1'] }, link('/v2/team/app/tags/list'));
      return true;
    });
    const e = await failure(registry(s).listTags('team/app'));
    expect(e).toMatchObject({ code: 'LIST_INCOMPLETE', request: 'GET /v2/team/app/tags/list' });
    expect(e.message).toBe(
      'GET /v2/team/app/tags/list: reading the tags of team/app failed: the next page links back to /v2/team/app/tags/list, a page already read: the list would never end',
    );
    expect(s.requests).toEqual(['GET /v2/team/app/tags/list']);
  });

  it('a catalog that goes A → B → A is an error after two pages, not an endless walk', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname !== '/v2/_catalog') return false;
      const last = url.searchParams.get('last');
      if (last === null) json(res, 200, { repositories: ['a'] }, link('/v2/_catalog?last=a&n=1000'));
      else json(res, 200, { repositories: ['b'] }, link('/v2/_catalog?n=1000'));
      return true;
    });
    const e = await failure(drain(registry(s).catalog()));
    expect(e).toMatchObject({ code: 'LIST_INCOMPLETE' });
    expect(e.message).toContain(
      `reading the catalog of ${s.host} failed: the next page links back to /v2/_catalog?n=1000`,
    );
    expect(s.requests).toEqual(['GET /v2/_catalog?n=1000', 'GET /v2/_catalog?last=a&n=1000']);
  });

  it('endless new pages stop at the page cap, and a list past the entry cap is an error', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname === '/v2/endless/tags/list') {
        const n = Number(url.searchParams.get('last') ?? 0);
        json(res, 200, { tags: [`t${n}`] }, link(`/v2/endless/tags/list?last=${n + 1}`));
        return true;
      }
      if (url.pathname === '/v2/many/tags/list') {
        json(res, 200, { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) });
        return true;
      }
      return false;
    });
    const pages = await failure(registry(s, { listLimits: { pages: 20, entries: 1000 } }).listTags('endless'));
    expect(pages).toMatchObject({ code: 'LIST_INCOMPLETE' });
    expect(pages.message).toContain('reading the tags of endless failed: the list goes on past 20 pages');
    expect(s.requests.filter((r) => r.includes('/endless/'))).toHaveLength(20);
    const entries = await failure(registry(s, { listLimits: { pages: 20, entries: 10 } }).listTags('many'));
    expect(entries.message).toContain('reading the tags of many failed: the list holds more than 10 entries');
  });

  it("Harbor's artifact listing, repositories and immutability rules stop at a loop (every list of pages())", async () => {
    const s = await server((_req, res, url) => {
      const p = url.pathname;
      if (p === '/api/v2.0/projects/p/repositories/r/artifacts') {
        json(res, 200, [{ digest: DIGEST, tags: [{ name: '1' }] }], link(`${p}?with_tag=true&page_size=100&page=1`));
      } else if (p === '/api/v2.0/projects/p/repositories') {
        const next = url.searchParams.get('page') === '1' ? 2 : 1;
        json(res, 200, [{ name: `p/r${next}`, artifact_count: 1 }], link(`${p}?page_size=100&page=${next}`));
      } else if (p === '/api/v2.0/projects/p/immutabletagrules') {
        json(res, 200, [], link(`${p}?page_size=100&page=1`));
      } else return false;
      return true;
    });
    const api = harbor(s);
    expect((await failure(api.tagDigests('p', 'r'))).message).toContain(
      'reading the artifacts of Harbor repository p/r failed: the next page links back to /api/v2.0/projects/p/repositories/r/artifacts?with_tag=true&page_size=100&page=1',
    );
    expect((await failure(api.listRepositories('p'))).message).toContain(
      'reading the repositories of Harbor project p failed: the next page links back to /api/v2.0/projects/p/repositories?page_size=100&page=1',
    );
    expect(await failure(api.immutableRules('p'))).toMatchObject({
      code: 'LIST_INCOMPLETE',
      message: expect.stringContaining(
        'reading the tag immutability rules of project p failed: the next page links back',
      ),
    });
    expect(s.requests).toHaveLength(4); // artifacts 1, repositories 2, rules 1
  });

  it("Harbor's endless pages stop at the page cap; an artifact's tags count as entries", async () => {
    const s = await server((_req, res, url) => {
      const p = url.pathname;
      const page = Number(url.searchParams.get('page'));
      if (p === '/api/v2.0/projects/p/repositories') {
        json(res, 200, [{ name: `p/r${page}` }], link(`${p}?page_size=100&page=${page + 1}`));
      } else if (p === '/api/v2.0/projects/p/repositories/r/artifacts') {
        json(res, 200, [{ digest: DIGEST, tags: Array.from({ length: 10 }, (_, i) => ({ name: `t${i}` })) }]);
      } else return false;
      return true;
    });
    const pages = harbor(s, { listLimits: { pages: 30, entries: 1000 } });
    expect((await failure(pages.listRepositories('p'))).message).toContain('the list goes on past 30 pages');
    expect(s.requests).toHaveLength(30);
    const entries = harbor(s, { listLimits: { pages: 30, entries: 10 } });
    expect((await failure(entries.tagDigests('p', 'r'))).message).toContain('the list holds more than 10 entries');
  });
});

describe('bodies are read with a bound on their size', () => {
  it('a token answer that never ends fails past 1 MiB, and the connection is cut', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname === '/token') endless(s, res, 200, '{"token":"');
      else if (url.pathname.startsWith('/v2/'))
        json(res, 401, { errors: [] }, { 'www-authenticate': `Bearer realm="${s.url}/token",service="reg"` });
      else return false;
      return true;
    });
    const e = await failure(registry(s).listTags('team/app'));
    expect(e).toMatchObject({ code: 'HTTP_ERROR', request: 'GET /token' });
    expect(e.message).toBe(
      `GET /token on ${s.host}: the token answer is larger than 1048576 bytes, more than any real one: not read further`,
    );
    await until(() => s.cut === 1);
    expect(s.cut).toBe(1);
    expect(s.written).toBeLessThan(32 * 1024 * 1024); // the socket buffers, not the endless body
  });

  it('an error body that never ends (404, and 500 on every retry) is cut after its start', async () => {
    let attempts = 0;
    const s = await server((_req, res, url) => {
      if (url.pathname === '/v2/a/manifests/missing')
        endless(s, res, 404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"');
      else if (url.pathname === '/v2/a/manifests/broken') {
        attempts += 1;
        endless(s, res, 500, '<html>');
      } else return false;
      return true;
    });
    const client = registry(s, { retries: 2 });
    const missing = await failure(client.getManifest('a', 'missing'));
    expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const broken = await failure(client.getManifest('a', 'broken'));
    expect(broken).toMatchObject({ status: 500, code: 'HTTP_ERROR' });
    expect(attempts).toBe(3);
    await until(() => s.cut === 4);
    expect(s.cut).toBe(4);
    expect(s.written).toBeLessThan(4 * 32 * 1024 * 1024);
  });

  it('a tag list past 64 MiB is LIST_INCOMPLETE, a manifest announced past 16 MiB fails before a byte is read', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname === '/v2/a/tags/list') endless(s, res, 200, '{"tags":["');
      else if (url.pathname === '/v2/a/manifests/1') {
        // Announced, never sent: without the Content-Length check the read would wait for it.
        res.writeHead(200, { 'content-length': String(17 * 1024 * 1024) });
        res.write('{');
      } else return false;
      return true;
    });
    const client = registry(s);
    const list = await failure(client.listTags('a'));
    expect(list).toMatchObject({ code: 'LIST_INCOMPLETE' });
    expect(list.message).toContain('the tag list is larger than 67108864 bytes');
    const { value: manifest, ms } = await timed(() => failure(client.getManifest('a', '1')));
    expect(manifest).toMatchObject({ code: 'MANIFEST_TOO_LARGE', request: 'GET /v2/a/manifests/1' });
    expect(ms).toBeLessThan(2000);
  });

  it("Harbor's API answers that never end fail at their bound: systeminfo, users/current, a project, a retention policy, the artifact list", async () => {
    const s = await server((_req, res, url) => {
      if (!url.pathname.startsWith('/api/v2.0/')) return false;
      endless(s, res, 200, url.pathname.endsWith('/artifacts') ? '[' : '{"x":"');
      return true;
    });
    const api = harbor(s);
    const objects = [api.version(), api.whoami(), api.projectSettings('p'), api.retentionPolicy(7)].map((p) =>
      failure(p),
    );
    for (const e of await Promise.all(objects)) expect(e.message).toContain('is larger than 1048576 bytes');
    const listing = await failure(api.tagDigests('p', 'r'));
    expect(listing).toMatchObject({ code: 'LIST_INCOMPLETE' });
    expect(listing.message).toContain(
      'the page of the artifacts of Harbor repository p/r is larger than 67108864 bytes',
    );
    await until(() => s.cut === 5);
    expect(s.cut).toBe(5);
  });
});

describe('the stall timeout bounds the whole of a small body, not only the gaps', () => {
  // One byte every 200 ms never trips a 1 s gap timeout: only the total time can.
  const SLOW = 200;

  it('a trickled manifest, tag list, token, error body and Harbor answer each fail within the stall timeout, naming the request', async () => {
    const s = await server((_req, res, url) => {
      const p = url.pathname;
      const body = JSON.stringify({ tags: ['1'], errors: [], token: 'x', harbor_version: 'v2' }).repeat(100);
      if (p === '/v2/a/manifests/1' || p === '/v2/a/tags/list' || p === '/token') trickle(s, res, 200, body, SLOW);
      else if (p === '/v2/a/manifests/gone') trickle(s, res, 404, body, SLOW);
      else if (p === '/v2/b/tags/list')
        json(res, 401, { errors: [] }, { 'www-authenticate': `Bearer realm="${s.url}/token",service="reg"` });
      else if (p === '/api/v2.0/systeminfo') trickle(s, res, 200, body, SLOW);
      else return false;
      return true;
    });
    const client = registry(s, { stall: 1 });
    const api = harbor(s, { stall: 1 });
    const cases: [string, () => Promise<unknown>][] = [
      ['GET /v2/a/manifests/1', () => client.getManifest('a', '1')],
      ['GET /v2/a/tags/list', () => client.listTags('a')],
      ['GET /token', () => client.listTags('b')],
      ['GET /api/v2.0/systeminfo', () => api.version()],
    ];
    const results = await Promise.all(cases.map(([, work]) => timed(() => failure(work()))));
    for (const [i, { value: e, ms }] of results.entries()) {
      expect(e).toMatchObject({ code: 'UNREACHABLE', request: cases[i]![0] });
      expect(e.message).toMatch(/did not arrive whole within the stall timeout of 1 s/);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(2500);
    }
    // An error body is only the explanation: the status is reported once the time is up.
    const { value: gone, ms } = await timed(() => failure(registry(s, { stall: 1 }).getManifest('a', 'gone')));
    expect(gone).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(ms).toBeLessThan(2500);
  });

  it('a body nobody reads (a 202 starting an upload) is let go after the stall timeout', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname !== '/v2/a/blobs/uploads/') return false;
      res.writeHead(202, { location: '/v2/a/blobs/uploads/1' });
      const timer = setInterval(() => res.write('x'), SLOW);
      res.on('close', () => clearInterval(timer));
      return true;
    });
    const { value, ms } = await timed(() => registry(s, { stall: 1 }).startUpload('a'));
    expect(value).toMatchObject({ mounted: false });
    expect(ms).toBeLessThan(2500);
  });

  it("headers trickled a byte at a time fail at the stall timeout: undici's headersTimeout is total, not a gap", async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname !== '/v2/a/manifests/1') return false;
      trickleHeaders(res, SLOW);
      return true;
    });
    const { value: e, ms } = await timed(() => failure(registry(s, { stall: 1 }).getManifest('a', '1')));
    expect(e).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(ms).toBeLessThan(3000);
  });

  it('a blob keeps the gap rule: a steady body that takes longer than the stall timeout is read whole', async () => {
    const data = 'x'.repeat(25); // 25 × 100 ms = 2.5 s
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const s = await server((_req, res, url) => {
      if (url.pathname !== `/v2/a/blobs/${digest}`) return false;
      trickle(s, res, 200, data, 100);
      return true;
    });
    const blob = await registry(s, { stall: 1 }).getBlob('a', digest);
    let read = '';
    for await (const chunk of blob.body) read += String(chunk);
    expect(read).toBe(data);
  });
});

describe('answers are checked for their shape where they enter', () => {
  it('systeminfo: a harbor_version that is not a printable version is taken as unknown, not a crash', async () => {
    let version: unknown;
    const s = await server((_req, res, url) => {
      if (url.pathname !== '/api/v2.0/systeminfo') return false;
      json(res, 200, { harbor_version: version });
      return true;
    });
    const api = harbor(s);
    const seen: unknown[] = [];
    for (version of ['v2.15.2-080b0220', 2.15, 'v2.15\n::error title=x::forged', 'v'.repeat(100), { v: 1 }, null])
      seen.push(await api.version());
    expect(seen).toEqual(['v2.15.2-080b0220', undefined, undefined, undefined, undefined, undefined]);
  });

  it('a token answer: a token that is not a string, or has spaces or control characters, is an error; a bad expires_in is ignored', async () => {
    let answer: unknown;
    const s = await server((_req, res, url) => {
      if (url.pathname === '/token') json(res, 200, answer);
      else if (url.pathname === '/v2/a/tags/list' && _req.headers.authorization === 'Bearer good')
        json(res, 200, { tags: ['1'] });
      else if (url.pathname.startsWith('/v2/'))
        json(res, 401, { errors: [] }, { 'www-authenticate': `Bearer realm="${s.url}/token",service="reg"` });
      else return false;
      return true;
    });
    answer = { token: 42 };
    expect((await failure(registry(s).listTags('a'))).message).toBe(
      `GET /token on ${s.host}: the token answer is not of the form the protocol sends: $.token: expected a string, got a number`,
    );
    answer = { token: 'good\r\nx-injected: 1' };
    expect((await failure(registry(s).listTags('a'))).message).toContain('spaces or control characters');
    answer = ['good'];
    expect((await failure(registry(s).listTags('a'))).message).toContain('$: expected an object, got a list');
    answer = { token: 'good', expires_in: 'soon' };
    expect(await registry(s).listTags('a')).toEqual(['1']);
  });

  it('tag lists, catalog pages and referrers that are not of their shape are LIST_INCOMPLETE, naming the field', async () => {
    const s = await server((_req, res, url) => {
      const p = url.pathname;
      if (p === '/v2/a/tags/list') json(res, 200, { tags: ['1', 2] });
      else if (p === '/v2/b/tags/list') json(res, 200, { tags: '1' });
      else if (p === '/v2/_catalog') json(res, 200, { repositories: [null] });
      else if (p === `/v2/a/referrers/${DIGEST}`) json(res, 200, { manifests: [{ digest: 'sha256:short' }] });
      else return false;
      return true;
    });
    const client = registry(s);
    expect(await failure(client.listTags('a'))).toMatchObject({
      code: 'LIST_INCOMPLETE',
      message: `GET /v2/a/tags/list on ${s.host}: the tag list is not of the form the protocol sends: $.tags[1]: expected a string, got a number`,
    });
    expect((await failure(client.listTags('b'))).message).toContain('$.tags: expected a list, got a string');
    expect((await failure(drain(client.catalog()))).message).toContain(
      '$.repositories[0]: expected a string, got null',
    );
    expect(await failure(client.referrers('a', DIGEST))).toMatchObject({
      code: 'LIST_INCOMPLETE',
      message: expect.stringContaining('the referrers answer is an index whose manifests[0] is not a descriptor'),
    });
  });

  it("Harbor's objects: users/current, a project, a retention policy and immutability rules of the wrong shape are errors naming the field", async () => {
    const answers: Record<string, unknown> = {
      '/api/v2.0/users/current': { username: 42 },
      '/api/v2.0/projects/p': { registry_id: 'abc' },
      '/api/v2.0/projects/q': { registry_id: 0, metadata: { public: 'true', retention_id: '7' } },
      '/api/v2.0/retentions/7': { rules: [{ action: 'retain' }], trigger: { kind: 5 } },
      '/api/v2.0/projects/p/immutabletagrules': [{ tag_selectors: [{ pattern: 42 }] }],
      '/api/v2.0/projects/p/repositories': [{ name: 'p/r', artifact_count: '3' }],
    };
    const s = await server((_req, res, url) => {
      if (!(url.pathname in answers)) return false;
      json(res, 200, answers[url.pathname]);
      return true;
    });
    const api = harbor(s);
    expect((await failure(api.whoami())).message).toBe(
      `GET /api/v2.0/users/current on ${s.host}: the current user is not of the form the protocol sends: $.username: expected a printable user name, got a number`,
    );
    expect((await failure(api.projectSettings('p'))).message).toContain(
      '$.registry_id: expected a whole number, got a string',
    );
    expect(await api.projectSettings('q')).toEqual({ retentionId: 7 });
    expect((await failure(api.retentionPolicy(7))).message).toContain(
      '$.trigger.kind: expected a string, got a number',
    );
    expect((await failure(api.immutableRules('p'))).message).toContain(
      '$[0].tag_selectors[0].pattern: expected a string, got a number',
    );
    expect((await failure(api.listRepositories('p'))).message).toContain(
      '$[0].artifact_count: expected a whole number, got a string',
    );
  });
});

describe('names and digests from an answer are checked against their grammar where they enter', () => {
  async function listing(artifacts: unknown): Promise<ReturnType<HarborApi['tagDigests']>> {
    const s = await server((_req, res, url) => {
      if (url.pathname !== '/api/v2.0/projects/p/repositories/r/artifacts') return false;
      json(res, 200, artifacts);
      return true;
    });
    return harbor(s).tagDigests('p', 'r');
  }

  it("a digest in Harbor's artifact list carrying a workflow command or markup never gets out: the list is refused", async () => {
    const forged = await failure(
      listing([{ digest: `${DIGEST}\n::error title=forged::owned`, tags: [{ name: '1' }] }]),
    );
    expect(forged).toMatchObject({ code: 'LIST_INCOMPLETE' });
    expect(forged.message).toContain(
      `$[0].digest: expected a digest (sha256:<64 lowercase hex>), got "${DIGEST}\\x0a::error title=forged::owned"`,
    );
    expect(forged.message).not.toContain('\n');
    const markup = await failure(listing([{ digest: 'sha256:abc|<img src=x>', tags: [{ name: '1' }] }]));
    expect(markup.message).toContain('got "sha256:abc|<img src=x>"'); // quoted in an error, never a listing
    const tag = await failure(listing([{ digest: DIGEST, tags: [{ name: '<img src=x>' }] }]));
    expect(tag.message).toContain('$[0].tags[0].name: expected a tag, got "<img src=x>"');
  });

  it('a push time that is not a time is taken as unknown; the tag and digest stay', async () => {
    const read = await listing([
      {
        digest: DIGEST,
        push_time: 'yesterday|<b>',
        tags: [{ name: '1' }, { name: '2', push_time: '2026-01-02T03:04:05.123Z' }],
      },
    ]);
    expect([...read.tags]).toEqual([
      ['1', DIGEST],
      ['2', DIGEST],
    ]);
    expect([...read.pushedAt]).toEqual([['2', '2026-01-02T03:04:05.123Z']]);
  });

  it("a repository name in Harbor's list that is not a name of that project is refused", async () => {
    for (const name of ['other/r', 'p/R', 'p/r\n::error::x']) {
      const s = await server((_req, res, url) => {
        if (url.pathname !== '/api/v2.0/projects/p/repositories') return false;
        json(res, 200, [{ name, artifact_count: 1 }]);
        return true;
      });
      expect((await failure(harbor(s).listRepositories('p'))).message).toContain(
        '$[0].name: expected a repository name in p/',
      );
    }
  });

  it('a Docker-Content-Digest that is not a digest is no claim: HEAD reads the manifest instead, PUT reports none', async () => {
    const manifest = '{"schemaVersion":2,"manifests":[]}';
    const real = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    const s = await server((req, res, url) => {
      if (url.pathname !== '/v2/a/manifests/1') return false;
      const headers = {
        'docker-content-digest': 'sha256:abc|<img src=x>',
        'content-type': 'application/vnd.oci.image.index.v1+json',
      };
      if (req.method === 'PUT') res.writeHead(201, headers).end();
      else
        res
          .writeHead(200, { ...headers, 'content-length': String(manifest.length) })
          .end(req.method === 'HEAD' ? undefined : manifest);
      return true;
    });
    const client = registry(s);
    expect((await client.headManifest('a', '1'))?.digest).toBe(real);
    expect(s.requests).toEqual(['HEAD /v2/a/manifests/1', 'GET /v2/a/manifests/1']);
    expect(
      await client.putManifest('a', '1', Buffer.from(manifest), 'application/vnd.oci.image.index.v1+json'),
    ).toBeUndefined();
  });
});
