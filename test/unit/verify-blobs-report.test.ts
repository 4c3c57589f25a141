// What a run with verify: blobs reports, and fail-on: pending, the end-of-migration check: broken
// tags in the JSON report (harborMissing, checkedWhole, totals.checkedWhole) and back through
// report-merge, the summary (the verdict counts what was checked whole and what was broken; one
// group per missing digest, however many tags lacked it), JUnit, and when pending fails a run.
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/inputs.ts';
import type { HarborMissing, SyncResult, TagResult, TagStatus } from '../../src/model/result.ts';
import { buildReport } from '../../src/report/json.ts';
import { junitCounts, junitText } from '../../src/report/junit.ts';
import { resultFromReport } from '../../src/report/merge.ts';
import { decideOutcome } from '../../src/report/outcome.ts';
import { renderSummary } from '../../src/report/summary.ts';
import { baseResult, digest } from '../harness/summary-cases.ts';

const BASE: HarborMissing = { digest: digest(1), kind: 'blob', size: 31_457_280 };
const CHILD: HarborMissing = { digest: digest(2), kind: 'manifest', size: 1024 };

function tag(source: string, status: TagStatus, more: Partial<TagResult> = {}): TagResult {
  return { source, target: source, status, digest: digest(source.length), ...more };
}

function broken(source: string, missing: HarborMissing[], dryRun: boolean): TagResult {
  return tag(source, 'broken', {
    checkedWhole: true,
    harborMissing: missing,
    reason: dryRun ? 'Harbor lacks …: would repair from the source' : 'Harbor lacked …; repaired from the source',
    ...(!dryRun && { blobs: { total: 1, uploaded: 1, mounted: 0, existing: 0, bytesUploaded: 10 } }),
  });
}

/** Three tags lacking one base layer, one of them an index lacking a child too; one whole. */
function audit(dryRun: boolean): SyncResult {
  return baseResult({
    dryRun,
    items: [
      broken('team-a/app:1.0', [BASE], dryRun),
      broken('team-a/app:1.1', [BASE], dryRun),
      broken('team-b/multi:2', [BASE, CHILD], dryRun),
      tag('team-c/svc:1', 'skipped', {
        checkedWhole: true,
        reason: 'already in Harbor with the same digest, checked whole',
      }),
    ],
  });
}

describe('fail-on: pending', () => {
  const run = (dryRun: boolean, statuses: TagStatus[]) =>
    baseResult({ dryRun, items: statuses.map((s, i) => tag(`a/b:${i}`, s)) });

  it('fails a dry run with anything left to do: a tag to migrate or repair, a stale, incomplete or failed one', () => {
    for (const status of ['migrated', 'broken', 'stale', 'incomplete', 'failed'] as const)
      expect(decideOutcome(run(true, ['skipped', status]), 'pending'), status).toMatchObject({
        ok: false,
        exitCode: 1,
      });
    expect(decideOutcome(run(true, ['skipped', 'skipped']), 'pending')).toEqual({ ok: true, exitCode: 0 });
    // The reason says what a sync would still do, as the dry run's verdict does.
    expect(decideOutcome(run(true, ['migrated', 'migrated', 'broken', 'stale']), 'pending').reason).toBe(
      '2 would migrate, 1 would repair and 1 stale tag(s) (fail-on: pending)',
    );
  });

  it('fails a sync as failed does: what was done passes', () => {
    for (const status of ['migrated', 'broken', 'stale', 'incomplete', 'skipped'] as const)
      expect(decideOutcome(run(false, [status]), 'pending'), status).toEqual({ ok: true, exitCode: 0 });
    expect(decideOutcome(run(false, ['failed']), 'pending')).toMatchObject({ ok: false, exitCode: 1 });
  });

  it('is taken by the fail-on input, as verify takes blobs; other values are refused with the list', async () => {
    const inputs: Record<string, string> = {
      'source-registry': 'https://source.example.com',
      'harbor-url': 'https://harbor.example.com',
      'harbor-username': 'admin',
      'harbor-password': 'secret',
      images: 'a/b:1',
    };
    const build = (more: Record<string, string>) => buildConfig((name) => ({ ...inputs, ...more })[name]);
    expect(await build({})).toMatchObject({ verify: 'digest', failOn: 'failed' });
    expect(await build({ verify: 'blobs', 'fail-on': 'pending' })).toMatchObject({
      verify: 'blobs',
      failOn: 'pending',
    });
    await expect(build({ verify: 'all' })).rejects.toThrow('verify must be one of digest, blobs, not "all"');
  });
});

describe('broken tags in the reports', () => {
  it('the JSON report lists them with what Harbor lacked, counts what was checked whole, and merges back', () => {
    const report = JSON.parse(JSON.stringify(buildReport(audit(false), 'test')));
    expect(report.totals).toMatchObject({ tags: 4, broken: 3, skipped: 1, checkedWhole: 4 });
    expect(report.broken.map((i: TagResult) => i.source)).toEqual([
      'team-a/app:1.0',
      'team-a/app:1.1',
      'team-b/multi:2',
    ]);
    expect(report.broken[2]).toMatchObject({ checkedWhole: true, harborMissing: [BASE, CHILD] });
    const back = resultFromReport(report, 'r.json');
    expect(back.items.find((i) => i.source === 'team-b/multi:2')).toMatchObject({
      status: 'broken',
      checkedWhole: true,
      harborMissing: [BASE, CHILD],
    });
    expect(() =>
      resultFromReport(
        { ...report, broken: [{ ...report.broken[0], harborMissing: [{ digest: 'x', kind: 'layer' }] }] },
        'r.json',
      ),
    ).toThrow(/broken\[0\]\.harborMissing\[0\]\.kind/);
  });

  it('the summary of a dry run counts them in the verdict and groups them by what is missing', () => {
    const md = renderSummary(audit(true), { failOn: 'pending', audience: 'cli' });
    expect(md).toContain('> [!WARNING]');
    expect(md).toContain(
      '**Checked whole in Harbor:** 4 tags (`verify: blobs`); 3 are broken: Harbor lacks blobs or manifests of them, so a pull fails, and a sync with verify: blobs would repair them from the source (below, by what is missing).',
    );
    expect(md).toContain('**Nothing in the way:** 3 broken tags would be repaired');
    expect(md).toContain(
      '**The run failed** (exit code 1, `--fail-on pending`: migrated, broken, stale and incomplete tags fail it).',
    );
    expect(md).toContain('**3 would repair**');
    expect(md).toContain('### Would repair: 3 tags');
    // One row per missing digest: the base layer once, with the three tags that lack it.
    expect(md).toContain('| `sha256:000000010000` | blob | 31.5\u00a0MB | 3 |');
    expect(md).toContain('| `sha256:000000020000` | manifest | 1.0\u00a0kB | 1 |');
    expect(md).toContain('<summary>blob sha256:000000010000 (31.5\u00a0MB): 3 tags</summary>');
    expect(md).toContain(`${BASE.digest}  (blob, 3 tags)`);
  });

  it('the summary of a sync says they were repaired; a run without broken tags does not count them', () => {
    const md = renderSummary(audit(false), { failOn: 'failed' });
    expect(md).toContain('**All done:** 3 broken tags repaired; 1 skipped');
    expect(md).toContain(
      '3 were broken: Harbor lacked blobs or manifests of them, which were pushed again from the source',
    );
    expect(md).toContain('**3 broken**');
    expect(md).toContain('### Broken: 3 tags');
    const plain = renderSummary(baseResult({ items: [tag('a/b:1', 'migrated')] }));
    expect(plain).not.toMatch(/broken|checked whole/i);
  });

  it('JUnit: passed in a sync; under pending in a dry run a failure naming what Harbor lacks', () => {
    const text = (result: SyncResult, failOn: 'pending' | 'failed') =>
      [...junitText(result, { failOn, toolVersion: 't' })].join('');
    expect(junitCounts(audit(false), 'pending')).toMatchObject({ tests: 4, failures: 0, skipped: 0 });
    expect(text(audit(false), 'pending')).not.toContain('<failure');
    expect(junitCounts(audit(true), 'pending')).toMatchObject({ tests: 4, failures: 3 });
    const dry = text(audit(true), 'pending');
    expect(dry).toContain('<failure type="BROKEN" message="broken: Harbor lacks …: would repair from the source">');
    expect(dry).toContain(`Missing in Harbor:\n  ${BASE.digest} (blob)\n  ${CHILD.digest} (manifest)`);
    expect(junitCounts(audit(true), 'failed')).toMatchObject({ failures: 0 });
  });
});
