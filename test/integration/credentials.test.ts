// Credentials stay with their origin; a list that cannot be read whole fails loudly. Scripted
// servers stand in for a source registry, a CDN it redirects to, and a third host naming itself
// a token service; each records every request's Authorization header. Harbor is the double.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HARBOR_ADMIN, startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage, type BuiltImage } from '../harness/images.ts';
import {
  basic,
  startRecordingServer,
  TLS_CERT_FILE,
  type Handler,
  type RecordingServer,
} from '../harness/recording-server.ts';
import { either, imageParts, sourceHandler, tokenHandler, type SourceAuth } from '../harness/scripted-source.ts';
import { stopAfterEach } from '../harness/stop-after-each.ts';
import { loginEnv, syncInputs } from '../harness/sync-inputs.ts';
import { createHarborApi } from '../../src/harbor/api.ts';
import { scrub } from '../../src/redact/secrets.ts';
import { main } from '../../src/cli/main.ts';
import { sync } from './helpers.ts';

const SOURCE = { username: 'src-user', password: 'src-pass-4711' };
const image: BuiltImage = buildImage('credentials/app', { format: 'oci', layerSizes: [3000] });
let harbor: HarborDouble;
let work: string;
const own = stopAfterEach();

beforeAll(async () => {
  harbor = await startHarborDouble();
  work = await mkdtemp(join(tmpdir(), 'hs-credentials-'));
});
afterAll(async () => {
  await harbor?.stop();
});
const server = async (options: { tls?: boolean; handler?: Handler } = {}): Promise<RecordingServer> =>
  own(await startRecordingServer(options));

function inputs(source: string, images: string, extra: Record<string, string> = {}): Record<string, string> {
  return syncInputs(source, harbor, { images, 'retry-max-wait': '1', ...extra }, { source: SOURCE });
}

/** The source serving `image` as repository:1, every blob request answered with a 307 to `cdn`. */
function redirectingSource(repository: string, auth: SourceAuth, cdn: RecordingServer, extra?: Handler): Handler {
  const { manifest } = imageParts(repository, '1', image);
  const source = sourceHandler({
    auth,
    manifests: [manifest],
    blobReply: (_req, digest) => ({ status: 307, headers: { location: `${cdn.url}/storage/${digest}` } }),
  });
  return extra ? either(extra, source) : source;
}

/** A CDN that answers 401 naming `realm` as its token service. */
function challengingCdn(realm: string): Handler {
  return () => ({
    status: 401,
    headers: { 'www-authenticate': `Bearer realm="${realm}",service="cdn"` },
    body: 'sign in',
  });
}

const blobs = new Map(image.blobs.map((b) => [b.digest, b.data]));

describe('a redirect target that asks for credentials', () => {
  for (const kind of ['basic', 'bearer'] as const) {
    it(`gets none, nor does the realm it names (${kind} source): the tag fails saying so`, async () => {
      const third = await server({
        handler: () => ({
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"token":"caught-you"}',
        }),
      });
      const cdn = await server({ handler: challengingCdn(`${third.url}/token`) });
      const source = await server();
      const token = 'source-token-0451-abcdef';
      const repository = `redirect-${kind}/app`;
      source.handler =
        kind === 'basic'
          ? redirectingSource(repository, { kind: 'basic', credentials: SOURCE }, cdn)
          : redirectingSource(
              repository,
              { kind: 'bearer', realm: `${source.url}/token`, token },
              cdn,
              tokenHandler('/token', SOURCE, token),
            );

      const run = await sync(inputs(source.url, `${repository}:1`));

      // Where the credentials went first: nowhere but the source (and its own realm).
      expect(third.requests).toEqual([]);
      expect(cdn.requests.length).toBeGreaterThan(0);
      expect(cdn.requests.map((r) => r.authorization)).toEqual(cdn.requests.map(() => undefined));
      const item = run.item(`${repository}:1`);
      expect(item.status).toBe('failed');
      expect(item.error?.errorCode).toBe('AUTH_FOREIGN_ORIGIN');
      expect(item.error?.message).toMatch(
        new RegExp(
          `^(GET|HEAD) /v2/${repository}/blobs/sha256:[0-9a-f]{64}: redirected to ${cdn.origin}, which asked for credentials \\(401\\); credentials are only sent to ${source.origin}$`,
        ),
      );
      expect(harbor.tagDigest(repository, '1')).toBeUndefined();
      if (kind === 'bearer') {
        // The source's own realm, on its own origin, is where the credentials went.
        const tokenRequests = source.requests.filter((r) => r.path === '/token');
        expect(tokenRequests.length).toBeGreaterThan(0);
        expect(tokenRequests.every((r) => r.authorization === basic(SOURCE))).toBe(true);
        expect(scrub(`a log line with ${token}`)).toBe('a log line with ***');
      } else {
        expect(source.requests.some((r) => r.authorization === basic(SOURCE))).toBe(true);
      }
    });
  }

  it('a plain 307 to storage that serves the blob gets no Authorization, and the tag migrates', async () => {
    const storage = await server({
      handler: (req) => {
        const data = blobs.get(req.path.replace('/storage/', ''));
        return data ? { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: data } : undefined;
      },
    });
    const source = await server();
    source.handler = redirectingSource('plain-redirect/app', { kind: 'basic', credentials: SOURCE }, storage);

    const run = await sync(inputs(source.url, 'plain-redirect/app:1'));

    expect(run.item('plain-redirect/app:1').status).toBe('migrated');
    expect(harbor.tagDigest('plain-redirect/app', '1')).toBe(image.digest);
    expect(storage.requests.length).toBeGreaterThan(0);
    expect(storage.requests.map((r) => r.authorization)).toEqual(storage.requests.map(() => undefined));
  });
});

describe('a token realm over plain HTTP for an HTTPS registry', () => {
  async function tlsSourceWithHttpRealm(
    repository: string,
  ): Promise<{ source: RecordingServer; realm: RecordingServer; realmUrl: string }> {
    const token = 'tls-token-7f3e9a';
    const realm = await server({ handler: tokenHandler('/token', SOURCE, token) });
    const realmUrl = `${realm.url}/token`;
    const { manifest } = imageParts(repository, '1', image);
    const source = await server({
      tls: true,
      handler: sourceHandler({ auth: { kind: 'bearer', realm: realmUrl, token }, manifests: [manifest], blobs }),
    });
    return { source, realm, realmUrl };
  }

  it('is refused before anything is sent there, naming both URLs', async () => {
    const { source, realm, realmUrl } = await tlsSourceWithHttpRealm('tls-refused/app');

    const run = await sync(inputs(source.url, 'tls-refused/app:1', { 'source-ca-file': TLS_CERT_FILE }));

    expect(run.result.fatal).toMatchObject({
      step: 'auth',
      errorCode: 'REALM_INSECURE',
      hint: expect.stringContaining('source-insecure'),
    });
    expect(run.result.fatal?.message).toContain(source.origin);
    expect(run.result.fatal?.message).toContain(realmUrl);
    expect(realm.requests).toEqual([]);
    expect(source.requests.map((r) => r.authorization)).toEqual(source.requests.map(() => undefined));
  });

  it('is accepted with source-insecure: true', async () => {
    const { source, realm } = await tlsSourceWithHttpRealm('tls-insecure/app');

    const run = await sync(inputs(source.url, 'tls-insecure/app:1', { 'source-insecure': 'true' }));

    expect(run.result.fatal).toBeUndefined();
    expect(run.item('tls-insecure/app:1').status).toBe('migrated');
    expect(realm.requests.length).toBeGreaterThan(0);
    expect(realm.requests.every((r) => r.authorization === basic(SOURCE))).toBe(true);
  });
});

describe('a Link to the next page on another origin', () => {
  /** The CLI in-process, as Jenkins runs it: its exit code. */
  async function cli(args: string[]): Promise<number> {
    return await main(
      [
        'sync',
        ...args,
        '--harbor-url',
        harbor.url,
        '--report-file',
        join(work, `report-${Date.now()}.json`),
        '--quiet',
      ],
      loginEnv({ harbor: harbor.admin }),
    );
  }

  it('fails the repository whose tag list it ends, naming both origins; the CLI exits 1', async () => {
    const elsewhere = await server();
    const source = await server();
    source.handler = either(
      (req) =>
        req.path === '/v2/linked/app/tags/list'
          ? {
              status: 200,
              headers: {
                'content-type': 'application/json',
                link: `<${elsewhere.url}/v2/linked/app/tags/list?last=1&n=1>; rel="next"`,
              },
              body: JSON.stringify({ name: 'linked/app', tags: ['1'] }),
            }
          : undefined,
      sourceHandler({ auth: { kind: 'none' }, manifests: [imageParts('linked/app', '1', image).manifest], blobs }),
    );

    const run = await sync(inputs(source.url, 'linked/app'));

    const item = run.item('linked/app:*');
    expect(item).toMatchObject({ status: 'failed', error: { step: 'discover', errorCode: 'LIST_INCOMPLETE' } });
    expect(item.error?.message).toContain(`linked on ${elsewhere.origin}, another origin than ${source.origin}`);
    expect(run.byStatus('migrated')).toEqual([]); // not a shortened list taken for the whole
    expect(await cli(['--source-registry', source.url, '--images', 'linked/app'])).toBe(1);
    expect(elsewhere.requests).toEqual([]);
  });

  it('stops a catalog run with the catalog listing error (exit 2), before any repository of that page starts', async () => {
    const elsewhere = await server();
    const source = await server({
      handler: either(
        (req) =>
          req.path === '/v2/_catalog'
            ? {
                status: 200,
                headers: {
                  'content-type': 'application/json',
                  link: `<${elsewhere.url}/v2/_catalog?last=cat%2Fone&n=1000>; rel="next"`,
                },
                body: JSON.stringify({ repositories: ['cat/one'] }),
              }
            : undefined,
        sourceHandler({ auth: { kind: 'none' }, manifests: [] }),
      ),
    });

    const run = await sync(inputs(source.url, '', { catalog: 'true' }));

    expect(run.result.fatal).toMatchObject({ step: 'discover', errorCode: 'LIST_INCOMPLETE' });
    expect(run.result.fatal?.message).toMatch(/^listing the source catalog failed: GET \/v2\/_catalog: /);
    expect(run.result.fatal?.message).toContain(`linked on ${elsewhere.origin}, another origin than ${source.origin}`);
    expect(source.requests.filter((r) => r.path.includes('cat/one'))).toEqual([]);
    expect(await cli(['--source-registry', source.url, '--catalog', 'true'])).toBe(2);
    expect(elsewhere.requests).toEqual([]);
  });

  it("Harbor's artifact listing throws instead of answering with the first page only", async () => {
    const elsewhere = await server();
    const fakeHarbor = await server({
      handler: (req) =>
        req.path === '/api/v2.0/projects/p/repositories/r/artifacts'
          ? {
              status: 200,
              headers: {
                'content-type': 'application/json',
                link: `<${elsewhere.url}/api/v2.0/projects/p/repositories/r/artifacts?page=2&page_size=100>; rel="next"`,
              },
              body: JSON.stringify([{ digest: image.digest, tags: [{ name: '1' }] }]),
            }
          : undefined,
    });
    const api = createHarborApi({
      url: fakeHarbor.url,
      credentials: { ...HARBOR_ADMIN },
      userAgent: 'test',
    });
    try {
      const error = await api.tagDigests('p', 'r').then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error?.code).toBe('LIST_INCOMPLETE');
      expect(error?.message).toContain(`linked on ${elsewhere.origin}, another origin than ${fakeHarbor.origin}`);
    } finally {
      await api.close();
    }
    expect(elsewhere.requests).toEqual([]);
  });
});
