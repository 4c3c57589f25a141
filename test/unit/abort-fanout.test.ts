// An abandoned run cuts every request in flight through one signal (src/registry/abort-fanout.ts):
// the signal carries one listener per client, not one per request, and an abandon still cuts
// each request as an interruption. A scripted node:http server holds the requests open.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../../src/registry/distribution-client.ts';
import type { RegistryClient } from '../../src/registry/registry-client.ts';
import { placeAt } from '../../src/sync/failure.ts';
import { startHostileServer, type HostileServer } from '../harness/hostile-http.ts';

const IN_FLIGHT = 40;
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json' });

let server: HostileServer | undefined;
let client: RegistryClient | undefined;
afterEach(async () => {
  await client?.close().catch(() => undefined);
  await server?.stop();
  server = client = undefined;
});

/** A source whose manifest answers wait until `release` is called. */
async function holdingServer(): Promise<{ release: () => void; arrived: () => number }> {
  const waiting: (() => void)[] = [];
  let open = true;
  server = await startHostileServer((_req, res, url) => {
    if (!url.pathname.includes('/manifests/')) return false;
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(MANIFEST);
    };
    if (open) waiting.push(answer);
    else answer();
    return true;
  });
  return {
    release: () => {
      open = false;
      for (const answer of waiting.splice(0)) answer();
    },
    arrived: () => server?.requests.length ?? 0,
  };
}

function connect(signal: AbortSignal): RegistryClient {
  client = createRegistryClient({
    url: server!.url,
    userAgent: 'test',
    retry: { retries: 0, maxWaitMs: 10, baseMs: 1 },
    connections: IN_FLIGHT,
    signal,
  });
  return client;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('a run-wide abort signal', () => {
  it(`with ${IN_FLIGHT} requests in flight it holds one listener, and each request finishes normally`, async () => {
    const { release, arrived } = await holdingServer();
    const stop = new AbortController();
    const source = connect(stop.signal);
    const reads = Array.from({ length: IN_FLIGHT }, (_, i) => source.getManifest('team/app', `t${i}`));
    await until(() => arrived() === IN_FLIGHT);

    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    release();
    const manifests = await Promise.all(reads);
    expect(manifests.map((m) => m.mediaType)).toEqual(
      Array(IN_FLIGHT).fill('application/vnd.oci.image.manifest.v1+json'),
    );
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
  });

  it('an abandon cuts every request in flight as an interruption, and sends nothing after', async () => {
    const { arrived } = await holdingServer();
    const stop = new AbortController();
    const source = connect(stop.signal);
    const reads = Array.from({ length: IN_FLIGHT }, (_, i) =>
      source.getManifest('team/app', `t${i}`).then(
        () => 'answered',
        (error: unknown) => placeAt(error, 'manifest').code,
      ),
    );
    await until(() => arrived() === IN_FLIGHT);

    stop.abort();
    expect(await Promise.all(reads)).toEqual(Array(IN_FLIGHT).fill('INTERRUPTED'));
    await until(() => server!.cut === IN_FLIGHT);

    const after = await source.getManifest('team/app', 'late').then(
      () => 'answered',
      (error: unknown) => placeAt(error, 'manifest').code,
    );
    expect(after).toBe('INTERRUPTED');
    expect(arrived()).toBe(IN_FLIGHT);
  });
});
