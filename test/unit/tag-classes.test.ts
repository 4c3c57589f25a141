// The tag classes defined once (src/model/tag-classes.ts): the table is consistent, action.yml,
// the README and docs/report.md say what it says, and a class added to the table (a row, as
// issue 26 adds `broken`) reaches every output without another line changed: the JSON report and
// its totals, report-merge, the summary, log lines, the exit code, the action's outputs, JUnit and
// metrics.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { BASE_RULE, BY_ATTENTION, failsByDefault } from '../../src/model/class-rules.ts';
import type { SyncResult, TagResult, TagStatus } from '../../src/model/result.ts';
import { FAIL_ON_RULES, TAG_CLASSES, type TagClass } from '../../src/model/tag-classes.ts';
import { OUTPUT_NAMES } from '../../src/report/outputs.ts';
import { baseResult } from '../harness/summary-cases.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const CLASSES: readonly TagClass[] = TAG_CLASSES;

describe('the table of tag classes', () => {
  it('names each class and each output once', () => {
    const names = CLASSES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const outputs = CLASSES.flatMap((c) => (c.output ? [c.output] : []));
    expect(new Set(outputs).size).toBe(outputs.length);
  });

  it('fails a run only under known rules, never under fail-on: never, never for a note', () => {
    for (const c of CLASSES) {
      for (const rule of [...c.failsUnder.sync, ...c.failsUnder.dryRun]) expect(FAIL_ON_RULES).toContain(rule);
      expect(c.failsUnder.sync, c.name).not.toContain('never');
      expect(c.failsUnder.dryRun, c.name).not.toContain('never');
      if (c.kind === 'note') expect([...c.failsUnder.sync, ...c.failsUnder.dryRun], c.name).toEqual([]);
    }
  });

  it('puts what fails the run first, then what needs action, then retained, then the rest', () => {
    expect(BY_ATTENTION.map((c) => c.name)).toEqual([
      'failed',
      'stale',
      'incomplete',
      'retained',
      'migrated',
      'broken',
      'skipped',
    ]);
    expect(BY_ATTENTION.filter(failsByDefault).map((c) => c.name)).toEqual(['failed']);
    expect(BASE_RULE).toBe('failed');
  });
});

describe('what the table says, said the same elsewhere', () => {
  it("action.yml's outputs are the table's outputs, in its order, then report-file", () => {
    const action = parse(read('action.yml')) as { outputs: Record<string, unknown> };
    const fromTable = [...CLASSES.flatMap((c) => (c.output ? [c.output] : [])), 'report-file'];
    expect(Object.keys(action.outputs)).toEqual(fromTable);
    expect(OUTPUT_NAMES).toEqual(fromTable);
  });

  it("the README's outputs sentence names the table's outputs, in its order, then report-file", () => {
    const readme = read('README.md').replace(/\s+/g, ' ');
    const sentence = /The summary is written to the job summary; outputs (.*?) are set for later steps\./.exec(readme);
    expect(sentence, 'README.md: "… outputs `migrated`, … are set for later steps."').not.toBeNull();
    const named = [...sentence![1]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
    expect(named).toEqual([...CLASSES.flatMap((c) => (c.output ? [c.output] : [])), 'report-file']);
  });

  it('docs/report.md describes each tag class under "Classes", in the table\'s order, and each in the totals', () => {
    const doc = read('docs/report.md');
    const section = doc.slice(doc.indexOf('\n## Classes\n'), doc.indexOf('\n## ', doc.indexOf('\n## Classes\n') + 1));
    const described = [...section.matchAll(/^- \*\*([a-z-]+)\*\*:/gm)].map((m) => m[1]);
    expect(described).toEqual(CLASSES.filter((c) => c.kind === 'tag').map((c) => c.name));
    const totals = /"totals": \{([^}]*)\}/.exec(doc)?.[1] ?? '';
    for (const c of CLASSES) expect(totals, c.name).toContain(`"${c.name}":`);
  });
});

/** A row as issue 26 adds one: a class that fails a dry run under one rule and passes a sync. */
const HELD = {
  name: 'held',
  kind: 'tag',
  word: 'held',
  dryRunWord: 'would hold',
  failsUnder: { sync: [], dryRun: ['stale'] },
  needsAction: false,
  output: 'held',
  logLevel: 'warn',
  listing: 'copied',
  meaning: 'Harbor holds these tags already, but not whole.',
} as const satisfies TagClass;

describe('a class added to the table', () => {
  // The report modules as they load with one more row in the table, and nothing else changed.
  let m: {
    outputs: typeof import('../../src/report/outputs.ts');
    totals: typeof import('../../src/report/totals.ts');
    json: typeof import('../../src/report/json.ts');
    merge: typeof import('../../src/report/merge.ts');
    summary: typeof import('../../src/report/summary.ts');
    logLine: typeof import('../../src/report/log-line.ts');
    outcome: typeof import('../../src/report/outcome.ts');
    junit: typeof import('../../src/report/junit.ts');
    metrics: typeof import('../../src/report/metrics.ts');
  };

  beforeAll(async () => {
    vi.resetModules();
    vi.doMock('../../src/model/tag-classes.ts', async (original) => {
      const real = await original<typeof import('../../src/model/tag-classes.ts')>();
      const tags = real.TAG_CLASSES.filter((c) => c.kind === 'tag');
      const notes = real.TAG_CLASSES.filter((c) => c.kind === 'note');
      return { ...real, TAG_CLASSES: [...tags, HELD, ...notes] };
    });
    m = {
      outputs: await import('../../src/report/outputs.ts'),
      totals: await import('../../src/report/totals.ts'),
      json: await import('../../src/report/json.ts'),
      merge: await import('../../src/report/merge.ts'),
      summary: await import('../../src/report/summary.ts'),
      logLine: await import('../../src/report/log-line.ts'),
      outcome: await import('../../src/report/outcome.ts'),
      junit: await import('../../src/report/junit.ts'),
      metrics: await import('../../src/report/metrics.ts'),
    };
    vi.doUnmock('../../src/model/tag-classes.ts');
    vi.resetModules();
  });

  const tag = (source: string, status: string, more: Partial<TagResult> = {}): TagResult => ({
    source,
    target: source,
    status: status as TagStatus,
    digest: `sha256:${'a'.repeat(64)}`,
    ...more,
  });
  const run = (dryRun: boolean): SyncResult =>
    baseResult({
      dryRun,
      items: [tag('team-a/app:1', 'migrated', { size: 10 }), tag('team-b/db:1', 'held'), tag('team-b/db:2', 'held')],
    });

  it('is an action output, a totals key and a list of the JSON report, in the table order', () => {
    expect(m.outputs.OUTPUT_NAMES).toEqual([
      'migrated',
      'broken',
      'stale',
      'incomplete',
      'skipped',
      'failed',
      'held',
      'retained',
      'report-file',
    ]);
    expect(m.outputs.actionOutputs(run(false), '/r.json')).toContainEqual(['held', '2']);
    const totals = m.totals.computeTotals(run(false));
    expect(Object.keys(totals).slice(0, 8)).toEqual([
      'tags',
      'migrated',
      'broken',
      'stale',
      'incomplete',
      'skipped',
      'failed',
      'held',
    ]);
    expect((totals as unknown as Record<string, number>).held).toBe(2);
    const text = [...m.json.reportText(run(false), 'test')].join('');
    expect(text).toBe(`${JSON.stringify(m.json.buildReport(run(false), 'test'), null, 2)}\n`);
    const report = JSON.parse(text);
    expect(report.held.map((i: TagResult) => i.source)).toEqual(['team-b/db:1', 'team-b/db:2']);
    expect(Object.keys(report).indexOf('held')).toBe(Object.keys(report).indexOf('failed') + 1);
    // report-merge reads the list back as the class it is.
    const back = m.merge.resultFromReport(report, 'r.json');
    expect(back.items.filter((i) => i.status === ('held' as TagStatus))).toHaveLength(2);
  });

  it('is counted, listed and given a column in the summary, in its dry-run words too', () => {
    const sync = m.summary.renderSummary(run(false));
    expect(sync).toContain('**2 held**');
    expect(sync).toContain('### Held: 2 tags');
    expect(sync).toContain('Harbor holds these tags already, but not whole.');
    // A column after those that need attention: held tags fail no sync.
    expect(sync).toContain('| Repository | Migrated | Held |');
    const dry = m.summary.renderSummary(run(true));
    expect(dry).toContain('**2 would hold**');
    expect(dry).toContain('### Would hold: 2 tags');
  });

  it('has its log level and words in log lines', () => {
    const item = tag('team-b/db:1', 'held');
    expect(m.logLine.itemLine(item, false)).toEqual({ level: 'warn', text: 'held       team-b/db:1 → team-b/db:1' });
    expect(m.logLine.itemLine(item, true).text).toMatch(/^would hold /);
  });

  it('fails the run, the JUnit case and the metrics success by its rule, in a dry run only', () => {
    expect(m.outcome.decideOutcome(run(false), 'stale')).toEqual({ ok: true, exitCode: 0 });
    expect(m.outcome.decideOutcome(run(true), 'stale')).toEqual({
      ok: false,
      exitCode: 1,
      reason: '2 would hold tag(s) (fail-on: stale)',
    });
    expect(m.outcome.decideOutcome(run(true), 'failed').ok).toBe(true);
    expect(m.summary.renderSummary(run(true), { failOn: 'stale' })).toContain(
      '**The step failed** (`fail-on: stale`: stale, incomplete and held tags fail it).',
    );
    const junit = (dryRun: boolean) =>
      [...m.junit.junitText(run(dryRun), { failOn: 'stale', toolVersion: 't' })].join('');
    expect(junit(true)).toContain('<failure type="HELD" message="held">');
    expect(m.junit.junitCounts(run(true), 'stale')).toMatchObject({ tests: 3, failures: 2, skipped: 0 });
    expect(junit(false)).not.toContain('<failure');
    expect(junit(false)).toContain('<system-out>held\nDigest:');
    const metrics = m.metrics.renderMetrics(run(false), { exitCode: 0, toolVersion: 't' });
    expect(metrics).toContain('harbor_sync_tags{class="held"} 2');
    expect(m.metrics.fullySuccessful(run(false), 0)).toBe(true);
  });
});
