// parseManifest tells a manifest that lies about itself (invalid, with the reason) from a
// well-formed one of a kind we do not copy (unsupported) and from schema 1.
import { describe, it, expect } from 'vitest';
import { MediaType, parseManifest } from '../../src/registry/media-types.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('a'), size: 10 };
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('b'), size: 20 };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const image = (body: Record<string, unknown>) =>
  parseManifest(json({ schemaVersion: 2, mediaType: MediaType.ociManifest, ...body }), MediaType.ociManifest);

describe('parseManifest', () => {
  it('reads an image and an index', () => {
    expect(image({ config, layers: [layer] })).toMatchObject({ kind: 'image', blobs: [config, layer] });
    const index = parseManifest(
      json({ schemaVersion: 2, manifests: [{ ...config, platform: { os: 'linux', architecture: 'arm64' } }] }),
      'application/json',
    );
    expect(index).toMatchObject({
      kind: 'index',
      mediaType: MediaType.ociIndex,
      children: [{ digest: config.digest, platform: { os: 'linux', architecture: 'arm64' } }],
    });
  });

  it.each([
    ['not JSON', Buffer.from('<html>502 Bad Gateway</html>'), MediaType.ociManifest, 'is not valid JSON'],
    ['JSON null', json(null), MediaType.ociManifest, 'is JSON but not an object'],
    ['a JSON array', json([config]), undefined, 'is JSON but not an object'],
    [
      'an image without config',
      json({ schemaVersion: 2, layers: [layer] }),
      MediaType.dockerManifest,
      'is an image manifest without a config descriptor',
    ],
    [
      'an image whose config has no digest',
      json({ config: { size: 1 }, layers: [] }),
      MediaType.ociManifest,
      'is an image manifest whose config is not a descriptor',
    ],
    [
      'an image whose layers is an object',
      json({ config, layers: { 0: layer } }),
      MediaType.ociManifest,
      'is an image manifest whose layers is not an array',
    ],
    [
      'an image without layers',
      json({ config }),
      MediaType.ociManifest,
      'is an image manifest whose layers is not an array',
    ],
    [
      'a layer whose digest is a path',
      json({ config, layers: [layer, { ...layer, digest: '../../_catalog' }] }),
      MediaType.ociManifest,
      'is an image manifest whose layers[1] is not a descriptor',
    ],
    [
      'a layer with a negative size',
      json({ config, layers: [{ ...layer, size: -5 }] }),
      MediaType.ociManifest,
      'is an image manifest whose layers[0] is not a descriptor',
    ],
    [
      'an index whose manifests is a string',
      json({ manifests: 'all of them' }),
      MediaType.dockerManifestList,
      'is an index whose manifests is not an array',
    ],
    [
      'an index with a child that is not a descriptor',
      json({ manifests: [config, 42] }),
      MediaType.ociIndex,
      'is an index whose manifests[1] is not a descriptor',
    ],
  ])('%s is invalid, with the reason', (_name, bytes, contentType, problem) => {
    const parsed = parseManifest(bytes, contentType);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.problem).toContain(problem);
    expect(parsed.blobs).toEqual([]);
    expect(parsed.children).toEqual([]);
  });

  it('a well-formed manifest of another media type is unsupported; schema 1 is schema1', () => {
    expect(parseManifest(json({ schemaVersion: 2 }), 'application/vnd.example.thing+json')).toMatchObject({
      kind: 'unsupported',
      mediaType: 'application/vnd.example.thing+json',
    });
    expect(parseManifest(json({ schemaVersion: 1, fsLayers: [] }), undefined)).toMatchObject({ kind: 'schema1' });
    expect(parseManifest(json({ schemaVersion: 1 }), MediaType.dockerSchema1Signed).kind).toBe('schema1');
  });

  it('a descriptor without a size is still one (the source tells the size)', () => {
    expect(image({ config, layers: [{ mediaType: layer.mediaType, digest: layer.digest }] }).blobs[1]).toMatchObject({
      digest: layer.digest,
      size: -1,
    });
  });
});
