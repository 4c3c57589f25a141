// verify: blobs over the in-memory fakes: a tag Harbor lists with the source's digest is checked
// whole there (a HEAD per blob and manifest, once per repository and digest), and what Harbor lost
// is reported (dry run) or pushed again (sync); what the source lost too fails the tag with a code
// of its own. Harbor is damaged as a garbage collection damages it: content gone, tags kept.
import { describe, expect, it } from 'vitest';
import { decideOutcome } from '../../src/report/outcome.ts';
import { fakes, image, itemOf, sync, twoPlatformIndex, type Fakes } from '../harness/engine-harness.ts';
import { FakeRegistry, type Call } from '../harness/fake-registry.ts';

const WRITES = new Set(['putManifest', 'startUpload', 'finishUpload']);
const writes = (f: Fakes): Call[] => f.harbor.registry.calls.filter((c) => WRITES.has(c.method));
const WHOLE = 'already in Harbor with the same digest, checked whole';

/** team/app:1 and team/app:2 sharing a base layer, and team/multi:1 an index, in both registries. */
function mirrored() {
  const f = fakes();
  const one = image('one', ['base layer', 'one layer']);
  const two = image('two', ['base layer', 'two layer']);
  const multi = twoPlatformIndex('multi');
  for (const registry of [f.source, f.harbor.registry]) {
    registry.addImage('team/app', '1', one);
    registry.addImage('team/app', '2', two);
    registry.addIndex('team/multi', '1', multi);
  }
  f.harbor.addProject('team');
  const base = one.blobs[1]!; // config first, then the layers
  return { f, one, two, multi, base };
}

const images = ['team/app:1', 'team/app:2', 'team/multi:1'];

describe('verify: digest (the default)', () => {
  it('skips a tag Harbor holds with the same digest without asking Harbor for any blob', async () => {
    const { f, base } = mirrored();
    f.harbor.registry.damage({ blobs: [base.digest] });
    const result = await sync(f, { images });
    for (const source of images)
      expect(itemOf(result, source)).toMatchObject({
        status: 'skipped',
        reason: 'already in Harbor with the same digest',
      });
    expect(result.items.some((i) => i.checkedWhole)).toBe(false);
    expect(f.harbor.registry.callsOf('headBlob')).toEqual([]);
    expect(f.harbor.registry.callsOf('headManifest')).toEqual([]);
  });
});

describe('verify: blobs', () => {
  it('checks a whole Harbor with one HEAD per repository and digest, reads the source by GET, writes nothing', async () => {
    const { f, one, two, multi } = mirrored();
    const result = await sync(f, { images, verify: 'blobs' });
    for (const source of images)
      expect(itemOf(result, source)).toMatchObject({ status: 'skipped', reason: WHOLE, checkedWhole: true });
    const heads = (method: 'headBlob' | 'headManifest') =>
      f.harbor.registry
        .callsOf(method)
        .map((c) => `${c.repository} ${c.digest ?? c.reference}`)
        .sort();
    const uniqueBlobs = [
      ...new Set([...one.blobs, ...two.blobs].map((b) => `team/app ${b.digest}`)),
      ...new Set(multi.children.flatMap((c) => c.image.blobs).map((b) => `team/multi ${b.digest}`)),
    ].sort();
    expect(heads('headBlob')).toEqual(uniqueBlobs);
    expect(heads('headManifest')).toEqual(
      [
        `team/app ${one.digest}`,
        `team/app ${two.digest}`,
        `team/multi ${multi.digest}`,
        ...multi.children.map((c) => `team/multi ${c.image.digest}`),
      ].sort(),
    );
    // The source: the tag's manifest by GET instead of its HEAD, children by digest; no blob asked.
    expect(f.source.callsOf('headManifest')).toEqual([]);
    expect(f.source.callsOf('getManifest').map((c) => c.reference)).toEqual(
      expect.arrayContaining(['1', '2', ...multi.children.map((c) => c.image.digest)]),
    );
    expect(f.source.callsOf('headBlob')).toEqual([]);
    expect(writes(f)).toEqual([]);
  });

  it('in a dry run reports a tag Harbor cannot serve whole as broken, naming what is missing, and writes nothing', async () => {
    const { f, base, multi } = mirrored();
    const child = multi.children[1]!.image;
    f.harbor.registry.damage({ blobs: [base.digest], manifests: [child.digest] });
    const result = await sync(f, { images, verify: 'blobs', dryRun: true });

    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'broken',
      checkedWhole: true,
      harborMissing: [{ digest: base.digest, kind: 'blob', size: base.size }],
      reason: `Harbor lacks 1 of 3 blobs: would repair from the source, uploading up to ${base.size} B`,
    });
    expect(itemOf(result, 'team/app:2')).toMatchObject({ status: 'broken', harborMissing: [{ digest: base.digest }] });
    expect(itemOf(result, 'team/multi:1')).toMatchObject({
      status: 'broken',
      harborMissing: [{ digest: child.digest, kind: 'manifest', size: child.manifest.length }],
      reason: 'Harbor lacks 1 of 3 manifests: would repair from the source',
    });
    expect(writes(f)).toEqual([]);
    // The base layer once, however many tags lack it.
    expect(result.bytesPlanned).toBe(base.size);
    expect(decideOutcome(result, 'pending')).toMatchObject({ ok: false, exitCode: 1 });
    expect(decideOutcome(result, 'failed')).toEqual({ ok: true, exitCode: 0 });
  });

  it('in a sync pushes again what Harbor lacks, once, and a check after it finds Harbor whole', async () => {
    const { f, base, multi } = mirrored();
    const child = multi.children[1]!.image;
    f.harbor.registry.damage({ blobs: [base.digest], manifests: [child.digest] });
    const result = await sync(f, { images, verify: 'blobs' });

    const app = [itemOf(result, 'team/app:1'), itemOf(result, 'team/app:2')];
    for (const item of app)
      expect(item).toMatchObject({ status: 'broken', checkedWhole: true, harborMissing: [{ digest: base.digest }] });
    expect(app.map((i) => i.reason)).toEqual([
      'Harbor lacked 1 of 3 blobs; repaired from the source',
      'Harbor lacked 1 of 3 blobs; repaired from the source',
    ]);
    // One upload of the base layer; the other tag counts it as existing.
    expect(app.map((i) => i.blobs?.uploaded).sort()).toEqual([0, 1]);
    expect(app.reduce((n, i) => n + (i.blobs?.bytesUploaded ?? 0), 0)).toBe(base.size);
    expect(f.harbor.registry.callsOf('finishUpload')).toHaveLength(1);
    expect(itemOf(result, 'team/multi:1')).toMatchObject({
      status: 'broken',
      reason: 'Harbor lacked 1 of 3 manifests; repaired from the source',
    });
    // The child by its digest; nothing re-pushed under a tag.
    expect(f.harbor.registry.callsOf('putManifest').map((c) => c.reference)).toEqual([child.digest]);
    expect(f.harbor.registry.blob('team/app', base.digest)).toEqual(base.data);
    expect(f.harbor.registry.manifest('team/multi', child.digest)?.bytes).toEqual(child.manifest);

    const after = await sync(f, { images, verify: 'blobs', dryRun: true });
    for (const source of images) expect(itemOf(after, source)).toMatchObject({ status: 'skipped', reason: WHOLE });
    expect(decideOutcome(after, 'pending')).toEqual({ ok: true, exitCode: 0 });
  });

  it('catches a manifest Harbor answered 201 for but does not serve: skipped by digest, broken and repaired with verify: blobs', async () => {
    const f = fakes();
    const multi = twoPlatformIndex('multi');
    f.source.addIndex('team/multi', '1', multi);
    f.harbor.addProject('team');
    const child = multi.children[0]!.image;
    const first = await sync(f, { images: ['team/multi:1'] });
    // "Migrated" rests on Harbor's answers (docs/report.md): every PUT's 201 and digest.
    expect(itemOf(first, 'team/multi:1')).toMatchObject({ status: 'migrated' });
    expect(f.harbor.registry.callsOf('putManifest').map((c) => c.reference)).toContain(child.digest);
    // Harbor did not keep the child it answered 201 for (a registry refuses an index whose
    // children it lacks at the index's PUT, so it goes missing after: never kept, or lost).
    f.harbor.registry.damage({ manifests: [child.digest] });
    const plain = await sync(f, { images: ['team/multi:1'] });
    expect(itemOf(plain, 'team/multi:1')).toMatchObject({ status: 'skipped' }); // the digest still matches

    const audit = await sync(f, { images: ['team/multi:1'], verify: 'blobs' });
    expect(itemOf(audit, 'team/multi:1')).toMatchObject({
      status: 'broken',
      harborMissing: [{ digest: child.digest, kind: 'manifest' }],
    });
    expect(f.harbor.registry.manifest('team/multi', child.digest)?.bytes).toEqual(child.manifest);
    const after = await sync(f, { images: ['team/multi:1'], verify: 'blobs', dryRun: true });
    expect(itemOf(after, 'team/multi:1')).toMatchObject({ status: 'skipped', reason: WHOLE });
  });

  it('pushes a lost top manifest by its digest, not under the tag (an immutability rule refuses that)', async () => {
    const { f, one } = mirrored();
    f.harbor.registry.damage({ manifests: [one.digest] });
    const result = await sync(f, { images: ['team/app:1'], verify: 'blobs' });
    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'broken',
      harborMissing: [{ digest: one.digest, kind: 'manifest' }],
    });
    expect(f.harbor.registry.callsOf('putManifest').map((c) => c.reference)).toEqual([one.digest]);
    expect(f.harbor.registry.manifest('team/app', '1')?.bytes).toEqual(one.manifest);
  });

  it('mounts a lost blob from another Harbor repository that still serves it', async () => {
    const { f, base, one } = mirrored();
    for (const registry of [f.source, f.harbor.registry]) registry.addImage('team/other', '1', one);
    f.harbor.registry.unlinkBlob('team/app', base.digest);
    // The other repository is checked first (concurrency 1): the audit notes where the blob is.
    const result = await sync(f, { images: ['team/other:1', 'team/app:1'], verify: 'blobs' });
    expect(itemOf(result, 'team/other:1')).toMatchObject({ status: 'skipped', reason: WHOLE });
    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'broken',
      blobs: { total: 1, mounted: 1, uploaded: 0, bytesUploaded: 0 },
    });
    expect(f.harbor.registry.callsOf('startUpload')).toEqual([
      { method: 'startUpload', repository: 'team/app', digest: base.digest, mountFrom: 'team/other' },
    ]);
  });

  it('fails a tag whose lost blob the source lacks too, naming it, and writes nothing for it', async () => {
    const f = fakes();
    const img = image('gone', ['kept layer', 'lost layer']);
    const lost = img.blobs[2]!;
    f.source.addImage('team/app', '1', img, { without: [lost.digest] });
    f.harbor.registry.addImage('team/app', '1', img);
    f.harbor.addProject('team');
    f.harbor.registry.damage({ blobs: [lost.digest] });
    const result = await sync(f, { images: ['team/app:1'], verify: 'blobs' });
    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'failed',
      checkedWhole: true,
      harborMissing: [{ digest: lost.digest, kind: 'blob' }],
      error: {
        step: 'verify',
        errorCode: 'BROKEN_UNREPAIRABLE',
        message: `team/app:1 in Harbor lacks 1 of 3 blobs, and the source lacks it too: ${lost.digest}`,
      },
    });
    expect(writes(f)).toEqual([]);
  });

  it('fails a tag whose lost index child the source lacks too', async () => {
    const f = fakes();
    const multi = twoPlatformIndex('multi');
    const child = multi.children[0]!.image;
    f.source.addIndex('team/multi', '1', multi, { without: [child.digest] });
    f.harbor.registry.addIndex('team/multi', '1', multi);
    f.harbor.addProject('team');
    f.harbor.registry.damage({ manifests: [child.digest] });
    const result = await sync(f, { images: ['team/multi:1'], verify: 'blobs', dryRun: true });
    expect(itemOf(result, 'team/multi:1')).toMatchObject({
      status: 'failed',
      harborMissing: [{ digest: child.digest, kind: 'manifest' }],
      error: { errorCode: 'BROKEN_UNREPAIRABLE' },
    });
    expect(itemOf(result, 'team/multi:1').error?.message).toContain(child.digest);
  });

  it('repairs from upstream-registry what Harbor and the source both lost', async () => {
    const f = fakes();
    const img = image('cached', ['kept layer', 'lost layer']);
    const lost = img.blobs[2]!;
    const upstream = new FakeRegistry({ host: 'upstream.test' });
    upstream.addImage('team/app', '1', img);
    f.clients.upstream = upstream;
    f.source.addImage('team/app', '1', img, { without: [lost.digest] });
    f.harbor.registry.addImage('team/app', '1', img);
    f.harbor.addProject('team');
    f.harbor.registry.damage({ blobs: [lost.digest] });
    const result = await sync(f, {
      images: ['team/app:1'],
      verify: 'blobs',
      upstream: { url: 'https://upstream.test' },
    });
    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'broken',
      reason: 'Harbor lacked 1 of 3 blobs; repaired from the source and upstream upstream.test',
      blobs: { uploaded: 1 },
    });
    expect(upstream.callsOf('getBlob').map((c) => c.digest)).toEqual([lost.digest]);
    expect(f.harbor.registry.blob('team/app', lost.digest)).toEqual(lost.data);
  });

  it('copies a tag that moved at the source from the manifests it read for the check, reading them once', async () => {
    const f = fakes();
    const old = image('old');
    const moved = image('moved');
    f.source.addImage('team/app', '1', moved);
    f.harbor.registry.addImage('team/app', '1', old);
    f.harbor.addProject('team');
    const result = await sync(f, { images: ['team/app:1'], verify: 'blobs' });
    expect(itemOf(result, 'team/app:1')).toMatchObject({
      status: 'migrated',
      digest: moved.digest,
      previousDigest: old.digest,
    });
    expect(f.source.callsOf('getManifest', { reference: '1' })).toHaveLength(1);
    expect(f.source.callsOf('headManifest')).toEqual([]);
    expect(f.harbor.registry.tagDigest('team/app', '1')).toBe(moved.digest);
  });

  it('checks a tag matching immutable-tags too: it reads the source for it', async () => {
    const { f, base } = mirrored();
    f.harbor.registry.damage({ blobs: [base.digest] });
    const result = await sync(f, { images: ['team/app:1'], verify: 'blobs', immutableTags: [/^\d+$/] });
    expect(itemOf(result, 'team/app:1')).toMatchObject({ status: 'broken', harborMissing: [{ digest: base.digest }] });
  });

  it('checks the signatures that follow a tag the same way, a broken tag included', async () => {
    const f = fakes();
    const app = image('signed');
    const signature = image('signature', ['signature payload'], 'oci');
    const sigTag = `sha256-${app.digest.slice('sha256:'.length)}.sig`;
    for (const registry of [f.source, f.harbor.registry]) {
      registry.addImage('team/app', '1', app);
      registry.addImage('team/app', sigTag, signature);
    }
    f.harbor.addProject('team');
    f.harbor.registry.damage({ blobs: [app.blobs[1]!.digest, signature.blobs[1]!.digest] });
    const result = await sync(f, { images: ['team/app:1'], verify: 'blobs', includeSignatures: true });
    expect(itemOf(result, 'team/app:1')).toMatchObject({ status: 'broken' });
    expect(itemOf(result, `team/app:${sigTag}`)).toMatchObject({
      status: 'broken',
      harborMissing: [{ digest: signature.blobs[1]!.digest, kind: 'blob' }],
    });
    expect(f.harbor.registry.blob('team/app', signature.blobs[1]!.digest)).toBeDefined();
  });
});
