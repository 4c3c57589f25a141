// A refused upload is reported with the registry's own code: the error body is read before the
// response is let go (it once was discarded first, and a 400 DIGEST_INVALID read as a bare 400).
// Scripted node:http server, no registry needed.
import { describe, it, expect, afterEach } from 'vitest';
import { Readable } from 'node:stream';
import { createRegistryClient } from '../../src/registry/distribution-client.ts';
import { isRegistryError } from '../../src/errors/registry.ts';
import { startRecordingServer, type RecordingServer } from '../harness/recording-server.ts';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.stop();
});

const error = (code: string, message: string) => JSON.stringify({ errors: [{ code, message }] });
const DIGEST = `sha256:${'0'.repeat(64)}`;

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('uploads refused by the registry', () => {
  it('POST: the code of the refusal (403 DENIED into a proxy-cache project) is kept', async () => {
    server = await startRecordingServer({
      handler: (req) =>
        req.path === '/v2/'
          ? { status: 200, body: '{}' }
          : { status: 403, body: error('DENIED', 'can not push artifact to a proxy project') },
    });
    const client = createRegistryClient({ url: server.url, userAgent: 'test' });
    const e = await caught(client.startUpload('cache/app'));
    await client.close();
    expect(isRegistryError(e) && [e.status, e.registryCode, e.registryMessage]).toEqual([
      403,
      'DENIED',
      'can not push artifact to a proxy project',
    ]);
  });

  it('PUT: bytes that do not match the digest are DIGEST_MISMATCH with the registry code DIGEST_INVALID', async () => {
    server = await startRecordingServer({
      handler: (req) => {
        if (req.path === '/v2/') return { status: 200, body: '{}' };
        if (req.method === 'POST') return { status: 202, headers: { location: '/v2/team/app/blobs/uploads/u1' } };
        return { status: 400, body: error('DIGEST_INVALID', 'provided digest did not match uploaded content') };
      },
    });
    const client = createRegistryClient({ url: server.url, userAgent: 'test' });
    const start = await client.startUpload('team/app');
    if (start.mounted) throw new Error('unexpected mount');
    const e = await caught(client.finishUpload(start.location, DIGEST, 5, Readable.from([Buffer.from('bytes')])));
    await client.close();
    expect(isRegistryError(e) && [e.status, e.registryCode, e.code]).toEqual([
      400,
      'DIGEST_INVALID',
      'DIGEST_MISMATCH',
    ]);
  });
});
