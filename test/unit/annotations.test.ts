// The annotations the action writes on the job page: one error per failure class (errorCode at a
// step), one warning for stale/incomplete tags, never more than the step's budget, the rest
// folded into the last error with a pointer to the job summary.
import { describe, expect, it } from 'vitest';
import type { ErrorCode, Step } from '../../src/errors/codes.js';
import type { SyncResult, TagResult } from '../../src/model/result.js';
import { ANNOTATIONS_PER_STEP, annotationsFor } from '../../src/report/annotations.js';

const D = `sha256:${'1'.repeat(64)}`;

function result(items: TagResult[], overrides: Partial<SyncResult> = {}): SyncResult {
  return {
    startedAt: '2026-12-01T08:00:00.000Z',
    finishedAt: '2026-12-01T08:00:05.000Z',
    seconds: 5,
    dryRun: false,
    source: 'http://127.0.0.1:5000',
    harbor: 'http://127.0.0.1:8080',
    projectsCreated: [],
    retained: [],
    harborNotes: [],
    notStarted: [],
    items,
    ...overrides,
  };
}

function failed(
  source: string,
  errorCode: ErrorCode,
  step: Step,
  extra: { hint?: string; status?: number } = {},
): TagResult {
  return {
    source,
    target: source,
    status: 'failed',
    error: { step, errorCode, message: `${errorCode} at ${step} for ${source}`, ...extra },
  };
}

const migrated = (source: string): TagResult => ({ source, target: source, status: 'migrated', digest: D });
const stale = (source: string, status: 'stale' | 'incomplete' = 'stale'): TagResult => ({
  source,
  target: source,
  status,
  digest: D,
  missing: [D],
});

describe('annotationsFor', () => {
  it('nothing for a run with nothing to act on', () => {
    expect(annotationsFor(result([migrated('a/b:1'), { ...migrated('a/b:2'), status: 'skipped' }]))).toEqual([]);
  });

  it('one error per errorCode and step, largest first, titled for the checks list, with the first items and the hint', () => {
    const items = [
      ...Array.from({ length: 12 }, (_, i) =>
        failed(`team-a/app:${i + 1}`, 'IMMUTABLE_TAG', 'manifest', {
          status: 412,
          hint: 'remove the immutability rule',
        }),
      ),
      failed('team-b/x:1', 'QUOTA_EXCEEDED', 'blob'),
      failed('team-b/x:2', 'IMMUTABLE_TAG', 'blob'), // same code, another step: its own class
      migrated('team-c/ok:1'),
    ];
    const out = annotationsFor(result(items));
    expect(out.map((a) => [a.level, a.title])).toEqual([
      ['error', 'harbor-sync: 12 tags failed — IMMUTABLE_TAG (manifest)'],
      ['error', 'harbor-sync: 1 tag failed — IMMUTABLE_TAG (blob)'],
      ['error', 'harbor-sync: 1 tag failed — QUOTA_EXCEEDED (blob)'],
    ]);
    const lines = out[0]!.message.split('\n');
    expect(lines[0]).toBe(
      '12 tags failed at step manifest with IMMUTABLE_TAG: a Harbor tag-immutability rule refuses to re-point the tag.',
    );
    // The first five, sorted by source name, then a count of the rest.
    expect(lines.slice(1, 6)).toEqual(
      ['1', '10', '11', '12', '2'].map((t) => `- team-a/app:${t}: 412: IMMUTABLE_TAG at manifest for team-a/app:${t}`),
    );
    expect(lines).toContain('… and 7 more.');
    expect(lines).toContain('What to do: remove the immutability rule');
    expect(out[0]!.message).toContain('job summary');
  });

  it('one warning for the stale and incomplete tags together, after the errors', () => {
    const out = annotationsFor(
      result([
        stale('cache/a:1'),
        stale('cache/b:1', 'incomplete'),
        stale('cache/c:1'),
        failed('x/y:1', 'PERMISSION_DENIED', 'blob'),
      ]),
    );
    expect(out.map((a) => a.level)).toEqual(['error', 'warning']);
    expect(out[1]!.title).toBe('harbor-sync: 2 stale and 1 incomplete tags not copied');
    expect(out[1]!.message).toContain('- cache/b:1: incomplete, 1 blob(s) missing on the source');
    expect(out[1]!.message).toContain('upstream-registry');
    expect(annotationsFor(result([stale('cache/a:1')]))[0]!.title).toBe('harbor-sync: 1 stale tag not copied');
  });

  it('one warning for the tags Harbor held broken, repaired or (dry run) to repair, naming what was missing', () => {
    const broken = (source: string): TagResult => ({
      source,
      target: source,
      status: 'broken',
      digest: D,
      harborMissing: [
        { digest: D, kind: 'blob', size: 10 },
        { digest: `sha256:${'2'.repeat(64)}`, kind: 'manifest' },
      ],
    });
    const out = annotationsFor(result([broken('team/b:1'), stale('cache/a:1'), broken('team/a:1')]));
    expect(out.map((a) => [a.level, a.title])).toEqual([
      ['warning', 'harbor-sync: 1 stale tag not copied'],
      ['warning', 'harbor-sync: 2 tags Harbor held were not whole — repaired'],
    ]);
    expect(out[1]!.message.split('\n').slice(1, 3)).toEqual([
      '- team/a:1: 2 blob(s) or manifest(s) missing in Harbor',
      '- team/b:1: 2 blob(s) or manifest(s) missing in Harbor',
    ]);
    const planned = annotationsFor(result([broken('team/a:1')], { dryRun: true }));
    expect(planned[0]!.title).toBe('harbor-sync: 1 tag Harbor held was not whole — a sync would repair');
    expect(planned[0]!.message).toContain('verify: blobs');
    // Behind a failure, in a budget of two: the error and the first warning.
    const tight = annotationsFor(
      result([broken('team/a:1'), stale('cache/a:1'), failed('x/y:1', 'NOT_FOUND', 'blob')]),
      {
        limit: 2,
      },
    );
    expect(tight.map((a) => a.level)).toEqual(['error', 'warning']);
  });

  it('never more than the limit: the rest of the classes folded into the last error, the warning kept', () => {
    const codes: ErrorCode[] = [
      'IMMUTABLE_TAG',
      'QUOTA_EXCEEDED',
      'READ_ONLY',
      'PERMISSION_DENIED',
      'NOT_FOUND',
      'HTTP_ERROR',
      'DIGEST_MISMATCH',
      'SIZE_MISMATCH',
      'VERIFY_MISMATCH',
      'PROJECT_MISSING',
      'PROXY_PROJECT',
      'MANIFEST_INVALID',
    ];
    // Class i has 12 - i tags, so the order is the list's.
    const items = codes.flatMap((code, i) =>
      Array.from({ length: 12 - i }, (_, j) => failed(`r${i}/app:${j}`, code, 'manifest')),
    );
    items.push(stale('cache/s:1'));
    const out = annotationsFor(result(items));
    expect(out).toHaveLength(ANNOTATIONS_PER_STEP);
    expect(out.filter((a) => a.level === 'warning')).toHaveLength(1);
    expect(out.at(-1)!.level).toBe('warning');
    const errors = out.filter((a) => a.level === 'error');
    expect(errors.slice(0, 8).map((a) => a.title.split(' — ')[1])).toEqual(
      codes.slice(0, 8).map((c) => `${c} (manifest)`),
    );
    // 4 classes left: 4 + 3 + 2 + 1 tags.
    expect(errors[8]!.title).toBe('harbor-sync: 10 tags failed in 4 more classes — see the job summary');
    expect(errors[8]!.message).toContain('- VERIFY_MISMATCH (manifest): 4 tags, e.g. r8/app:0');
    expect(errors[8]!.message).toContain('- MANIFEST_INVALID (manifest): 1 tag, e.g. r11/app:0');

    // A smaller budget (the action spends one on setFailed): still within it.
    for (const limit of [0, 1, 2, 5, 9]) {
      const some = annotationsFor(result(items), { limit });
      expect(some.length, `limit ${limit}`).toBe(limit);
      if (limit === 1) expect(some[0]!.title).toMatch(/^harbor-sync: 78 tags failed in 12 more classes/);
      if (limit >= 2) expect(some.at(-1)!.level).toBe('warning');
    }
  });

  it('a dry run says "would"', () => {
    const out = annotationsFor(
      result([failed('a/b:1', 'PROJECT_MISSING', 'project'), stale('c/d:1')], { dryRun: true }),
    );
    expect(out.map((a) => a.title)).toEqual([
      'harbor-sync: 1 tag would fail — PROJECT_MISSING (project)',
      'harbor-sync: 1 stale tag would not be copied',
    ]);
  });

  it('names from the source are shown as one printable line each', () => {
    const out = annotationsFor(result([failed('evil/x:1\u001b[31m\nnext', 'NOT_FOUND', 'manifest')]));
    expect(out[0]!.message).not.toMatch(/\u001b/);
    expect(out[0]!.message).toContain('- evil/x:1\\x1b[31m\\x0anext:');
  });
});
