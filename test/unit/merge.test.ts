// report-merge: shard reports back into one result, retained items and Harbor notes included, and
// a shard set that is not whole refused unless asked.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/base.js';
import type { SyncResult } from '../../src/model/result.js';
import { buildReport } from '../../src/report/json.js';
import { checkShardSet, mergeResults, resultFromReport } from '../../src/report/merge.js';

const D = `sha256:${'a'.repeat(64)}`;

function shard(index: number, count: number, extra: Partial<SyncResult> = {}): SyncResult {
  return {
    startedAt: `2026-12-01T08:00:0${index}.000Z`,
    finishedAt: `2026-12-01T08:01:0${index}.000Z`,
    seconds: 60,
    dryRun: false,
    source: 'https://old.example.com',
    harbor: 'https://harbor.example.com',
    projectsCreated: [],
    items: [{ source: `team-${index}/app:1`, target: `team-${index}/app:1`, status: 'migrated', digest: D }],
    retained: [{ kind: 'tag', source: `team-${index}/app:0.9`, target: `team-${index}/app:0.9`, digest: D }],
    harborNotes: [{ project: 'library', kind: 'retention', message: 'project library has a tag-retention policy' }],
    notStarted: [],
    shard: `${index}/${count}`,
    ...extra,
  };
}

/** As report-merge reads them: each through its JSON report. */
const viaReport = (r: SyncResult, file: string) => ({
  file,
  result: resultFromReport(JSON.parse(JSON.stringify(buildReport(r, 'test'))), file),
});

describe('report-merge', () => {
  it('merges retained items like the others, and says a Harbor note once', () => {
    const reports = [viaReport(shard(1, 2), 'a.json'), viaReport(shard(2, 2), 'b.json')];
    expect(checkShardSet(reports, false)).toEqual([]);
    const merged = mergeResults(reports.map((r) => r.result));
    expect(merged.retained.map((r) => r.target).sort()).toEqual(['team-1/app:0.9', 'team-2/app:0.9']);
    expect(merged.harborNotes).toHaveLength(1);
    expect(buildReport(merged, 'test').totals.retained).toBe(2);
  });

  it('reads a report written before retained existed as having none', () => {
    const old = JSON.parse(JSON.stringify(buildReport(shard(1, 1), 'old'))) as Record<string, unknown>;
    delete old.retained;
    delete old.harborNotes;
    const result = resultFromReport(old, 'old.json');
    expect(result.retained).toEqual([]);
    expect(result.harborNotes).toEqual([]);
  });

  it('refuses a missing shard, a repeated one, another split or another sync, naming the file', () => {
    const one = viaReport(shard(1, 3), 'one.json');
    const three = viaReport(shard(3, 3), 'three.json');
    expect(() => checkShardSet([one, three], false)).toThrow(
      new ConfigError("shard 2/3 is missing: give every shard's report, or --allow-partial to merge what is there"),
    );
    expect(checkShardSet([one, three], true)).toEqual(['2/3']);
    expect(() => checkShardSet([one, viaReport(shard(1, 3), 'again.json')], true)).toThrow(
      /shard 1\/3 is given twice \(one\.json and again\.json\)/,
    );
    expect(() => checkShardSet([one, viaReport(shard(2, 4), 'four.json')], true)).toThrow(
      /four\.json is shard 2\/4, but one\.json is shard 1\/3/,
    );
    expect(() =>
      checkShardSet([one, viaReport(shard(2, 3, { harbor: 'https://other.example.com' }), 'other.json')], true),
    ).toThrow(/other\.json is a sync of .* into https:\/\/other\.example\.com/);
  });
});
