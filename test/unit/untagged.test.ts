// include-untagged on hand-built storage: which revisions count as untagged (no tag reaches them,
// directly or through an index), and how discovery turns them into digest jobs.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rm } from 'node:fs/promises';
import { openStorageSource, type StorageSource } from '../../src/registry/storage/open-storage.js';
import { storageLocation } from '../../src/sources/storage.js';
import { Discovery } from '../../src/sync/discover.js';
import { parseSelection } from '../../src/config/selection-inputs.js';
import { untaggedJobs, untaggedLister, type UntaggedLister } from '../../src/sync/untagged.js';
import { findUntagged } from '../../src/transfer/untagged-revisions.js';
import { Transfer } from '../../src/transfer/transfer.js';
import type { RegistryClient } from '../../src/registry/registry-client.js';
import { LayoutBuilder } from '../harness/storage-helpers.ts';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const target = (repository: string) => ({ project: 'library', path: repository, repository: `library/${repository}` });

let layout: LayoutBuilder;
let source: StorageSource;
/** Digests in u/app, by role. */
const app = {} as Record<
  'current' | 'old' | 'taggedIndex' | 'taggedChild' | 'untaggedIndex' | 'untaggedChild' | 'referrer',
  string
>;

/** An untagged OCI image manifest (pushed by digest) with its own layer. */
async function untaggedImage(repo: string, seed: string, extra: object = {}): Promise<string> {
  const config = await layout.layer(repo, `{"seed":"${seed}"}`);
  const body = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 1 },
    layers: [],
    ...extra,
  };
  return (await layout.manifest(repo, body)).digest;
}

async function untaggedIndex(repo: string, children: string[]): Promise<string> {
  const manifests = children.map((digest) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest,
    size: 1,
    platform: { os: 'linux', architecture: 'amd64' },
  }));
  return (await layout.manifest(repo, { schemaVersion: 2, mediaType: OCI_INDEX, manifests })).digest;
}

beforeAll(async () => {
  layout = await LayoutBuilder.create();
  source = await openStorageSource(storageLocation(`dir://${layout.dir}`));
  // u/app:1 was re-pointed from `old` to `current`; `old` stays as a revision.
  app.old = await untaggedImage('u/app', 'old');
  app.current = (await layout.image('u/app', '1', ['current-layer'])).digest;
  app.taggedChild = await untaggedImage('u/app', 'tagged-child');
  app.taggedIndex = await untaggedIndex('u/app', [app.taggedChild]);
  await layout.tag('u/app', 'multi', app.taggedIndex);
  app.untaggedChild = await untaggedImage('u/app', 'untagged-child');
  app.untaggedIndex = await untaggedIndex('u/app', [app.untaggedChild]);
  app.referrer = await untaggedImage('u/app', 'signature', {
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: app.current, size: 1 },
  });
});
afterAll(async () => {
  await source?.close();
  await rm(layout.dir, { recursive: true, force: true });
});

describe('findUntagged', () => {
  it('keeps revisions no tag reaches, leaving out every index child', async () => {
    const found = await findUntagged(source, 'u/app', await source.listTags('u/app'));
    expect(found.roots).toEqual([app.old, app.untaggedIndex, app.referrer].sort());
    expect([...found.referrers]).toEqual([app.referrer]);
  });

  it('counts a tag that no longer resolves as reaching nothing', async () => {
    const found = await findUntagged(source, 'u/app', ['1', 'multi', 'gone']);
    expect(found.roots).toEqual([app.old, app.untaggedIndex, app.referrer].sort());
  });
});

describe('untaggedJobs', () => {
  it('makes digest jobs labelled repo@sha256:…; a referrer is skipped without include-signatures', async () => {
    const { jobs, items } = await untaggedJobs(list(), 'u/app', target('u/app'), ['1', 'multi'], false);
    expect(jobs.map((j) => [j.sourceLabel, j.sourceReference, j.targetLabel, j.targetReference])).toEqual(
      [app.old, app.untaggedIndex].sort().map((d) => [`u/app@${d}`, d, `library/u/app@${d}`, d]),
    );
    expect(items).toEqual([
      {
        source: `u/app@${app.referrer}`,
        target: `library/u/app@${app.referrer}`,
        status: 'skipped',
        reason: 'signature or attestation (include-signatures: false)',
      },
    ]);
    const withSignatures = await untaggedJobs(list(), 'u/app', target('u/app'), ['1', 'multi'], true);
    expect(withSignatures.jobs.map((j) => j.sourceReference)).toContain(app.referrer);
    expect(withSignatures.items).toEqual([]);
  });
});

describe('Discovery with include-untagged', () => {
  const discovery = (untagged: boolean) =>
    new Discovery(source, {
      selection: parseSelection(() => undefined),
      includeSignatures: true,
      revisions: untagged ? list() : undefined,
      mapTarget: (r) => target(r),
    });

  it('adds the untagged revisions of a whole repository to its tag jobs', async () => {
    const { jobs } = await discovery(true).expand(
      { repository: 'u/app', origin: 'images line 1' },
      target('u/app'),
      false,
    );
    expect(jobs.map((j) => j.sourceLabel)).toEqual([
      'u/app:1',
      'u/app:multi',
      ...[app.old, app.untaggedIndex, app.referrer].sort().map((d) => `u/app@${d}`),
    ]);
  });

  it('leaves them out by default, and for a line naming a tag', async () => {
    expect(
      (await discovery(false).expand({ repository: 'u/app', origin: 'x' }, target('u/app'), false)).jobs,
    ).toHaveLength(2);
    expect(
      (await discovery(true).expand({ repository: 'u/app', tag: '1', origin: 'x' }, target('u/app'), false)).jobs,
    ).toHaveLength(1);
  });

  it('copies a repository only ever pushed to by digest (it has no tags directory)', async () => {
    const only = await untaggedImage('digest/only', 'only');
    const expansion = await discovery(true).expand(
      { repository: 'digest/only', origin: 'catalog' },
      target('digest/only'),
      true,
    );
    expect(expansion).toEqual({ jobs: [expect.objectContaining({ sourceLabel: `digest/only@${only}` })], items: [] });
    const without = await discovery(false).expand(
      { repository: 'digest/only', origin: 'catalog' },
      target('digest/only'),
      true,
    );
    expect(without.items[0]).toMatchObject({
      source: 'digest/only:*',
      status: 'failed',
      error: { errorCode: 'NOT_FOUND', code: 'NAME_UNKNOWN' },
    });
  });
});

describe('untaggedLister', () => {
  it('takes a storage source and refuses a registry client, naming the input', async () => {
    const found = await list()('u/app', ['1', 'multi']);
    expect(found.roots).toEqual([app.old, app.untaggedIndex, app.referrer].sort());
    const api = {
      listTags: async () => [],
      capabilities: { untaggedManifests: false, localReads: false, referrersApi: 'unknown' },
    };
    expect(() => untaggedLister(api as unknown as RegistryClient, transferOver(source))).toThrow(
      /^include-untagged: true needs a source that can list untagged manifests/,
    );
  });
});

/** The transfer layer over the storage source (Harbor is never asked here). */
function transferOver(from: RegistryClient): Transfer {
  return new Transfer(
    { source: from, harbor: from },
    {
      concurrency: 1,
      upstreamConcurrency: 1,
      retry: { retries: 0, maxWaitMs: 1, baseMs: 1 },
      abandon: new AbortController().signal,
      dryRun: true,
    },
  );
}

/** How discovery lists a repository's untagged revisions: through the transfer layer. */
function list(): UntaggedLister {
  return untaggedLister(source, transferOver(source));
}
