// A tag's manifests are a graph, walked once per digest: a diamond of nested indexes (every index
// of a level listing the same two of the next) is read one GET per manifest and pushed one PUT per
// manifest, children first; a graph past the bounds (depth, count, bytes) fails the tag naming it,
// before it costs more; a cycle fails instead of looping; a 1,000-layer image still copies.
import { describe, expect, it } from 'vitest';
import { MANIFEST_LIMITS, manifestsOf, readManifestGraph } from '../../src/transfer/manifest-graph.ts';
import { fakes, image, itemOf, sync } from '../harness/engine-harness.ts';
import type { FakeRegistry } from '../harness/fake-registry.ts';
import { MEDIA, sha256, type BuiltImage } from '../harness/images.ts';

interface Stored {
  digest: string;
  bytes: Buffer;
}

/** An OCI index listing these manifests (by digest), stored by digest in the repository. */
function index(registry: FakeRegistry, repository: string, children: Stored[], extra = ''): Stored {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: children.map((c) => ({ mediaType: MEDIA.ociIndex, digest: c.digest, size: c.bytes.length })),
      ...(extra && { annotations: { seed: extra } }),
    }),
  );
  const digest = registry.addManifest(repository, sha256(bytes), bytes, MEDIA.ociIndex);
  return { digest, bytes };
}

/**
 * The tester's diamond: an image at the bottom, then `levels` levels of two indexes each, both
 * listing the level below's two (the lowest pair lists the image), and the tag's index on top,
 * listing the highest pair. 2 × levels + 2 manifests, 2^levels ways down to the image.
 */
function diamond(registry: FakeRegistry, repository: string, levels: number): { leaf: BuiltImage; manifests: number } {
  const leaf = image(`${repository} leaf`, ['base layer', 'leaf layer']);
  for (const blob of leaf.blobs) registry.addBlob(repository, blob.data);
  registry.addManifest(repository, leaf.digest, leaf.manifest, leaf.mediaType);
  let pair: Stored[] = [{ digest: leaf.digest, bytes: leaf.manifest }];
  for (let level = levels; level >= 1; level--)
    pair = [index(registry, repository, pair, `${level}a`), index(registry, repository, pair, `${level}b`)];
  const top = index(registry, repository, pair, 'top');
  registry.addManifest(repository, 'diamond', top.bytes, MEDIA.ociIndex);
  return { leaf, manifests: 2 * levels + 2 };
}

describe('a diamond of nested indexes', () => {
  it('44 manifests, 22 levels: 44 GETs, each manifest once in the graph, children before parents', async () => {
    const f = fakes();
    const { leaf, manifests } = diamond(f.source, 'team/app', 21);
    expect(manifests).toBe(44);
    const limits = { ...MANIFEST_LIMITS, depth: 30 };

    const graph = await readManifestGraph(
      { source: f.source, upstream: undefined },
      'team/app',
      'diamond',
      undefined,
      limits,
    );

    const gets = f.source.callsOf('getManifest');
    expect(gets).toHaveLength(44);
    expect(new Set(gets.map((c) => c.reference)).size).toBe(44);
    const order = manifestsOf(graph.node);
    expect(order).toHaveLength(44);
    expect(order[0]!.digest).toBe(leaf.digest);
    expect(order.at(-1)).toBe(graph.node);
    const position = new Map(order.map((n, i) => [n.digest, i]));
    for (const node of order)
      for (const child of node.children) expect(position.get(child.digest)).toBeLessThan(position.get(node.digest)!);
    expect(graph.missingChildren).toEqual([]);
  });

  it('within the bounds (8 levels): migrated with one GET and one PUT per manifest, each blob once', async () => {
    const f = fakes();
    const { leaf, manifests } = diamond(f.source, 'team/app', 7);
    expect(manifests).toBe(16);

    const result = await sync(f, { images: ['team/app:diamond'] });

    const item = itemOf(result, 'team/app:diamond');
    expect(item.error).toBeUndefined();
    expect(item.status).toBe('migrated');
    expect(f.source.callsOf('getManifest')).toHaveLength(16);
    const puts = f.harbor.registry.callsOf('putManifest');
    expect(puts).toHaveLength(16);
    expect(new Set(puts.map((c) => c.reference)).size).toBe(16);
    expect(puts.at(-1)!.reference).toBe('diamond');
    expect(f.harbor.registry.tagDigest('team/app', 'diamond')).toBe(item.digest);
    expect(item.blobs).toMatchObject({ total: leaf.blobs.length, uploaded: leaf.blobs.length });
    expect(f.source.callsOf('getBlob')).toHaveLength(leaf.blobs.length);
  });

  it('a dry run of it: the same 16 GETs, nothing written', async () => {
    const f = fakes();
    diamond(f.source, 'team/app', 7);
    const result = await sync(f, { images: ['team/app:diamond'], dryRun: true });
    expect(itemOf(result, 'team/app:diamond').status).toBe('migrated');
    expect(f.source.callsOf('getManifest')).toHaveLength(16);
    expect(f.harbor.registry.callsOf('putManifest')).toHaveLength(0);
  });

  it('a child both indexes list, missing on the source: counted once, read once', async () => {
    const f = fakes();
    const leaf = image('gone', ['gone layer']);
    const shared = index(f.source, 'team/app', [{ digest: leaf.digest, bytes: leaf.manifest }], 'shared');
    const a = index(f.source, 'team/app', [shared], 'a');
    const b = index(f.source, 'team/app', [shared], 'b');
    const top = index(f.source, 'team/app', [a, b], 'top');
    f.source.addManifest('team/app', '1', top.bytes, MEDIA.ociIndex);

    const result = await sync(f, { images: ['team/app:1'] });

    const item = itemOf(result, 'team/app:1');
    expect(item.status).toBe('stale');
    expect(item.missing).toEqual([leaf.digest]);
    expect(f.source.callsOf('getManifest', { reference: leaf.digest })).toHaveLength(1);
  });
});

describe('past the bounds, the tag fails naming it, before it costs more', () => {
  it("the tester's 22-level diamond: MANIFEST_GRAPH_TOO_LARGE at step manifest, at most 8 levels read", async () => {
    const f = fakes();
    diamond(f.source, 'team/app', 21);

    const result = await sync(f, { images: ['team/app:diamond'] });

    const item = itemOf(result, 'team/app:diamond');
    expect(item.status).toBe('failed');
    expect(item.error).toMatchObject({ step: 'manifest', errorCode: 'MANIFEST_GRAPH_TOO_LARGE' });
    expect(item.error!.message).toContain('team/app:diamond');
    expect(item.error!.message).toContain('nest more than 8 levels deep');
    // The tag's own index and 8 levels of two.
    expect(f.source.callsOf('getManifest')).toHaveLength(1 + 2 * MANIFEST_LIMITS.depth);
    expect(f.harbor.registry.callsOf('putManifest')).toHaveLength(0);
    expect(f.harbor.registry.callsOf('startUpload')).toHaveLength(0);
  });

  it('an index listing more than 10,000 manifests: refused after one GET', async () => {
    const f = fakes();
    const children = Array.from({ length: MANIFEST_LIMITS.count }, (_, i) => ({
      digest: sha256(`child ${i}`),
      bytes: Buffer.from(`child ${i}`),
    }));
    const top = index(f.source, 'team/app', children);
    f.source.addManifest('team/app', '1', top.bytes, MEDIA.ociIndex);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1').error).toMatchObject({
      errorCode: 'MANIFEST_GRAPH_TOO_LARGE',
      message: expect.stringContaining('team/app:1 number more than 10000') as string,
    });
    expect(f.source.callsOf('getManifest')).toHaveLength(1);
  });

  it('manifests holding more than 32 MiB together: refused, no more read than the bound allows', async () => {
    const f = fakes();
    // Ten image manifests of 3.9 MiB each (padding in an annotation), under one index.
    const big = Array.from({ length: 10 }, (_, i) => {
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.ociManifest,
          config: { mediaType: MEDIA.ociConfig, digest: sha256(`config ${i}`), size: 2 },
          layers: [],
          annotations: { pad: 'x'.repeat(3.9 * 1024 * 1024) },
        }),
      );
      return { digest: f.source.addManifest('team/app', sha256(bytes), bytes, MEDIA.ociManifest), bytes };
    });
    const top = index(f.source, 'team/app', big);
    f.source.addManifest('team/app', '1', top.bytes, MEDIA.ociIndex);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1').error).toMatchObject({
      errorCode: 'MANIFEST_GRAPH_TOO_LARGE',
      message: expect.stringContaining('hold more than 32 MiB together') as string,
    });
    expect(f.source.callsOf('getBlob')).toHaveLength(0);
  });

  it('an index that lists itself (through a digest the registry only claims): MANIFEST_INVALID, no loop', async () => {
    const f = fakes();
    // Only sha256 references are checked against the bytes: under a sha512 name, a registry can
    // serve an index that lists the tag's own index back.
    const claimed = `sha512:${'ab'.repeat(64)}`;
    const top = index(f.source, 'team/app', [{ digest: claimed, bytes: Buffer.from('?') }], 'top');
    const back = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociIndex,
        manifests: [{ mediaType: MEDIA.ociIndex, digest: top.digest, size: top.bytes.length }],
      }),
    );
    f.source.addManifest('team/app', claimed, back, MEDIA.ociIndex);
    f.source.addManifest('team/app', '1', top.bytes, MEDIA.ociIndex);

    const result = await sync(f, { images: ['team/app:1'] });

    expect(itemOf(result, 'team/app:1').error).toMatchObject({
      step: 'manifest',
      errorCode: 'MANIFEST_INVALID',
      message: expect.stringContaining('inside itself') as string,
    });
    expect(f.source.callsOf('getManifest')).toHaveLength(2);
  });
});

describe('real images stay well inside the bounds', () => {
  it('an image of 1,000 layers is migrated whole', async () => {
    const f = fakes();
    const layers = Array.from({ length: 1000 }, (_, i) => `layer ${i}`);
    const big = image('thousand', layers);
    f.source.addImage('team/app', '1', big);

    const result = await sync(f, { images: ['team/app:1'] });

    const item = itemOf(result, 'team/app:1');
    expect(item.status).toBe('migrated');
    expect(item.blobs).toMatchObject({ total: 1001, uploaded: 1001 });
    expect(f.harbor.registry.tagDigest('team/app', '1')).toBe(big.digest);
  });
});
