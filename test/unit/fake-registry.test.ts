// The in-memory fakes the engine tests stand on answer as distribution and Harbor do: a fake that
// accepts what a registry refuses would let an engine bug pass.
import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { isRegistryError } from '../../src/errors/registry.ts';
import { FakeHarborApi } from '../harness/fake-harbor-api.ts';
import { FakeRegistry } from '../harness/fake-registry.ts';
import { sha256 } from '../harness/images.ts';
import { image, twoPlatformIndex } from '../harness/engine-harness.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => expect.fail('expected a refusal'),
    (error: unknown) => error,
  );
}

async function upload(registry: FakeRegistry, repository: string, data: Buffer, digest = sha256(data)): Promise<void> {
  const start = await registry.startUpload(repository);
  if (start.mounted) throw new Error('mounted without being asked to');
  await registry.finishUpload(start.location, digest, data.length, Readable.from([data]));
}

describe('FakeRegistry', () => {
  it('refuses a manifest whose blobs the repository lacks, with 400 MANIFEST_BLOB_UNKNOWN naming them', async () => {
    const registry = new FakeRegistry();
    const app = image('app');
    registry.addImage('other/app', '1', app); // elsewhere in the registry does not count
    const error = await rejection(registry.putManifest('team/app', '1', app.manifest, app.mediaType));
    expect(isRegistryError(error) && error.status).toBe(400);
    expect(isRegistryError(error) && error.errors.map((e) => [e.code, e.detail])).toEqual(
      app.blobs.map((b) => ['MANIFEST_BLOB_UNKNOWN', b.digest]),
    );
    expect(registry.manifest('team/app', '1')).toBeUndefined();
  });

  it('refuses an index whose children are not there yet, and takes it once they are', async () => {
    const registry = new FakeRegistry();
    const index = twoPlatformIndex('multi');
    const error = await rejection(registry.putManifest('team/multi', '1', index.manifest, index.mediaType));
    expect(isRegistryError(error) && error.registryCode).toBe('MANIFEST_BLOB_UNKNOWN');
    for (const { image: child } of index.children) {
      for (const blob of child.blobs) await upload(registry, 'team/multi', blob.data);
      expect(await registry.putManifest('team/multi', child.digest, child.manifest, child.mediaType)).toBe(
        child.digest,
      );
    }
    expect(await registry.putManifest('team/multi', '1', index.manifest, index.mediaType)).toBe(index.digest);
    expect(registry.manifest('team/multi', '1')?.bytes.equals(index.manifest)).toBe(true);
  });

  it('commits an upload only when the bytes hash to the digest (400 DIGEST_INVALID), and a session once', async () => {
    const registry = new FakeRegistry();
    const data = Buffer.from('layer');
    const error = await rejection(upload(registry, 'team/app', Buffer.from('LAYER'), sha256(data)));
    expect(isRegistryError(error) && [error.status, error.registryCode, error.code]).toEqual([
      400,
      'DIGEST_INVALID',
      'DIGEST_MISMATCH',
    ]);
    expect(registry.blob('team/app', sha256(data))).toBeUndefined();
    const start = await registry.startUpload('team/app');
    if (start.mounted) throw new Error('unexpected mount');
    await registry.finishUpload(start.location, sha256(data), data.length, Readable.from([data]));
    const again = await rejection(
      registry.finishUpload(start.location, sha256(data), data.length, Readable.from([data])),
    );
    expect(isRegistryError(again) && [again.status, again.registryCode]).toEqual([404, 'BLOB_UPLOAD_UNKNOWN']);
  });

  it('mounts only from a repository holding the blob; otherwise opens a session', async () => {
    const registry = new FakeRegistry();
    const digest = registry.addBlob('team/a', Buffer.from('base'));
    expect(await registry.startUpload('team/b', { digest, repository: 'team/a' })).toEqual({ mounted: true });
    expect(registry.blob('team/b', digest)?.toString()).toBe('base');
    const declined = await registry.startUpload('team/c', { digest, repository: 'team/nowhere' });
    expect(declined.mounted).toBe(false);
    expect(registry.blob('team/c', digest)).toBeUndefined();
  });

  it('answers a missing manifest or blob with distribution 404 errors', async () => {
    const registry = new FakeRegistry({ host: 'source.test' });
    registry.addImage('team/app', '1', image('app'));
    const manifest = await rejection(registry.getManifest('team/app', '2'));
    expect(isRegistryError(manifest) && [manifest.status, manifest.registryCode, manifest.message]).toEqual([
      404,
      'MANIFEST_UNKNOWN',
      'GET /v2/team/app/manifests/2 on source.test: 404 MANIFEST_UNKNOWN: manifest unknown',
    ]);
    const blob = await rejection(registry.getBlob('team/app', sha256('nothing')));
    expect(isRegistryError(blob) && [blob.status, blob.registryCode]).toEqual([404, 'BLOB_UNKNOWN']);
    expect(await registry.headBlob('team/app', sha256('nothing'))).toBeUndefined();
  });
});

describe('FakeHarborApi', () => {
  it('refuses /v2 requests into a project that does not exist, as Harbor does', async () => {
    const harbor = new FakeHarborApi();
    const error = await rejection(harbor.registry.startUpload('team/app'));
    expect(isRegistryError(error) && [error.status, error.registryCode]).toEqual([401, 'UNAUTHORIZED']);
    expect(await harbor.createProject('team', 'private')).toBe(true);
    expect(await harbor.createProject('team', 'private')).toBe(false);
    expect((await harbor.registry.startUpload('team/app')).mounted).toBe(false);
  });

  it('lists an index as one artifact (its untagged children are not listed)', async () => {
    const harbor = new FakeHarborApi().addProject('team');
    const index = twoPlatformIndex('multi');
    harbor.registry.addIndex('team/multi', '1', index);
    const listing = await harbor.tagDigests('team', 'multi');
    expect(listing).toEqual({ tags: new Map([['1', index.digest]]), pushedAt: new Map(), artifacts: 1 });
    expect(await harbor.tagDigests('team', 'unknown')).toEqual({ tags: new Map(), pushedAt: new Map(), artifacts: 0 });
  });
});
