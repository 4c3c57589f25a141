import { describe, it, expect } from 'vitest';
import { buildReport, REPORT_SCHEMA } from '../../src/report/json.js';
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
});

describe('job summary', () => {
  it('has a totals line, then a table per class with what explains each row', () => {
    const md = renderSummary(result());
    expect(md).toContain(
      '**1 migrated** (2.0 MB uploaded) · **1 stale** · **1 incomplete** · **1 skipped** · **1 failed** — 5 tags in 5.0 s',
    );
    expect(md).toMatch(
      /### Migrated \(1\)[\s\S]*\| team-a\/app:2 \| team-a\/app:2 \| `sha256:111111111111` \| 2.5 MB \| tag re-pointed from `sha256:222222222222` \(old artifact kept\); 2 uploaded, 1 mounted, 0 already there \|/,
    );
    expect(md).toMatch(/### Stale \(1\)[\s\S]*cache\/stale:1[\s\S]*all 2 blobs answer 404/);
    expect(md).toContain(`| cache/partial:1 | cache/partial:1 | \`sha256:333333333333\` | \`${D1}\` |`);
    expect(md).toMatch(
      /### Failed \(1\)\n\n\| Source \| Target \| Step \| Status \| Code \| Message \|\n[^\n]+\n\| team-b\/x:1 \| team-b\/x:1 \| manifest \| 412 \| IMMUTABLE_TAG \/ PRECONDITION \| Failed to process/,
    );
    expect(md).toContain('Projects created: `team-a`');
  });

  it('says dry run and "to migrate" when nothing was written', () => {
    const md = renderSummary(
      result({
        dryRun: true,
        items: [{ source: 'a/b:1', target: 'a/b:1', status: 'migrated', digest: D1, size: 1000 }],
      }),
    );
    expect(md).toContain('dry run: nothing was written');
    expect(md).toContain('**1 to migrate** (1.0 kB to upload)');
    expect(md).toContain('### To migrate (1)');
  });

  it('shows a fatal error instead of tables', () => {
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
      '**The run stopped before copying:** Harbor rejected the credentials of user "admin"<br>check harbor-password',
    );
    expect(md).not.toContain('###');
  });

  it('keeps pipes and newlines inside their cells, and folds long tables', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({
      source: `a/b:${i}`,
      target: `a/b:${i}`,
      status: 'skipped' as const,
      reason: 'x | y\nz',
    }));
    const md = renderSummary(result({ items }));
    expect(md).toContain('| x \\| y<br>z |');
    expect(md).toContain('<details><summary>Show all</summary>');
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
    expect(md).toContain('… and 500 more in the JSON report.'); // 1,000 migrated, 500 shown
    expect(md).toMatch(/\| already in Harbor with the same digest \| 2500 \|/);
    expect(md).toContain('<summary>By repository (');
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
