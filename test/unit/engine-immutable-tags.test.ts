// immutable-tags: a tag the user says never moves, that Harbor already holds, costs no request to
// the source; a tag that does not match, or that Harbor lacks, is checked and copied as always.
import { describe, it, expect } from 'vitest';
import { fakes, image, itemOf, sync } from '../harness/engine-harness.ts';

describe('immutable-tags', () => {
  it('skips a matching tag Harbor holds without asking the source anything about it, signatures included', async () => {
    const f = fakes();
    const v1 = image('v1');
    const latest = image('latest');
    f.source.addImage('team/app', '1.0.0', v1);
    f.source.addImage('team/app', 'latest', latest);
    f.harbor.addProject('team');
    f.harbor.registry.addImage('team/app', '1.0.0', v1);
    f.harbor.registry.addImage('team/app', 'latest', latest);

    const result = await sync(f, { images: ['team/app'], immutableTags: [/^\d+\.\d+\.\d+$/], includeSignatures: true });

    expect(itemOf(result, 'team/app:1.0.0')).toMatchObject({
      status: 'skipped',
      digest: v1.digest,
      reason: 'matches immutable-tags, already in Harbor',
    });
    expect(itemOf(result, 'team/app:latest')).toMatchObject({
      status: 'skipped',
      reason: 'already in Harbor with the same digest',
    });
    // The source: its ping, the repository's tag list, and the HEAD (and referrers lookup) of
    // the one tag that is not immutable; nothing for 1.0.0.
    const sourceCalls = f.source.calls.map((c) =>
      [c.method, c.repository, c.reference ?? c.digest].filter(Boolean).join(' '),
    );
    expect(sourceCalls.filter((c) => c.includes('1.0.0') || c.includes(v1.digest))).toEqual([]);
    expect(sourceCalls.filter((c) => c.startsWith('headManifest'))).toEqual(['headManifest team/app latest']);
    expect(sourceCalls).toContain('listTags team/app');
  });

  it('a matching tag Harbor lacks is read and copied as always; a non-matching one is compared by digest', async () => {
    const f = fakes();
    const v2 = image('v2');
    f.source.addImage('team/app', '2.0.0', v2);
    f.harbor.addProject('team');

    const result = await sync(f, { images: ['team/app:2.0.0'], immutableTags: [/^\d+\.\d+\.\d+$/] });

    expect(itemOf(result, 'team/app:2.0.0')).toMatchObject({ status: 'migrated', digest: v2.digest });
    expect(f.harbor.registry.tagDigest('team/app', '2.0.0')).toBe(v2.digest);
  });
});
