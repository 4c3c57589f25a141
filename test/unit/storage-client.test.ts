// The storage source on hand-built layouts: what a repository links decides what it holds,
// exactly as the registry answers, and damage is reported with the file's path.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rm, truncate, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { openStorageSource, type StorageSource } from '../../src/registry/storage/open-storage.js';
import { storageLocation } from '../../src/sources/storage.js';
import { isHarborSyncError } from '../../src/errors/base.js';
import { LayoutBuilder, digestOf } from '../harness/storage-helpers.ts';

let layout: LayoutBuilder;
let source: StorageSource;

beforeAll(async () => {
  layout = await LayoutBuilder.create();
  source = await openStorageSource(storageLocation(`dir://${layout.dir}`));
});
afterAll(async () => {
  await source?.close();
  await rm(layout.dir, { recursive: true, force: true });
});

async function rejection(
  promise: Promise<unknown>,
): Promise<{ status?: number; code?: string; registryCode?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isHarborSyncError(error), `expected a HarborSyncError, got ${String(error)}`).toBe(true);
  return error as { status?: number; code?: string; registryCode?: string; message: string };
}

describe('repositories and tags', () => {
  it('finds multi-level names, nested names, and skips directories without _manifests', async () => {
    await layout.image('a/b/c', '1', ['c-layer']);
    await layout.image('a/b', '1', ['ab-layer']);
    await layout.image('solo', 'latest', ['solo-layer']);
    await mkdir(join(layout.root, 'repositories', 'empty', 'dir'), { recursive: true });
    expect(await source.listRepositories()).toEqual(['a/b', 'a/b/c', 'solo']);
  });

  it('lists tags sorted; an unknown repository is NAME_UNKNOWN', async () => {
    const m = await layout.manifest('tags/repo', { schemaVersion: 2, manifests: [] });
    for (const tag of ['b', 'a', '1.0']) await layout.tag('tags/repo', tag, m.digest);
    expect(await source.listTags('tags/repo')).toEqual(['1.0', 'a', 'b']);
    expect(await rejection(source.listTags('no/such'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      registryCode: 'NAME_UNKNOWN',
    });
  });

  it('refuses names that could leave the root', async () => {
    expect(await rejection(source.listTags('../../etc'))).toMatchObject({
      status: 400,
      code: 'NAME_INVALID',
      registryCode: 'NAME_INVALID',
    });
    expect(await rejection(source.headManifest('solo', '../x'))).toMatchObject({ status: 400 });
  });

  it('lists revisions, tagged or not', async () => {
    const tagged = await layout.image('rev/repo', '1', ['r1']);
    const untagged = await layout.manifest('rev/repo', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
    });
    expect(await source.listRevisions('rev/repo')).toEqual([tagged.digest, untagged.digest].sort());
  });
});

describe('manifests', () => {
  it('reads by tag and by digest, with the body media type and the bytes digest', async () => {
    const image = await layout.image('m/one', '1', ['m1']);
    const byTag = await source.getManifest('m/one', '1');
    expect(byTag.bytes.equals(image.bytes)).toBe(true);
    expect(byTag.digest).toBe(image.digest);
    expect(byTag.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect((await source.getManifest('m/one', image.digest)).digest).toBe(image.digest);
    expect(await source.headManifest('m/one', '1')).toEqual({
      digest: image.digest,
      mediaType: byTag.mediaType,
      size: image.bytes.length,
    });
  });

  it('detects the media type from the shape when the body has none', async () => {
    const m = await layout.manifest('m/shape', { schemaVersion: 2, manifests: [] });
    await layout.tag('m/shape', '1', m.digest);
    expect((await source.getManifest('m/shape', '1')).mediaType).toBe('application/vnd.oci.image.index.v1+json');
  });

  it('a manifest not linked under revisions is absent from the repository, even with a tag on it', async () => {
    const other = await layout.image('m/owner', '1', ['m2']);
    await layout.tag('m/borrower', '1', other.digest);
    expect(await source.headManifest('m/borrower', '1')).toBeUndefined();
    expect(await source.headManifest('m/borrower', other.digest)).toBeUndefined();
    expect(await rejection(source.getManifest('m/borrower', '1'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      registryCode: 'MANIFEST_UNKNOWN',
    });
    expect(await source.headManifest('m/owner', 'no-such-tag')).toBeUndefined();
  });

  it('a corrupt tag link fails with the file named', async () => {
    await layout.image('m/corrupt', '1', ['m3']);
    const link = layout.tagLink('m/corrupt', '1');
    await writeFile(link, 'sha256:not-hex');
    const error = await rejection(source.headManifest('m/corrupt', '1'));
    expect(error.status).toBeUndefined();
    expect(error.code).toBe('STORAGE_CORRUPT');
    expect(error.message).toContain(link);
  });

  it('a revision link pointing at another digest is corrupt', async () => {
    const image = await layout.image('m/crossed', '1', ['m4']);
    await writeFile(layout.revisionLink('m/crossed', image.digest), digestOf('something else'));
    expect((await rejection(source.headManifest('m/crossed', '1'))).message).toContain(
      layout.revisionLink('m/crossed', image.digest),
    );
  });

  it('manifest bytes that do not hash to their digest are reported', async () => {
    const image = await layout.image('m/damaged', '1', ['m5']);
    await writeFile(layout.blobPath(image.digest), image.bytes.subarray(0, 10));
    const error = await rejection(source.getManifest('m/damaged', image.digest));
    expect(error.message).toContain(layout.blobPath(image.digest));
  });

  it('write methods refuse: the source is read-only', async () => {
    expect((await rejection(source.putManifest('x', '1', Buffer.from('{}'), 'application/json'))).message).toMatch(
      /read-only/,
    );
    expect((await rejection(source.startUpload('x'))).message).toMatch(/read-only/);
  });
});

describe('blobs', () => {
  it('is there only when the repository links it under _layers', async () => {
    const image = await layout.image('b/owner', '1', ['0123456789']);
    const layer = image.blobs[1]!;
    expect(await source.headBlob('b/owner', layer)).toBe(10);
    expect(await source.headBlob('b/stranger', layer)).toBeUndefined(); // in blobs/, not linked
    expect(await rejection(source.getBlob('b/stranger', layer))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      registryCode: 'BLOB_UNKNOWN',
    });
    const got = await source.getBlob('b/owner', layer);
    expect(got.size).toBe(10);
    expect(await text(got.body)).toBe('0123456789');
  });

  it('a link whose data file is gone is absent (404), as the registry answers', async () => {
    const image = await layout.image('b/gone', '1', ['gone-layer']);
    const layer = image.blobs[1]!;
    await rm(layout.blobPath(layer));
    expect(await source.headBlob('b/gone', layer)).toBeUndefined();
  });

  it('a corrupt layer link fails with the file named', async () => {
    const image = await layout.image('b/corrupt', '1', ['corrupt-link-layer']);
    const link = layout.layerLink('b/corrupt', image.blobs[1]!);
    await writeFile(link, 'garbage\n');
    const error = await rejection(source.headBlob('b/corrupt', image.blobs[1]!));
    expect(error.code).toBe('STORAGE_CORRUPT');
    expect(error.message).toContain(link);
  });

  it('a truncated data file: HEAD says its size, reading it fails naming the file', async () => {
    const image = await layout.image('b/short', '1', ['x'.repeat(1000)]);
    const layer = image.blobs[1]!;
    await truncate(layout.blobPath(layer), 400);
    expect(await source.headBlob('b/short', layer)).toBe(400);
    const got = await source.getBlob('b/short', layer);
    const error = await text(got.body).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(layout.blobPath(layer));
    expect(error?.message).toMatch(/truncated or damaged/);
  });

  it('an invalid digest is DIGEST_INVALID', async () => {
    expect(await rejection(source.headBlob('b/owner', 'sha256:xyz'))).toMatchObject({
      status: 400,
      registryCode: 'DIGEST_INVALID',
    });
  });
});
