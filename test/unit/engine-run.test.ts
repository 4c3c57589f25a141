// The engine's run as a whole over in-memory registries: stopping part-way (the tags in flight
// finish, the rest are listed for a re-run, Harbor never holds half a tag) and the problems that
// stop a run before any tag is tried.
import { describe, it, expect } from 'vitest';
import { fakes, image, itemOf, recordingLogger, sync } from '../harness/engine-harness.ts';

/** More tags than a run of concurrency 1 has in flight (two copies, four looks at once). */
const TAGS = ['1', '2', '3', '4', '5', '6', '7', '8'].map((t) => `team/app:${t}`);

describe('engine: interrupted', () => {
  it('stopped while the first tag is pushed: the tags in flight finish, the others never start, Harbor holds no partial tag', async () => {
    const f = fakes();
    for (const label of TAGS) f.source.addImage('team/app', label.split(':')[1]!, image(`app-${label}`));
    const stop = new AbortController();
    // SIGINT lands while the first tag's manifest is on its way.
    f.harbor.registry.observe((call) => {
      if (call.method === 'putManifest') stop.abort();
    });

    const result = await sync(f, { images: TAGS, concurrency: 1 }, { control: { signal: stop.signal } });

    expect(result.interrupted).toBe(true);
    expect(result.fatal).toBeUndefined();
    // Every tag accounted for once: finished whole, or listed for the re-run; at most the two that
    // were being copied finished.
    const finished = result.items.map((i) => i.source);
    expect([...finished, ...result.notStarted].sort()).toEqual([...TAGS].sort());
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.length).toBeLessThanOrEqual(2);
    for (const item of result.items) expect(item).toMatchObject({ status: 'migrated' });
    // Harbor: exactly the finished tags, and nothing of the others, not even a blob.
    const done = finished.map((s) => s.split(':')[1]!).sort();
    expect(f.harbor.registry.tags('team/app').sort()).toEqual(done);
    expect(
      f.harbor.registry
        .callsOf('putManifest')
        .map((c) => c.reference)
        .sort(),
    ).toEqual(done);
    expect(f.harbor.registry.callsOf('finishUpload')).toHaveLength(2 * done.length);
  });

  it('stopped when the first tag is reported done: the queued tags are listed as not started', async () => {
    const f = fakes();
    for (const label of TAGS) f.source.addImage('team/app', label.split(':')[1]!, image(`app-${label}`));
    const stop = new AbortController();
    const logger = recordingLogger((event) => {
      if (event.type === 'done') stop.abort();
    });

    const result = await sync(f, { images: TAGS, concurrency: 1 }, { logger, control: { signal: stop.signal } });

    expect(result.interrupted).toBe(true);
    const finished = result.items.map((i) => i.source);
    // Every tag is accounted for exactly once: finished whole, or listed for the re-run.
    expect([...finished, ...result.notStarted].sort()).toEqual([...TAGS].sort());
    expect(result.notStarted.length).toBeGreaterThan(0);
    for (const item of result.items) expect(item.status).toBe('migrated');
    const harborTags = f.harbor.registry.tags('team/app').map((t) => `team/app:${t}`);
    expect(harborTags.sort()).toEqual([...finished].sort());
    for (const source of result.notStarted) {
      expect(f.harbor.registry.callsOf('putManifest', { reference: source.split(':')[1] })).toEqual([]);
    }
    expect(
      logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('Interrupted: starting no new tags')),
    ).toBe(true);
  });

  it('stopped before it began: nothing is read or written, every declared image is not started', async () => {
    const f = fakes();
    for (const tag of ['1', '2']) f.source.addImage('team/app', tag, image(`app-${tag}`));
    const stop = new AbortController();
    stop.abort();

    const result = await sync(f, { images: ['team/app:1', 'team/app:2'] }, { control: { signal: stop.signal } });

    expect(result.interrupted).toBe(true);
    expect(result.items).toEqual([]);
    expect([...result.notStarted].sort()).toEqual(['team/app:1', 'team/app:2']);
    expect(f.source.callsOf('getManifest')).toEqual([]);
    expect(f.harbor.registry.calls).toEqual([]);
  });
  it('stopped while the source is being prepared (a tarball decompressed): interrupted, not a fatal error', async () => {
    const f = fakes();
    f.source.addImage('team/app', '1', image('app'));
    const stop = new AbortController();
    // What a storage source does when SIGINT lands mid-extraction: its preparation throws.
    f.source.observe((call) => {
      if (call.method === 'ping') stop.abort();
    });
    f.source.fail('ping', {}, { network: 'ECONNRESET' });

    const result = await sync(f, { images: ['team/app:1'] }, { control: { signal: stop.signal } });

    expect(result.interrupted).toBe(true);
    expect(result.fatal).toBeUndefined();
    expect(result.notStarted).toEqual(['team/app:1']);
    expect(f.harbor.registry.calls).toEqual([]);
  });
});

describe('engine: how far ahead a tag is read', () => {
  it('no more tags are read than the looks and the copies hold together (6 at concurrency 1), however many are listed', async () => {
    const f = fakes();
    const tags = Array.from({ length: 40 }, (_, i) => `team/app${i}:1`);
    for (let i = 0; i < tags.length; i++) f.source.addImage(`team/app${i}`, '1', image(`app-${i}`));
    // Read: its manifest fetched from the source; done: its tag pushed into Harbor.
    let read = 0;
    let done = 0;
    let most = 0;
    f.source.observe((call) => {
      if (call.method === 'getManifest') most = Math.max(most, ++read - done);
    });
    f.harbor.registry.observe((call) => {
      if (call.method === 'putManifest' && call.reference === '1') done++;
    });

    const result = await sync(f, { images: tags, concurrency: 1 });

    expect(result.items.filter((i) => i.status === 'migrated')).toHaveLength(40);
    // Far ahead of its copy, a tag would hold its blob GETs open, or check its blobs twice.
    expect(most).toBeLessThanOrEqual(6);
    expect(most).toBeGreaterThan(2); // the looks still run ahead of the copies
  });
});

describe('engine: a problem that stops the run', () => {
  it('a source that cannot be reached: fatal at step network, no items, Harbor never asked', async () => {
    const f = fakes();
    f.source.addImage('team/app', '1', image('app'));
    f.source.fail('ping', {}, { network: 'ECONNREFUSED' });

    const result = await sync(f, { images: ['team/app:1'] });

    expect(result.fatal).toMatchObject({ step: 'network', errorCode: 'UNREACHABLE' });
    expect(result.fatal?.message).toContain('source registry https://source.test is not reachable');
    expect(result.fatal?.hint).toContain('source-registry');
    expect(result.items).toEqual([]);
    expect(result.interrupted).toBeUndefined();
    expect(f.source.calls).toEqual([{ method: 'ping' }]);
    expect(f.harbor.calls).toEqual([]);
    expect(f.harbor.registry.calls).toEqual([]);
    // The clients are closed all the same.
    expect(f.source.closed && f.harbor.closed && f.harbor.registry.closed).toBe(true);
  });

  it('a source that answers /v2/ with 404 is not a registry: fatal NOT_A_REGISTRY at preflight', async () => {
    const f = fakes();
    f.source.fail('ping', {}, { status: 404, code: 'NOT_FOUND', message: 'page not found' });

    const result = await sync(f, { images: ['team/app:1'] });

    expect(result.fatal).toMatchObject({ step: 'preflight', errorCode: 'NOT_A_REGISTRY', status: 404 });
    expect(result.items).toEqual([]);
    expect(f.harbor.calls).toEqual([]);
  });

  it('Harbor refusing the credentials: fatal CREDENTIALS_REJECTED at auth, nothing read from the source', async () => {
    const f = fakes();
    f.source.addImage('team/app', '1', image('app'));
    f.harbor.fail('whoami', { status: 401, code: 'UNAUTHORIZED', message: 'unauthorized' });

    const result = await sync(f, { images: ['team/app:1'] });

    expect(result.fatal).toMatchObject({ step: 'auth', errorCode: 'CREDENTIALS_REJECTED', status: 401 });
    expect(result.items).toEqual([]);
    expect(f.source.calls).toEqual([{ method: 'ping' }]);
    expect(f.harbor.registry.calls).toEqual([]);
  });

  it('a catalog the source refuses to list: fatal at discover, with what listing it takes on that source', async () => {
    const f = fakes();
    f.source.addImage('team/app', '1', image('app'));
    f.source.fail('catalog', {}, { status: 403, code: 'DENIED' }, Infinity);

    const registry = await sync(f, { catalog: true });
    expect(registry.fatal).toMatchObject({ step: 'discover', status: 403 });
    expect(registry.fatal?.hint).toBe(
      'listing the catalog needs catalog permission on the source (on Harbor as a source: a system admin); list images instead',
    );

    // A source that is not a registry's _catalog (a Harbor project, read through Harbor's API)
    // says what it takes instead.
    const g = fakes();
    g.source.fail('catalog', {}, { status: 403, code: 'DENIED' }, Infinity);
    Object.defineProperty(g.source, 'catalogNeeds', { value: 'an account that may read Harbor project cache' });
    const project = await sync(g, { catalog: true });
    expect(project.fatal?.hint).toBe(
      'listing the catalog needs an account that may read Harbor project cache; list images instead',
    );
  });

  it('a name Harbor cannot take is refused before any request', async () => {
    const f = fakes();

    const result = await sync(f, { images: ['team/app:1', 'app:1'], defaultProject: 'Bad_Project' });

    expect(result.fatal).toMatchObject({ step: 'config', errorCode: 'NAME_INVALID' });
    expect(result.fatal?.message).toContain('default-project "Bad_Project"');
    expect(f.source.calls).toEqual([]);
    expect(f.harbor.calls).toEqual([]);
  });
});

describe('engine: one tag failing', () => {
  it('never stops the others', async () => {
    const f = fakes();
    f.source.addImage('team/app', '1', image('app'));
    f.source.addImage('team/other', '1', image('other'));

    const result = await sync(f, { images: ['team/app:1', 'team/missing:1', 'team/other:1'], concurrency: 2 });

    expect(itemOf(result, 'team/missing:1')).toMatchObject({ status: 'failed', error: { errorCode: 'NOT_FOUND' } });
    expect(itemOf(result, 'team/app:1').status).toBe('migrated');
    expect(itemOf(result, 'team/other:1').status).toBe('migrated');
    expect(result.fatal).toBeUndefined();
  });
});

describe('engine: each tag once', () => {
  it('a tag named on its own line, again, and through its whole repository runs once and is reported once', async () => {
    const f = fakes();
    f.source.addImage('team/app', '1', image('app'));
    f.source.addImage('team/app', '2', image('app2'));

    const result = await sync(f, { images: ['team/app:1', 'team/app', 'team/app:1'] });

    expect(result.items.map((i) => `${i.source} ${i.status}`).sort()).toEqual([
      'team/app:1 migrated',
      'team/app:2 migrated',
    ]);
    expect(f.harbor.registry.callsOf('putManifest', { reference: '1' })).toHaveLength(1);
    expect(f.source.callsOf('getManifest', { reference: '1' })).toHaveLength(1);
  });
});
