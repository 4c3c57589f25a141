// What an engine unit test needs around the fakes: a SyncConfig with test defaults, a logger that
// keeps what it is told, small deterministic images, and one call that runs the engine over
// in-memory clients (no network, no child process).
import { parseImageList } from '../../src/config/image-list.ts';
import type { Logger, SyncEvent } from '../../src/model/events.ts';
import type { SyncResult, TagResult } from '../../src/model/result.ts';
import type { Clients } from '../../src/sync/clients.ts';
import type { SyncConfig } from '../../src/model/config.ts';
import { runSync, type RunControl } from '../../src/sync/engine.ts';
import { FakeHarborApi } from './fake-harbor-api.ts';
import { FakeRegistry } from './fake-registry.ts';
import { buildImage, buildIndex, type BuiltImage, type BuiltIndex, type ImageFormat } from './images.ts';

export type TestConfigOverrides = Omit<Partial<SyncConfig>, 'images'> & { images?: string[] };

/** The action's defaults, except: no signatures (each synced tag would list its repository's
 * tags), concurrency 1 (calls in a predictable order), and retries that wait a millisecond. */
export function testConfig(overrides: TestConfigOverrides = {}): SyncConfig {
  const { images = [], ...rest } = overrides;
  return {
    source: { url: 'https://source.test' },
    harbor: { url: 'https://harbor.test', credentials: { username: 'admin', password: 'secret' } },
    images: parseImageList(images.join('\n'), 'images'),
    catalog: false,
    selection: { include: [], exclude: [], tags: [], excludeTags: [] },
    immutableTags: [],
    mappings: [],
    includeSignatures: false,
    includeUntagged: false,
    upstreamConcurrency: 2,
    createProjects: true,
    projectVisibility: 'private',
    defaultProject: 'library',
    concurrency: 1,
    dryRun: false,
    verify: 'digest',
    failOn: 'failed',
    retry: { retries: 2, maxWaitMs: 5, baseMs: 1 },
    stallTimeoutSeconds: 30,
    ...rest,
  };
}

export interface RecordingLogger extends Logger {
  lines: { level: 'info' | 'warn' | 'error' | 'debug'; message: string }[];
  events: SyncEvent[];
}

/** Keeps every line and event; `onEvent` sees each event as it is told (to act mid-run). */
export function recordingLogger(onEvent?: (event: SyncEvent) => void): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const events: SyncEvent[] = [];
  return {
    lines,
    events,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
    debug: (message) => lines.push({ level: 'debug', message }),
    event: (event) => {
      events.push(event);
      onEvent?.(event);
    },
  };
}

export interface Fakes {
  source: FakeRegistry;
  harbor: FakeHarborApi;
  clients: Clients;
}

/** An empty source and an empty Harbor (no projects). */
export function fakes(): Fakes {
  const source = new FakeRegistry({ host: 'source.test' });
  const harbor = new FakeHarborApi('harbor.test');
  return { source, harbor, clients: { source, harbor: harbor.registry, api: harbor } };
}

export async function sync(
  f: Fakes,
  overrides: TestConfigOverrides,
  options: { logger?: RecordingLogger; control?: RunControl } = {},
): Promise<SyncResult> {
  return await runSync(testConfig(overrides), options.logger ?? recordingLogger(), f.clients, options.control);
}

/** The result's item for a source label (`team/app:1`); throws when there is none. */
export function itemOf(result: SyncResult, source: string): TagResult {
  const item = result.items.find((i) => i.source === source);
  if (!item) throw new Error(`no item for ${source} among ${result.items.map((i) => i.source).join(', ') || 'none'}`);
  return item;
}

/** An image whose layers are these strings, byte for byte (the same string in two images is one
 * shared blob); the config carries the seed, so each seed is its own image. */
export function image(seed: string, layers: string[] = [`${seed} layer`], format: ImageFormat = 'docker'): BuiltImage {
  return buildImage(seed, { format, sharedLayers: layers.map((l) => Buffer.from(l)), layerSizes: [] });
}

/** An index of linux/amd64 and linux/arm64 images sharing a base layer. */
export function twoPlatformIndex(seed: string, format: ImageFormat = 'oci'): BuiltIndex {
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const children = platforms.map((platform) => ({
    image: buildImage(`${seed}/${platform.architecture}`, {
      format,
      platform,
      sharedLayers: [Buffer.from(`${seed} base`), Buffer.from(`${seed} ${platform.architecture}`)],
      layerSizes: [],
    }),
    platform,
  }));
  return buildIndex(seed, children, format);
}

/** A signed Docker schema 1 manifest, as old registries still hold them. */
export function schema1Manifest(name: string, tag: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 1,
      name,
      tag,
      architecture: 'amd64',
      fsLayers: [{ blobSum: 'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4' }],
      history: [{ v1Compatibility: '{"id":"1"}' }],
      signatures: [{ header: { alg: 'ES256' }, signature: 'c2lnbmF0dXJl', protected: 'e30' }],
    }),
  );
}
