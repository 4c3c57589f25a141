// A TLS certificate refused after preflight passed: a registry that redirects its blobs to storage
// with a certificate the run does not trust. The tag fails TLS_FAILED naming the origin that
// answered and what to set; Node's advice about its own flags is not repeated, and it is not a bug
// of ours (INTERNAL). Scripted servers: the registry in plain HTTP, its blob store in HTTPS with
// the test certificate, which nothing here trusts.
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../../src/registry/distribution-client.ts';
import { toFailure } from '../../src/sync/failure.ts';
import { startRecordingServer, type RecordingServer } from '../harness/recording-server.ts';

const servers: RecordingServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

describe('a certificate refused mid-run', () => {
  it('fails the request TLS_FAILED, naming the origin that answered and the inputs to set', async () => {
    const store = await startRecordingServer({ tls: true, handler: () => ({ status: 200, body: 'layer' }) });
    servers.push(store);
    const registry = await startRecordingServer({
      handler: (req) =>
        req.path === '/v2/'
          ? { status: 200, body: '{}' }
          : { status: 307, headers: { location: `${store.url}/blob?sig=secret-signature` } },
    });
    servers.push(registry);
    const client = createRegistryClient({
      url: registry.url,
      userAgent: 'test',
      retry: { retries: 0, maxWaitMs: 1, baseMs: 1 },
    });
    const error = await client.getBlob('team/app', `sha256:${'a'.repeat(64)}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    const failure = toFailure(error, 'blob');
    expect(failure).toMatchObject({ step: 'blob', errorCode: 'TLS_FAILED' });
    expect(failure.message).toContain(store.url.replace(/\/$/, ''));
    expect(failure.message).not.toContain('secret-signature');
    expect(failure.message).not.toMatch(/use-system-ca|try running Node/);
    expect(failure.hint).toMatch(/source-ca-file.*insecure/);
    expect(store.requests).toHaveLength(0); // the handshake failed: nothing was asked there
  });
});
