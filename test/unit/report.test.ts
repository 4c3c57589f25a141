import { describe, it, expect } from 'vitest';
import { buildReport, REPORT_SCHEMA, reportText } from '../../src/report/json.js';
import { renderSummary } from '../../src/report/summary.js';
import { decideOutcome } from '../../src/report/outcome.js';
import type { SyncResult } from '../../src/model/result.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

function result(overrides: Partial<SyncResult> = {}): SyncResult {
  return {
    retained: [],
    harborNotes: [],
    startedAt: '2026-11-22T08:00:00.000Z',
    finishedAt: '2026-11-22T08:00:05.000Z',
    seconds: 5,
    dryRun: false,
    source: 'http://127.0.0.1:5000',
    harbor: 'http://127.0.0.1:8080',
    harborVersion: 'v2.15.2-080b0220',
    projectsCreated: ['team-a'],
    notStarted: [],
    items: [
      {
        source: 'team-a/app:2',
        target: 'team-a/app:2',
        status: 'migrated',
        digest: D1,
        size: 2_500_000,
        previousDigest: D2,
        blobs: { total: 3, uploaded: 2, mounted: 1, existing: 0, bytesUploaded: 2_000_000 },
      },
      {
        source: 'team-a/app:1',
        target: 'team-a/app:1',
        status: 'skipped',
        digest: D2,
        reason: 'already in Harbor with the same digest',
      },
      {
        source: 'cache/stale:1',
        target: 'cache/stale:1',
        status: 'stale',
        digest: D3,
        missing: [D1, D2],
        reason: 'all 2 blobs answer 404 on the source',
      },
      {
        source: 'cache/partial:1',
        target: 'cache/partial:1',
        status: 'incomplete',
        digest: D3,
        missing: [D1],
        reason: '1 of 3 blobs answer 404 on the source',
      },
      {
        source: 'team-b/x:1',
        target: 'team-b/x:1',
        status: 'failed',
        error: {
          step: 'manifest',
          errorCode: 'IMMUTABLE_TAG',
          status: 412,
          code: 'PRECONDITION',
          message: "Failed to process request due to 'team-b/x:1' configured as immutable.",
          hint: 'remove the rule',
        },
      },
    ],
    ...overrides,
  };
}

describe('JSON report', () => {
  it('puts each item in its class array with source, target and digest, and counts totals', () => {
    const report = buildReport(result(), '0.1.0');
    expect(report.schema).toBe(REPORT_SCHEMA);
    expect(report.migrated).toEqual([
      expect.objectContaining({ source: 'team-a/app:2', target: 'team-a/app:2', digest: D1, previousDigest: D2 }),
    ]);
    expect(report.stale[0]).toMatchObject({ source: 'cache/stale:1', digest: D3, missing: [D1, D2] });
    expect(report.incomplete[0]).toMatchObject({ missing: [D1] });
    expect(report.skipped[0]).toMatchObject({ reason: 'already in Harbor with the same digest' });
    expect(report.failed[0]).toMatchObject({
      digest: null,
      error: { step: 'manifest', status: 412, code: 'PRECONDITION' },
    });
    expect(report.totals).toMatchObject({
      tags: 5,
      migrated: 1,
      stale: 1,
      incomplete: 1,
      skipped: 1,
      failed: 1,
      bytesUploaded: 2_000_000,
      blobsUploaded: 2,
      blobsMounted: 1,
      seconds: 5,
    });
    expect(report.failed[0]).not.toHaveProperty('status');
  });

  it('is written piece by piece, each piece one item at most, and reads back as the same report', () => {
    const full = result({
      retained: [{ kind: 'tag', source: 'team-a/old:1', target: 'team-a/old:1', digest: D1 }],
      harborNotes: [{ project: 'team-a', kind: 'retention', message: 'keeps the 10 latest' }],
      notStarted: ['team-c/x:*'],
      missingShards: ['2/3'],
      fatal: { step: 'discover', errorCode: 'LIST_INCOMPLETE', message: 'the catalog stopped at page 3' },
    });
    for (const r of [result(), full, result({ items: [], projectsCreated: [] })]) {
      const pieces = [...reportText(r, '1.2.3')];
      expect(pieces.join('')).toBe(`${JSON.stringify(buildReport(r, '1.2.3'), null, 2)}\n`);
      // No piece holds two items: memory is one item at a time, however large the run.
      expect(Math.max(...pieces.map((p) => (p.match(/"source":/g) ?? []).length))).toBeLessThanOrEqual(1);
    }
  });
});

describe('job summary', () => {
  it('has the verdict, the totals line, then a section per class with what explains each row', () => {
    const md = renderSummary(result(), { failOn: 'failed' });
    expect(md.split('\n').slice(0, 4)).toEqual([
      '## harbor-sync',
      '',
      '> [!CAUTION]',
      '> **1 tag failed** (1 cause below, each with what to do); 2 more need action: 1 stale, 1 incomplete.',
    ]);
    expect(md).toContain(
      '**1 migrated** (2.0\u00a0MB uploaded) · **1 stale** · **1 incomplete** · **1 skipped** · **1 failed** — 5 tags in 5\u00a0s',
    );
    expect(md).toContain(
      '| team-a/app:2<br>re-pointed from `sha256:222222222222` (the old artifact stays in Harbor) | `sha256:111111111111` | 2.5\u00a0MB |',
    );
    expect(md).toMatch(/### Stale: 1 tag[\s\S]*\| cache\/stale:1 \| `sha256:333333333333` \| 2 \|/);
    expect(md).toContain('| cache/partial:1 | `sha256:333333333333` | 1 | `sha256:111111111111` |');
    expect(md).toMatch(
      /### Failed: 1 tag, 1 cause[\s\S]*#### 1 tag: a Harbor tag-immutability rule refuses to re-point the tag\n\n`IMMUTABLE_TAG` · step `manifest` · HTTP 412 · `PRECONDITION`[\s\S]*\*\*What to do:\*\* remove the rule/,
    );
    expect(md).toContain('Projects created: `team-a`');
  });

  it('says dry run and "would migrate" when nothing was written', () => {
    const md = renderSummary(
      result({
        dryRun: true,
        items: [{ source: 'a/b:1', target: 'a/b:1', status: 'migrated', digest: D1, size: 1000 }],
      }),
    );
    expect(md.split('\n')[0]).toBe('## harbor-sync (dry run: nothing was written)');
    expect(md).toContain('**1 would migrate** (1.0\u00a0kB to upload)');
    expect(md).toContain('### Would migrate: 1 tag');
  });

  it('shows a fatal error as the verdict, with no totals and no tables', () => {
    const md = renderSummary(
      result({
        items: [],
        fatal: {
          step: 'auth',
          errorCode: 'CREDENTIALS_REJECTED',
          status: 401,
          code: 'UNAUTHORIZED',
          message: 'Harbor rejected the credentials of user "admin"',
          hint: 'check harbor-password',
        },
      }),
    );
    expect(md).toContain(
      '> **The run stopped before any tag was copied:** Harbor rejected the credentials of user "admin"\n>\n> **What to do:** check harbor-password',
    );
    expect(md).not.toContain('**0 migrated**');
    expect(md).not.toContain('###');
  });

  it('folds skipped tags per reason, the reason kept to one line of plain text', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({
      source: `a/b:${i}`,
      target: `a/b:${i}`,
      status: 'skipped' as const,
      reason: 'x | <y>\nz',
    }));
    const md = renderSummary(result({ items }));
    expect(md).toContain('<details><summary>x | &lt;y&gt; z: 25 tags</summary>');
  });
});

describe('job summary at scale', () => {
  const statuses = [
    'migrated',
    'skipped',
    'skipped',
    'stale',
    'failed',
    'incomplete',
    'skipped',
    'skipped',
    'migrated',
    'skipped',
  ] as const;
  function big(n: number, status?: (typeof statuses)[number]): SyncResult {
    const items = Array.from({ length: n }, (_, i) => {
      const s = status ?? statuses[i % statuses.length]!;
      const source = `team-${i % 97}/service-${i % 389}/component:${i}.0.0`;
      return {
        source,
        target: source,
        status: s,
        digest: D1,
        size: 123_456_789,
        reason:
          s === 'skipped'
            ? 'already in Harbor with the same digest'
            : s === 'stale'
              ? 'all 5 blobs answer 404 on the source (the manifest is there, its content is not)'
              : undefined,
        missing: s === 'incomplete' ? [D1, D2, D3] : s === 'stale' ? [D1, D2] : undefined,
        blobs: s === 'migrated' ? { total: 5, uploaded: 3, mounted: 1, existing: 1, bytesUploaded: 1000 } : undefined,
        error:
          s === 'failed'
            ? {
                step: 'blob' as const,
                errorCode: 'HTTP_ERROR' as const,
                status: 503,
                code: 'UNAVAILABLE',
                message: `PUT /v2/${source.split(':')[0]}/blobs/uploads/: ${'the upstream storage said something long and unhelpful '.repeat(8)}`,
                hint: 'try again later',
              }
            : undefined,
      };
    });
    return result({ items });
  }

  it('5,000 tags stay under 1 MiB, with every failed, stale and incomplete tag listed', () => {
    const r = big(5000);
    const md = renderSummary(r);
    expect(Buffer.byteLength(md)).toBeLessThan(1_000_000);
    for (const item of r.items.filter((i) => ['failed', 'stale', 'incomplete'].includes(i.status)))
      expect(md).toContain(`| ${item.source} |`);
    // 1,000 migrated, the first 500 shown, and the fold says so.
    expect(md).toContain(
      '<summary>First 500 of 1,000 tags (all of them in the JSON report: set report-file to write it)',
    );
    expect(md).toContain('<summary>already in Harbor with the same digest: first 500 of 2,500 tags');
    expect(md).toContain('<summary>By repository: first 100 of ');
  });

  it('even 5,000 failures with long messages fit, each still listed', () => {
    const r = big(5000, 'failed');
    const md = renderSummary(r);
    expect(Buffer.byteLength(md)).toBeLessThan(1_000_000);
    for (const item of r.items) expect(md).toContain(`| ${item.source} |`);
  });
});

describe('exit decision (fail-on)', () => {
  const staleOnly = result({ items: result().items.filter((i) => i.status !== 'failed') });
  it.each([
    ['failed', result(), false],
    ['failed', staleOnly, true],
    ['stale', staleOnly, false],
    ['never', result(), true],
  ] as const)('fail-on %s', (failOn, r, ok) => {
    expect(decideOutcome(r, failOn).ok).toBe(ok);
  });

  it('always fails on a fatal error', () => {
    expect(
      decideOutcome(
        result({ items: [], fatal: { step: 'auth', errorCode: 'CREDENTIALS_REJECTED', message: 'x' } }),
        'never',
      ).ok,
    ).toBe(false);
  });
});
