// Manifests that lie: not JSON, not what their media type says, or too large for a registry to
// store. Each fails the tag (step manifest, with the reason) before anything is written to Harbor;
// a well-formed manifest of a kind we do not copy is still skipped. Served by a scripted source,
// since a real registry refuses to store them.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { buildImage, MEDIA, sha256 } from '../harness/images.ts';
import { startRecordingServer, type RecordingServer } from '../harness/recording-server.ts';
import { imageParts, sourceHandler, type ScriptedManifest } from '../harness/scripted-source.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { decideOutcome } from '../../src/report/outcome.ts';
import { sync } from './helpers.ts';

const MiB = 1024 * 1024;
const image = buildImage('hostile/base', { format: 'oci', layerSizes: [4000] });
const blobs = new Map(image.blobs.map((b) => [b.digest, b.data]));
const [config, layer] = image.blobs as [(typeof image.blobs)[0], (typeof image.blobs)[0]];
const descriptor = (mediaType: string, blob: { digest: string; size: number }) => ({
  mediaType,
  digest: blob.digest,
  size: blob.size,
});

/** A valid OCI image manifest of `image`, padded with an annotation to exactly `size` bytes. */
function paddedManifest(size: number): Buffer {
  const body = (pad: string) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: descriptor(MEDIA.ociConfig, config),
      layers: [descriptor(MEDIA.ociLayer, layer)],
      annotations: { 'org.example.padding': pad },
    });
  const bytes = Buffer.from(body('x'.repeat(size - Buffer.byteLength(body('')))));
  expect(bytes.length).toBe(size);
  return bytes;
}

const OCI: string = MEDIA.ociManifest;
const manifest = (repository: string, body: string | Buffer, contentType = OCI): ScriptedManifest => ({
  repository,
  reference: '1',
  body,
  contentType,
});

/** Repository → [manifest, the reason the tag fails with]. */
const invalid: [ScriptedManifest, string][] = [
  [manifest('hostile/not-json', 'this is not JSON {'), 'manifest of hostile/not-json:1 is not valid JSON'],
  [manifest('hostile/array', '[1, 2, 3]'), 'manifest of hostile/array:1 is JSON but not an object'],
  [
    manifest(
      'hostile/no-config',
      JSON.stringify({ schemaVersion: 2, mediaType: OCI, layers: [descriptor(MEDIA.ociLayer, layer)] }),
    ),
    'manifest of hostile/no-config:1 is an image manifest without a config descriptor',
  ],
  [
    manifest(
      'hostile/layers',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI,
        config: descriptor(MEDIA.ociConfig, config),
        layers: { 0: descriptor(MEDIA.ociLayer, layer) },
      }),
    ),
    'manifest of hostile/layers:1 is an image manifest whose layers is not an array',
  ],
  [
    manifest(
      'hostile/bad-layer',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI,
        config: descriptor(MEDIA.ociConfig, config),
        layers: [{ mediaType: MEDIA.ociLayer, digest: '../../../v2/_catalog', size: 1 }],
      }),
    ),
    'manifest of hostile/bad-layer:1 is an image manifest whose layers[0] is not a descriptor',
  ],
  [
    manifest(
      'hostile/index',
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: 'none' }),
      MEDIA.ociIndex,
    ),
    'manifest of hostile/index:1 is an index whose manifests is not an array',
  ],
];

let harbor: HarborDouble;
let source: RecordingServer;

beforeAll(async () => {
  harbor = await startHarborDouble();
  source = await startRecordingServer({
    handler: sourceHandler({
      auth: { kind: 'none' },
      manifests: [
        ...invalid.map(([m]) => m),
        manifest(
          'hostile/unknown-type',
          JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.example.thing.v1+json' }),
          'application/vnd.example.thing.v1+json',
        ),
        manifest('hostile/too-large', paddedManifest(4 * MiB + 1)),
        manifest('hostile/at-limit', paddedManifest(4 * MiB)),
        imageParts('hostile/fine', '1', image).manifest,
      ],
      blobs,
    }),
  });
});
afterAll(async () => {
  await source?.stop();
  await harbor?.stop();
});

const inputs = (images: string): Record<string, string> => syncInputs(source.url, harbor, { images });

const blobRequests = () => ({
  source: source.requests.filter((r) => r.path.includes('/blobs/')),
  harbor: harbor.requests.filter((r) => r.kind === 'blob' || r.kind === 'upload'),
});

describe('a manifest that is not what its media type says', () => {
  it('fails its tag at the manifest step with the reason; nothing is written to Harbor and the run is not ok', async () => {
    harbor.resetRequests();
    const run = await sync(inputs([...invalid.map(([m]) => `${m.repository}:1`), 'hostile/fine:1'].join('\n')));
    for (const [m, reason] of invalid) {
      const item = run.item(`${m.repository}:1`);
      expect(item, m.repository).toMatchObject({
        status: 'failed',
        error: { step: 'manifest', errorCode: 'MANIFEST_INVALID' },
      });
      expect(item.error?.message).toContain(reason);
    }
    expect(run.item('hostile/fine:1').status).toBe('migrated'); // the others went on
    expect(decideOutcome(run.result, 'failed')).toEqual({
      ok: false,
      exitCode: 1,
      reason: `${invalid.length} tag(s) failed`,
    });
    expect(
      harbor.requests.filter(
        (r) =>
          r.method !== 'GET' &&
          r.method !== 'HEAD' &&
          !r.path.includes('/hostile/fine') &&
          !r.path.startsWith('/api/v2.0/projects'),
      ),
    ).toEqual([]);
    expect(harbor.projects().map((p) => p.name)).toEqual(['hostile']);
    for (const [m] of invalid) expect(harbor.tagDigest(m.repository, '1')).toBeUndefined();
  });

  it('a well-formed manifest of a media type we do not copy is still skipped, not failed', async () => {
    const run = await sync(inputs('hostile/unknown-type:1'));
    expect(run.item('hostile/unknown-type:1')).toMatchObject({
      status: 'skipped',
      reason: 'unsupported manifest media type application/vnd.example.thing.v1+json',
    });
    expect(decideOutcome(run.result, 'failed').ok).toBe(true);
  });
});

describe('a manifest larger than a registry stores (4 MiB)', () => {
  it('fails in classification with its size and the limit, before any blob is read or uploaded', async () => {
    harbor.resetRequests();
    source.requests.splice(0);
    const run = await sync(inputs('hostile/too-large:1'));
    const item = run.item('hostile/too-large:1');
    expect(item).toMatchObject({ status: 'failed', error: { step: 'manifest', errorCode: 'MANIFEST_TOO_LARGE' } });
    expect(item.error?.message).toBe(
      `manifest of hostile/too-large:1 is ${4 * MiB + 1} bytes, more than the ${4 * MiB} bytes (4 MiB) a registry stores`,
    );
    expect(blobRequests()).toEqual({ source: [], harbor: [] });
    expect(decideOutcome(run.result, 'failed').ok).toBe(false);
  });

  it('one of exactly 4 MiB is migrated: the limit is the registry’s, not one byte less', async () => {
    const run = await sync(inputs('hostile/at-limit:1'));
    expect(run.item('hostile/at-limit:1').status).toBe('migrated');
    expect(harbor.tagDigest('hostile/at-limit', '1')).toBe(sha256(paddedManifest(4 * MiB)));
  });
});
