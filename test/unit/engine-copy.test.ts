// The engine's copy over in-memory registries: the order writes reach Harbor (nothing references
// what is not there yet, the tag last), a blob crossing the wire once per run (mounted elsewhere),
// and which failures are tried again.
import { describe, it, expect } from 'vitest';
import type { Call } from '../harness/fake-registry.ts';
import { MEDIA } from '../harness/images.ts';
import { fakes, image, itemOf, sync, twoPlatformIndex, type Fakes } from '../harness/engine-harness.ts';

/** Index of the first and last call matching `test`, in Harbor's call log. */
function span(calls: Call[], test: (c: Call) => boolean): { first: number; last: number; count: number } {
  const at = calls.flatMap((c, i) => (test(c) ? [i] : []));
  return { first: at[0] ?? -1, last: at.at(-1) ?? -1, count: at.length };
}

const isDigest = (reference: string | undefined): boolean => reference?.startsWith('sha256:') === true;

describe('engine: copy order', () => {
  it('an index: every blob, then each child manifest by digest, then the index under its tag, last', async () => {
    const f = fakes();
    const index = twoPlatformIndex('multi');
    f.source.addIndex('team/multi', '1', index);

    const result = await sync(f, { images: ['team/multi:1'] });

    const item = itemOf(result, 'team/multi:1');
    expect(item).toMatchObject({
      status: 'migrated',
      digest: index.digest,
      mediaType: MEDIA.ociIndex,
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    // Two configs, the shared base once, two platform layers.
    expect(item.blobs).toMatchObject({ total: 5, uploaded: 5 });
    const calls = f.harbor.registry.calls;
    const blobs = span(
      calls,
      (c) => c.method === 'finishUpload' || (c.method === 'startUpload' && c.mountFrom !== undefined),
    );
    const children = span(calls, (c) => c.method === 'putManifest' && isDigest(c.reference));
    const tag = span(calls, (c) => c.method === 'putManifest' && c.reference === '1');
    expect(blobs.count).toBe(5);
    expect(children.count).toBe(2);
    expect(tag.count).toBe(1);
    expect(blobs.last).toBeLessThan(children.first);
    expect(children.last).toBeLessThan(tag.first);
    expect(tag.first).toBe(calls.length - 1);
    expect(calls.filter((c) => c.method === 'putManifest').map((c) => c.reference)).toEqual([
      ...index.children.map((c) => c.image.digest),
      '1',
    ]);
    // Byte for byte: the index and both children, under the source's digests.
    expect(f.harbor.registry.manifest('team/multi', '1')?.bytes.equals(index.manifest)).toBe(true);
    for (const { image: child } of index.children) {
      expect(f.harbor.registry.manifest('team/multi', child.digest)?.bytes.equals(child.manifest)).toBe(true);
      for (const blob of child.blobs)
        expect(f.harbor.registry.blob('team/multi', blob.digest)?.equals(blob.data)).toBe(true);
    }
  });

  it('a plain image: its blobs before its manifest', async () => {
    const f = fakes();
    const app = image('app', ['a', 'b', 'c'], 'oci');
    f.source.addImage('team/app', '1', app);

    await sync(f, { images: ['team/app:1'] });

    const calls = f.harbor.registry.calls;
    const blobs = span(calls, (c) => c.method === 'finishUpload');
    const manifest = span(calls, (c) => c.method === 'putManifest');
    expect(blobs.count).toBe(4);
    expect(manifest).toEqual({ first: calls.length - 1, last: calls.length - 1, count: 1 });
    expect(blobs.last).toBeLessThan(manifest.first);
    expect(f.harbor.registry.manifest('team/app', '1')?.mediaType).toBe(MEDIA.ociManifest);
  });
});

describe('engine: each blob once per run', () => {
  it('two repositories sharing a layer: uploaded once, mounted into the other', async () => {
    const f = fakes();
    const a = image('a', ['shared base', 'a only']);
    const b = image('b', ['shared base', 'b only']);
    const base = a.blobs[1]!.digest;
    expect(b.blobs[1]!.digest).toBe(base);
    f.source.addImage('team/a', '1', a);
    f.source.addImage('team/b', '1', b);

    const result = await sync(f, { images: ['team/a:1', 'team/b:1'], concurrency: 2 });

    expect(result.items.map((i) => i.status)).toEqual(['migrated', 'migrated']);
    const harbor = f.harbor.registry;
    expect(harbor.callsOf('finishUpload', { digest: base })).toHaveLength(1);
    const mounts = harbor.callsOf('startUpload').filter((c) => c.mountFrom !== undefined);
    expect(mounts).toHaveLength(1);
    const uploadedTo = harbor.callsOf('finishUpload', { digest: base })[0]!.repository;
    const other = uploadedTo === 'team/a' ? 'team/b' : 'team/a';
    expect(mounts[0]).toEqual({ method: 'startUpload', repository: other, digest: base, mountFrom: uploadedTo });
    // Each repository holds the base now, and each tag counts it once.
    expect(harbor.blob('team/a', base)).toBeDefined();
    expect(harbor.blob('team/b', base)).toBeDefined();
    expect(itemOf(result, `${other}:1`).blobs).toMatchObject({ uploaded: 2, mounted: 1 });
    expect(itemOf(result, `${uploadedTo}:1`).blobs).toMatchObject({ uploaded: 3, mounted: 0 });
    // Everything else went up exactly once.
    expect(harbor.callsOf('finishUpload')).toHaveLength(5);
  });

  it('a declined mount uploads through the session the registry opened; a retry opens its own', async () => {
    const f = fakes();
    const a = image('a', ['shared base']);
    const b = image('b', ['shared base']);
    const base = a.blobs[1]!.digest;
    f.source.addImage('team/a', '1', a);
    f.source.addImage('team/b', '1', b);
    f.harbor.registry.declineMounts = true;
    // The upload through the declined mount's session breaks halfway.
    f.harbor.registry.observe((call) => {
      if (call.method === 'startUpload' && call.mountFrom !== undefined) f.source.breakBlobBody(base);
    });

    const result = await sync(f, { images: ['team/a:1', 'team/b:1'] });

    // Both tags copy at once: whichever uploaded the base first, the other asked to mount it.
    const harbor = f.harbor.registry;
    const mountCall = harbor.callsOf('startUpload').find((c) => c.mountFrom !== undefined);
    expect(mountCall).toBeDefined();
    const into = mountCall!.repository!;
    const from = mountCall!.mountFrom!;
    expect(new Set([into, from])).toEqual(new Set(['team/a', 'team/b']));
    expect(itemOf(result, `${into}:1`)).toMatchObject({
      status: 'migrated',
      retries: 1,
      blobs: { uploaded: 2, mounted: 0 },
    });
    // One session for the config, the declined mount's, and a new one for the retry after it.
    const starts = harbor.callsOf('startUpload', { repository: into });
    const mount = starts.findIndex((c) => c.mountFrom !== undefined);
    expect(starts[mount]).toEqual({ method: 'startUpload', repository: into, digest: base, mountFrom: from });
    expect(starts.filter((c) => c.mountFrom === undefined)).toHaveLength(2);
    expect(starts.at(-1)).toEqual({ method: 'startUpload', repository: into });
    expect(mount).toBeLessThan(starts.length - 1);
    expect(harbor.callsOf('finishUpload', { repository: into, digest: base })).toHaveLength(2);
    expect(harbor.blob(into, base)?.equals(Buffer.from('shared base'))).toBe(true);
  });
});

/** A Harbor repository that already holds an artifact: blobs are then checked with a HEAD on the
 * source (not held open as GETs), so the copy's own GET meets the scripted fault first. */
function withOccupiedTarget(): Fakes {
  const f = fakes();
  f.harbor.addProject('team');
  f.harbor.registry.addImage('team/app', 'old', image('old'));
  return f;
}

describe('engine: retries', () => {
  it('a blob whose connection resets mid-body is copied again from the first byte: migrated, retries 1', async () => {
    const f = fakes();
    const app = image('app', ['a layer that breaks']);
    const layer = app.blobs[1]!;
    f.source.addImage('team/app', '1', app);
    f.source.breakBlobBody(layer.digest, 'ECONNRESET', 1);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1')).toMatchObject({ status: 'migrated', retries: 1, digest: app.digest });
    expect(f.source.callsOf('getBlob', { digest: layer.digest })).toHaveLength(2);
    expect(f.harbor.registry.callsOf('finishUpload', { digest: layer.digest })).toHaveLength(2);
    // The retry opened a session of its own.
    expect(f.harbor.registry.callsOf('startUpload')).toHaveLength(3);
    expect(f.harbor.registry.blob('team/app', layer.digest)?.equals(layer.data)).toBe(true);
  });

  it('a blob GET that fails with ECONNRESET is tried again: migrated, retries 1', async () => {
    const f = withOccupiedTarget();
    const app = image('app');
    const layer = app.blobs[1]!;
    f.source.addImage('team/app', '1', app);
    f.source.fail('getBlob', { digest: layer.digest }, { network: 'ECONNRESET' }, 1);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1')).toMatchObject({ status: 'migrated', retries: 1 });
    expect(f.source.callsOf('getBlob', { digest: layer.digest })).toHaveLength(2);
    expect(f.harbor.registry.blob('team/app', layer.digest)?.equals(layer.data)).toBe(true);
  });

  it('the next two GETs of a blob answering 503: migrated on the third, retries 2', async () => {
    const f = withOccupiedTarget();
    const app = image('app');
    const layer = app.blobs[1]!;
    f.source.addImage('team/app', '1', app);
    f.source.fail('getBlob', { digest: layer.digest }, { status: 503, code: 'UNAVAILABLE' }, 2);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1')).toMatchObject({ status: 'migrated', retries: 2 });
    expect(f.source.callsOf('getBlob', { digest: layer.digest })).toHaveLength(3);
  });

  it('a blob that never hashes to its digest fails DIGEST_MISMATCH after exactly one retry; no manifest is pushed', async () => {
    const f = fakes();
    const app = image('app');
    const layer = app.blobs[1]!;
    f.source.addImage('team/app', '1', app);
    f.source.corruptBlob(layer.digest);

    const result = await sync(f, { images: ['team/app:1'] });

    const item = itemOf(result, 'team/app:1');
    expect(item).toMatchObject({ status: 'failed', retries: 1, error: { step: 'blob', errorCode: 'DIGEST_MISMATCH' } });
    expect(item.error?.message).toContain(`does not match the expected ${layer.digest}`);
    expect(f.source.callsOf('getBlob', { digest: layer.digest })).toHaveLength(2);
    expect(f.harbor.registry.callsOf('finishUpload', { digest: layer.digest })).toHaveLength(2);
    expect(f.harbor.registry.blob('team/app', layer.digest)).toBeUndefined();
    expect(f.harbor.registry.callsOf('putManifest')).toEqual([]);
  });

  it('a 404 is never retried: HEAD said the blob is there, its GET says not: failed NOT_FOUND at blob', async () => {
    const f = withOccupiedTarget();
    const app = image('app');
    const layer = app.blobs[1]!;
    f.source.addImage('team/app', '1', app);
    f.source.fail('getBlob', { digest: layer.digest }, { status: 404, code: 'BLOB_UNKNOWN' }, Infinity);

    const result = await sync(f, { images: ['team/app:1'] });

    const item = itemOf(result, 'team/app:1');
    expect(item).toMatchObject({
      status: 'failed',
      error: { step: 'blob', errorCode: 'NOT_FOUND', status: 404, code: 'BLOB_UNKNOWN' },
    });
    expect(item.retries).toBeUndefined();
    expect(f.source.callsOf('headBlob', { digest: layer.digest })).toHaveLength(1);
    expect(f.source.callsOf('getBlob', { digest: layer.digest })).toHaveLength(1);
    expect(f.harbor.registry.callsOf('putManifest')).toEqual([]);
  });

  it('a connection that keeps resetting fails the tag at blob after the configured retries', async () => {
    const f = withOccupiedTarget();
    const app = image('app');
    const layer = app.blobs[1]!;
    f.source.addImage('team/app', '1', app);
    f.source.fail('getBlob', { digest: layer.digest }, { network: 'ECONNRESET' }, Infinity);

    const result = await sync(f, { images: ['team/app:1'], retry: { retries: 2, maxWaitMs: 5, baseMs: 1 } });

    const item = itemOf(result, 'team/app:1');
    expect(item).toMatchObject({ status: 'failed', retries: 2, error: { step: 'blob', errorCode: 'UNREACHABLE' } });
    expect(f.source.callsOf('getBlob', { digest: layer.digest })).toHaveLength(3);
  });
});
