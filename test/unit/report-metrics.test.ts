// The metrics file (metrics-file) in the Prometheus text format: accepted by promtool (Debian's
// prometheus package, .ci/run installs it), tags per class equal to the JSON report's, label
// values escaped, the last success carried over from the previous file, replaced atomically; and
// the example alert rule (examples/cron/harbor-sync-alerts.yml) fires after 26 h without a success.
import { mkdtempSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUSES, type SyncResult } from '../../src/model/result.js';
import { writeOutputFile } from '../../src/output-files.js';
import { buildReport } from '../../src/report/json.js';
import { fullySuccessful, LAST_SUCCESS, previousSuccess, renderMetrics } from '../../src/report/metrics.js';
import { INPUT_NAMING } from '../../src/model/config.js';
import {
  baseResult,
  digest,
  dryRun,
  fatalRun,
  interruptedRun,
  retainedAndNotes,
  smallMixed,
} from '../harness/summary-cases.ts';
import { promtool } from '../harness/report-readers.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-metrics-'));
const ALERTS = new URL('../../examples/cron/harbor-sync-alerts.yml', import.meta.url).pathname;

/** Samples of one metric, as `labels → value`, read back line by line. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(name.length, at), Number(line.slice(at + 1)));
  }
  return found;
}

const good = (): SyncResult =>
  baseResult({
    finishedAt: '2026-11-22T08:41:07.000Z',
    items: [{ source: 'a/b:1', target: 'a/b:1', status: 'migrated', digest: digest(1), size: 10 }],
  });

describe('the metrics file', () => {
  it.each([
    ['small mixed', smallMixed],
    ['fatal', fatalRun],
    ['interrupted', interruptedRun],
    ['dry run', dryRun],
    ['retained and notes', retainedAndNotes],
    ['empty', () => baseResult()],
  ])('%s: promtool accepts it (HELP and TYPE for each metric, valid names and samples)', (_, make) => {
    const text = renderMetrics(make(), { exitCode: 1, toolVersion: '1.0.0', previousSuccess: 1_700_000_000 });
    const seen = promtool(['check', 'metrics'], text);
    expect(seen.said).toBe('');
    expect(seen.ok).toBe(true);
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      const name = /^[a-z_]+/.exec(line)![0];
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toContain(`# TYPE ${name} gauge`);
    }
  });

  it("tags per class, failures per error code, bytes and duration are the JSON report's", () => {
    const result = smallMixed();
    const totals = buildReport(result, '1.0.0').totals;
    const text = renderMetrics(result, { exitCode: 1, toolVersion: '1.0.0' });
    // One sample per tag class of the table (model/tag-classes.ts), in its order.
    expect([...samples(text, 'harbor_sync_tags')]).toEqual(STATUSES.map((s) => [`{class="${s}"}`, totals[s]]));
    expect(samples(text, 'harbor_sync_tags').get('{class="stale"}')).toBe(1);
    const byCode = new Map<string, number>();
    for (const item of buildReport(result, '1.0.0').failed) {
      const code = (item.error as { errorCode: string }).errorCode;
      byCode.set(`{code="${code}"}`, (byCode.get(`{code="${code}"}`) ?? 0) + 1);
    }
    expect(samples(text, 'harbor_sync_failures')).toEqual(byCode);
    expect(samples(text, 'harbor_sync_uploaded_bytes').get('')).toBe(totals.bytesUploaded);
    expect(samples(text, 'harbor_sync_duration_seconds').get('')).toBe(result.seconds);
    expect(samples(text, 'harbor_sync_exit_code').get('')).toBe(1);
    expect(samples(text, 'harbor_sync_last_run_timestamp_seconds').get('')).toBe(Date.parse(result.finishedAt) / 1000);
    // A fatal error counts under its code.
    const fatal = renderMetrics(fatalRun(), { exitCode: 2, toolVersion: '1.0.0' });
    expect(samples(fatal, 'harbor_sync_failures')).toEqual(new Map([['{code="CREDENTIALS_REJECTED"}', 1]]));
  });

  it('label values are escaped as the format says: promtool accepts them and they read back whole', () => {
    const result = { ...good(), source: 'http://x/"quoted"\\back\nslash\u001b', shard: '2/4' };
    const text = renderMetrics(result, { exitCode: 0, toolVersion: '1.0.0' });
    expect(promtool(['check', 'metrics'], text).ok).toBe(true);
    expect(text).toContain('source="http://x/\\"quoted\\"\\\\back\\nslash\\\\x1b"');
    // Every sample of a shard's file carries the shard: two shards' files never clash.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toContain('shard="2/4"');
  });

  it('the last success: this run when it did everything, else carried over from the previous file, else 0', () => {
    const now = Date.parse(good().finishedAt) / 1000;
    const last = (result: SyncResult, exitCode: number, previous?: number) =>
      samples(renderMetrics(result, { exitCode, toolVersion: '1.0.0', previousSuccess: previous }), LAST_SUCCESS).get(
        '',
      );
    expect(last(good(), 0, 123)).toBe(now);
    for (const [why, result, exitCode] of [
      ['failed tags', smallMixed(), 1],
      [
        'stale tags under fail-on: failed (exit 0)',
        baseResult({ items: smallMixed().items.filter((i) => i.status === 'stale') }),
        0,
      ],
      ['a fatal error', fatalRun(), 2],
      ['interrupted', interruptedRun(), 130],
      ['a dry run', dryRun(), 0],
      ['a file not written (exit 2)', good(), 2],
    ] as const) {
      expect(fullySuccessful(result, exitCode), why).toBe(false);
      expect(last(result, exitCode, 123), why).toBe(123);
      expect(last(result, exitCode), why).toBe(0);
    }
  });

  it('reads the previous file it wrote back, and only a time from it; a hostile file costs no more than its length', () => {
    const text = renderMetrics(good(), { exitCode: 0, toolVersion: '1.0.0' });
    expect(previousSuccess(text)).toBe(Date.parse(good().finishedAt) / 1000);
    const shard = renderMetrics({ ...good(), shard: '1/2' }, { exitCode: 0, toolVersion: '1.0.0' });
    expect(previousSuccess(shard)).toBe(Date.parse(good().finishedAt) / 1000);
    expect(previousSuccess('')).toBeUndefined();
    expect(previousSuccess(`${LAST_SUCCESS} NaN\n${LAST_SUCCESS}_other 5\n${LAST_SUCCESS} -1\n`)).toBeUndefined();
    expect(previousSuccess(`# HELP x\n${LAST_SUCCESS}{a="}"} 42\n`)).toBe(42);
    const hostile = `${LAST_SUCCESS}{${'"}'.repeat(500_000)}`;
    const started = performance.now();
    expect(previousSuccess(hostile)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('is replaced whole (a new file renamed over it): a reader of the old one reads it whole, no temporary file stays', async () => {
    const path = join(dir, 'harbor_sync.prom');
    const old = 'x'.repeat(100_000);
    writeFileSync(path, old);
    const reader = openSync(path, 'r');
    const file = { input: 'metrics-file' as const, path, atomic: true };
    const text = renderMetrics(good(), { exitCode: 0, toolVersion: '1.0.0' });
    expect(await writeOutputFile(file, text, INPUT_NAMING)).toBeUndefined();
    // The old file was not truncated and rewritten in place: what was open still reads as it was.
    const buffer = Buffer.alloc(200_000);
    expect(readSync(reader, buffer, 0, buffer.length, 0)).toBe(old.length);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['harbor_sync.prom']);
    // A write that fails leaves neither a temporary file nor a changed file.
    const bad = { ...file, path: join(dir, 'missing-folder', 'deeper', 'x.prom') };
    writeFileSync(join(dir, 'missing-folder'), 'a file where a folder should be');
    expect(await writeOutputFile(bad, text, INPUT_NAMING)).toMatch(/metrics-file ".*x\.prom" could not be written/);
    expect(readdirSync(dir).sort()).toEqual(['harbor_sync.prom', 'missing-folder']);
  });
});

describe('the example alert rule (examples/cron/harbor-sync-alerts.yml)', () => {
  it('is a valid rule file', () => {
    const seen = promtool(['check', 'rules', ALERTS]);
    expect(seen.said).toMatch(/SUCCESS: 2 rules found/);
    expect(seen.ok).toBe(true);
  });

  it('fires after 26 h without a fully successful run, not while the nightly runs succeed', () => {
    // Series sampled every 5 min from t=0 (Prometheus forgets a sample after 5 min). `stuck`: the
    // last success was at 1 h and never again; `nightly`: a success every 24 h (at 1 h, 25 h, 49 h).
    // The alert waits 10 min (for:).
    const tests = join(dir, 'alert-tests.yml');
    writeFileSync(
      tests,
      [
        `rule_files: [${JSON.stringify(ALERTS)}]`,
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 5m',
        '    input_series:',
        `      - series: '${LAST_SUCCESS}{instance="stuck"}'`,
        "        values: '3600x720'",
        `      - series: '${LAST_SUCCESS}{instance="nightly"}'`,
        "        values: '3600x288 90000x288 176400x144'",
        `      - series: 'harbor_sync_last_run_timestamp_seconds{instance="stuck"}'`,
        "        values: '3600x720'",
        '    alert_rule_test:',
        '      - eval_time: 26h',
        '        alertname: HarborSyncNoSuccessfulRun',
        '        exp_alerts: []',
        '      - eval_time: 27h30m',
        '        alertname: HarborSyncNoSuccessfulRun',
        '        exp_alerts:',
        '          - exp_labels: { severity: warning, instance: stuck }',
        '            exp_annotations:',
        '              summary: harbor-sync has had no fully successful run for over 26 hours',
        '              description: >-',
        '                The last fully successful harbor-sync run on stuck ended 1d 2h 30m 0s ago.',
        "                The last run's exit code is harbor_sync_exit_code; its HTML page and JSON",
        '                report say what went wrong.',
        '      - eval_time: 50h',
        '        alertname: HarborSyncNoSuccessfulRun',
        '        exp_alerts:',
        '          - exp_labels: { severity: warning, instance: stuck }',
        '            exp_annotations:',
        '              summary: harbor-sync has had no fully successful run for over 26 hours',
        '              description: >-',
        '                The last fully successful harbor-sync run on stuck ended 2d 1h 0m 0s ago.',
        "                The last run's exit code is harbor_sync_exit_code; its HTML page and JSON",
        '                report say what went wrong.',
        '      - eval_time: 2h',
        '        alertname: HarborSyncMetricsMissing',
        '        exp_alerts: []',
        '',
      ].join('\n'),
    );
    const seen = promtool(['test', 'rules', tests]);
    expect(seen.said).toMatch(/SUCCESS/);
    expect(seen.ok).toBe(true);
  });
});
