// The transport keeps its credentials with their origin: a realm is pinned from the registry's own
// challenge, an upload Location on another origin gets no Authorization, and the credentials are
// known to the redaction point from the start. Scripted node:http servers, no registry needed.
import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { createRegistryClient } from '../../src/registry/distribution-client.ts';
import { clearSecrets, scrub } from '../../src/redact/secrets.ts';
import { basic, startRecordingServer, type RecordingServer } from '../harness/recording-server.ts';
import { either, tokenHandler } from '../harness/scripted-source.ts';
import { stopAfterEach } from '../harness/stop-after-each.ts';

const creds = { username: 'unit-user', password: 'unit-pass-9876' };
const own = stopAfterEach();
const server = async (): Promise<RecordingServer> => own(await startRecordingServer());

const unauthorized = (challenge: string) => ({
  status: 401,
  headers: { 'www-authenticate': challenge },
  body: '{"errors":[{"code":"UNAUTHORIZED","message":"x"}]}',
});

describe('Transport', () => {
  it('pins the realm the ping named; a later challenge naming another realm is refused and that realm hears nothing', async () => {
    const first = await server();
    first.handler = tokenHandler('/token', creds, 'tok-first-1234');
    const second = await server();
    const registry = await server();
    registry.handler = (req) => {
      if (req.path === '/v2/' && req.authorization === 'Bearer tok-first-1234') return { status: 200, body: '{}' };
      if (req.path === '/v2/') return unauthorized(`Bearer realm="${first.url}/token",service="reg"`);
      return unauthorized(`Bearer realm="${second.url}/token",service="reg",scope="repository:a:pull"`);
    };
    const client = createRegistryClient({ url: registry.url, credentials: creds, userAgent: 'test' });
    try {
      expect((await client.ping()).ok).toBe(true);
      const error = await client.listTags('a').catch((e: unknown) => e as Error & { code?: string });
      expect(error).toMatchObject({ code: 'REALM_REFUSED' });
      expect((error as Error).message).toContain(
        `names the token realm ${second.url}/token, not ${first.url}/token it named first`,
      );
    } finally {
      await client.close();
    }
    expect(second.requests).toEqual([]);
    expect(first.requests.every((r) => r.authorization === basic(creds))).toBe(true);
  });

  it('sends no Authorization to an upload Location on another origin, and refuses its 401 with the reason', async () => {
    const elsewhere = await server();
    elsewhere.handler = () => unauthorized('Basic realm="elsewhere"');
    const registry = await server();
    registry.handler = (req) => {
      if (req.authorization !== basic(creds)) return unauthorized('Basic realm="reg"');
      if (req.path === '/v2/') return { status: 200, body: '{}' };
      if (req.method === 'POST' && req.path === '/v2/a/blobs/uploads/')
        return { status: 202, headers: { location: `${elsewhere.url}/upload/1` } };
      return undefined;
    };
    const client = createRegistryClient({ url: registry.url, credentials: creds, userAgent: 'test' });
    try {
      expect((await client.ping()).ok).toBe(true);
      const start = await client.startUpload('a');
      if (start.mounted) throw new Error('not a mount');
      const data = Buffer.from('blob');
      const error = await client
        .finishUpload(start.location, `sha256:${'0'.repeat(64)}`, data.length, Readable.from([data]))
        .catch((e: unknown) => e as Error);
      expect(error).toMatchObject({
        code: 'AUTH_FOREIGN_ORIGIN',
        message: `PUT /upload/1: ${elsewhere.origin} asked for credentials (401); credentials are only sent to ${registry.origin}`,
      });
    } finally {
      await client.close();
    }
    expect(elsewhere.requests.map((r) => [r.method, r.authorization])).toEqual([['PUT', undefined]]);
  });

  it('a 401 reached through a redirect is not answered, whatever it names', async () => {
    const realm = await server();
    const cdn = await server();
    cdn.handler = () => unauthorized(`Bearer realm="${realm.url}/token"`);
    const registry = await server();
    registry.handler = either(tokenHandler('/token', creds, 'tok-reg-5678'), (req) => {
      if (req.authorization !== 'Bearer tok-reg-5678')
        return unauthorized(`Bearer realm="${registry.url}/token",service="reg"`);
      return req.path === '/v2/'
        ? { status: 200, body: '{}' }
        : { status: 307, headers: { location: `${cdn.url}/blob` } };
    });
    const client = createRegistryClient({ url: registry.url, credentials: creds, userAgent: 'test' });
    try {
      const error = await client.getBlob('a', `sha256:${'1'.repeat(64)}`).catch((e: unknown) => e as Error);
      expect(error).toMatchObject({
        code: 'AUTH_FOREIGN_ORIGIN',
        message: `GET /v2/a/blobs/sha256:${'1'.repeat(64)}: redirected to ${cdn.origin}, which asked for credentials (401); credentials are only sent to ${registry.origin}`,
      });
    } finally {
      await client.close();
    }
    expect(realm.requests).toEqual([]);
    expect(cdn.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(registry.requests.filter((r) => r.path === '/token').every((r) => r.authorization === basic(creds))).toBe(
      true,
    );
  });

  it('registers its credentials with the redaction point when it is made', async () => {
    clearSecrets();
    const client = createRegistryClient({ url: 'http://127.0.0.1:9', credentials: creds, userAgent: 'test' });
    await client.close();
    expect(scrub(`user ${creds.username} password ${creds.password}`)).toBe(`user ${creds.username} password ***`);
    expect(scrub(basic(creds))).toBe('Basic ***');
    clearSecrets();
  });
});
