// The engine over in-memory registries: how each tag is classified (migrated, skipped, re-pointed,
// stale, incomplete, failed) and what Harbor holds afterwards. Copy order, mounts and retries are
// in engine-copy.test.ts; interruption and fatal errors in engine-run.test.ts.
import { describe, it, expect } from 'vitest';
import { MEDIA } from '../harness/images.ts';
import { fakes, image, itemOf, schema1Manifest, sync } from '../harness/engine-harness.ts';

describe('engine: a new tag', () => {
  it('is migrated: project created, blobs and manifest byte-identical in Harbor', async () => {
    const f = fakes();
    const app = image('app', ['layer one', 'layer two']);
    f.source.addImage('team/app', '1', app);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(result.fatal).toBeUndefined();
    expect(result.projectsCreated).toEqual(['team']);
    const item = itemOf(result, 'team/app:1');
    expect(item).toMatchObject({
      target: 'team/app:1',
      status: 'migrated',
      digest: app.digest,
      mediaType: MEDIA.dockerManifest,
    });
    const size = app.blobs.reduce((n, b) => n + b.size, 0);
    expect(item.size).toBe(size);
    expect(item.blobs).toEqual({ total: 3, uploaded: 3, mounted: 0, existing: 0, bytesUploaded: size });
    expect(item.previousDigest).toBeUndefined();
    expect(item.retries).toBeUndefined();
    // What Harbor holds: the same bytes under the same digests.
    const stored = f.harbor.registry.manifest('team/app', '1');
    expect(stored?.bytes.equals(app.manifest)).toBe(true);
    expect(stored?.mediaType).toBe(MEDIA.dockerManifest);
    expect(f.harbor.registry.tagDigest('team/app', '1')).toBe(app.digest);
    for (const blob of app.blobs) expect(f.harbor.registry.blob('team/app', blob.digest)?.equals(blob.data)).toBe(true);
    expect(f.harbor.projects.get('team')).toBe('private');
    expect(f.source.closed && f.harbor.registry.closed && f.harbor.closed).toBe(true);
  });

  it('a single-level name lands in default-project; a whole repository brings every tag', async () => {
    const f = fakes();
    const one = image('alpine-1');
    const two = image('alpine-2');
    f.source.addImage('alpine', '3.19', one);
    f.source.addImage('alpine', '3.20', two);
    f.harbor.addProject('library');

    const result = await sync(f, { images: ['alpine'] });

    expect(result.items.map((i) => [i.source, i.target, i.status]).sort()).toEqual([
      ['alpine:3.19', 'library/alpine:3.19', 'migrated'],
      ['alpine:3.20', 'library/alpine:3.20', 'migrated'],
    ]);
    expect(result.projectsCreated).toEqual([]);
    expect(f.harbor.callsOf('createProject')).toEqual([]);
    expect(f.harbor.registry.tags('library/alpine')).toEqual(['3.19', '3.20']);
    expect(f.harbor.registry.tagDigest('library/alpine', '3.20')).toBe(two.digest);
  });
});

describe('engine: a tag Harbor already has', () => {
  it('is skipped with no blob or manifest call to Harbor and only a HEAD on the source', async () => {
    const f = fakes();
    const app = image('app');
    f.source.addImage('team/app', '1', app);
    f.harbor.addProject('team');
    f.harbor.registry.addImage('team/app', '1', app);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'skipped',
      digest: app.digest,
      reason: 'already in Harbor with the same digest',
    });
    expect(result.items).toHaveLength(1);
    // Harbor's registry was not asked anything: the artifact listing answered for the tag.
    expect(f.harbor.registry.calls).toEqual([]);
    expect(f.harbor.calls.map((c) => c.method)).toEqual([
      'ping',
      'whoami',
      'version',
      'projectExists',
      'projectSettings',
      'tagDigests',
    ]);
    expect(f.harbor.callsOf('tagDigests')).toEqual([{ method: 'tagDigests', args: ['team', 'app'] }]);
    expect(f.source.calls).toEqual([
      { method: 'ping' },
      { method: 'headManifest', repository: 'team/app', reference: '1' },
    ]);
  });

  it('with another digest is re-pointed: migrated with previousDigest, the old artifact kept by digest', async () => {
    const f = fakes();
    const old = image('app-old', ['base layer', 'old layer']);
    const current = image('app-new', ['base layer', 'new layer']);
    f.source.addImage('team/app', '1', current);
    f.harbor.addProject('team');
    f.harbor.registry.addImage('team/app', '1', old);

    const result = await sync(f, { images: ['team/app:1'] });

    const item = itemOf(result, 'team/app:1');
    expect(item).toMatchObject({ status: 'migrated', digest: current.digest, previousDigest: old.digest });
    // The shared base layer was found in Harbor, not sent again; config and new layer went up.
    expect(item.blobs).toMatchObject({ total: 3, uploaded: 2, existing: 1, mounted: 0 });
    expect(
      f.harbor.registry
        .callsOf('finishUpload')
        .map((c) => c.digest)
        .sort(),
    ).toEqual([current.blobs[0]!.digest, current.blobs[2]!.digest].sort());
    expect(f.harbor.registry.tagDigest('team/app', '1')).toBe(current.digest);
    expect(f.harbor.registry.manifest('team/app', old.digest)?.bytes.equals(old.manifest)).toBe(true);
    expect(f.harbor.registry.manifest('team/app', '1')?.bytes.equals(current.manifest)).toBe(true);
  });
});

describe('engine: a tag whose content is missing on the source', () => {
  it('is stale when every blob answers 404: nothing written to Harbor, no project created', async () => {
    const f = fakes();
    const app = image('app');
    f.source.addImage('team/app', 'cached', app, { without: app.blobs.map((b) => b.digest) });

    const result = await sync(f, { images: ['team/app:cached'] });

    const item = itemOf(result, 'team/app:cached');
    expect(item).toMatchObject({
      status: 'stale',
      digest: app.digest,
      reason: 'all 2 blobs answer 404 on the source (the manifest is there, its content is not)',
    });
    expect([...item.missing!].sort()).toEqual(app.blobs.map((b) => b.digest).sort());
    expect(item.error).toBeUndefined();
    expect(f.harbor.registry.calls).toEqual([]);
    expect(f.harbor.callsOf('createProject')).toEqual([]);
    expect(result.projectsCreated).toEqual([]);
  });

  it('is incomplete when some blobs answer 404, naming them', async () => {
    const f = fakes();
    const app = image('app', ['kept layer', 'lost layer']);
    const lost = app.blobs[2]!.digest;
    f.source.addImage('team/app', '1', app, { without: [lost] });

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'incomplete',
      missing: [lost],
      reason: '1 of 3 blobs answer 404 on the source',
    });
    expect(f.harbor.registry.calls).toEqual([]);
    expect(f.harbor.registry.manifestDigests('team/app')).toEqual([]);
  });

  it('fails with NOT_FOUND at discover when the tag is not on the source', async () => {
    const f = fakes();
    f.source.addImage('team/app', '1', image('app'));

    const result = await sync(f, { images: ['team/app:2'] });

    expect(itemOf(result, 'team/app:2')).toMatchObject({
      status: 'failed',
      error: {
        step: 'discover',
        errorCode: 'NOT_FOUND',
        status: 404,
        code: 'MANIFEST_UNKNOWN',
        message: 'team/app:2 not found on the source',
      },
    });
    expect(f.source.callsOf('getManifest')).toEqual([
      { method: 'getManifest', repository: 'team/app', reference: '2' },
    ]);
    expect(f.harbor.registry.calls).toEqual([]);
  });

  it('a declared repository with no tags on the source fails at discover', async () => {
    const f = fakes();

    const result = await sync(f, { images: ['team/ghost'] });

    expect(itemOf(result, 'team/ghost:*')).toMatchObject({
      status: 'failed',
      error: { step: 'discover', errorCode: 'NOT_FOUND', status: 404, code: 'NAME_UNKNOWN' },
    });
  });
});

describe('engine: manifests it cannot copy', () => {
  it('fails a manifest that is not JSON with MANIFEST_INVALID at step manifest, before any blob moves', async () => {
    const f = fakes();
    f.source.addManifest('team/app', 'broken', Buffer.from('<html>502 Bad Gateway</html>'), MEDIA.dockerManifest);

    const result = await sync(f, { images: ['team/app:broken'] });

    expect(itemOf(result, 'team/app:broken')).toMatchObject({
      status: 'failed',
      error: {
        step: 'manifest',
        errorCode: 'MANIFEST_INVALID',
        message: 'manifest of team/app:broken is not valid JSON',
      },
    });
    expect(f.source.callsOf('getBlob')).toEqual([]);
    expect(f.source.callsOf('headBlob')).toEqual([]);
    expect(f.harbor.registry.calls).toEqual([]);
  });

  it('skips a Docker schema 1 manifest, saying how to convert it', async () => {
    const f = fakes();
    f.source.addManifest(
      'team/legacy',
      '1',
      schema1Manifest('team/legacy', '1'),
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    );

    const result = await sync(f, { images: ['team/legacy:1'] });

    const item = itemOf(result, 'team/legacy:1');
    expect(item.status).toBe('skipped');
    expect(item.mediaType).toBe('application/vnd.docker.distribution.manifest.v1+prettyjws');
    expect(item.reason).toMatch(/^Docker schema 1 manifest: deprecated, .* re-push the image with a current client/);
    expect(f.harbor.registry.calls).toEqual([]);
  });
});
