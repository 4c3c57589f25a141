// The run in the Prometheus text exposition format (metrics-file), for node_exporter's textfile
// collector or a Pushgateway: tags per class, bytes uploaded, duration, failures per error code,
// the exit code, when the run ended and when the last fully successful run ended (carried over
// from the file the previous run wrote), each with HELP and TYPE. Every value describes the last
// run, so every metric is a gauge. `promtool check metrics` reads it in the tests.
import { BY_ATTENTION, failsSomeSync, tagClass } from '../model/class-rules.js';
import type { SyncResult } from '../model/result.js';
import { STATUSES } from '../model/result.js';
import { metricLabel } from './escape.js';
import { computeTotals } from './totals.js';
import { wordList } from './words.js';

export const LAST_SUCCESS = 'harbor_sync_last_success_timestamp_seconds';

export interface MetricsOptions {
  /** The exit code the run ends with (a file not written included). */
  exitCode: number;
  /** When the last fully successful run before this one ended (Unix seconds), from the previous file. */
  previousSuccess?: number | undefined;
  toolVersion: string;
}

/** The tag classes a fully successful run has none of: those some fail-on rule fails a sync on
 * (failed, stale, incomplete). */
const UNSUCCESSFUL = BY_ATTENTION.filter((c) => c.kind === 'tag' && failsSomeSync(c));

/** A run that did everything: it ended (no fatal error, not interrupted), wrote to Harbor (not a
 * dry run), left no tag of a class that needs anything (under the strictest rule), exit code 0. */
export function fullySuccessful(result: SyncResult, exitCode: number): boolean {
  if (exitCode !== 0 || result.fatal || result.interrupted || result.dryRun) return false;
  const totals = computeTotals(result);
  return UNSUCCESSFUL.every((c) => totals[c.name] === 0);
}

/** The metrics file's text. A run that is not a full success carries the previous success's time
 * over (0 when there was none: an alert on its age fires). */
export function renderMetrics(result: SyncResult, options: MetricsOptions): string {
  const totals = computeTotals(result);
  const ended = unixSeconds(result.finishedAt);
  const lastSuccess = fullySuccessful(result, options.exitCode) ? ended : (options.previousSuccess ?? 0);
  // A shard's file has the shard as a label: the textfile collector refuses the same series twice.
  const common: [string, string][] = result.shard ? [['shard', result.shard]] : [];
  const failures = new Map<string, number>();
  for (const item of result.items)
    if (tagClass(item.status).listing === 'causes') {
      const code = item.error?.errorCode ?? 'UNKNOWN';
      failures.set(code, (failures.get(code) ?? 0) + 1);
    }
  if (result.fatal) failures.set(result.fatal.errorCode, (failures.get(result.fatal.errorCode) ?? 0) + 1);
  const out: string[] = [];
  const metric = (name: string, help: string, samples: [[string, string][], number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) out.push(`${name}${labelSet([...common, ...labels])} ${format(value)}`);
  };
  metric(
    'harbor_sync_tags',
    `Tags of the last run by class (${STATUSES.join(', ')}), as in its JSON report.`,
    STATUSES.map((status) => [[['class', status]], totals[status]]),
  );
  metric('harbor_sync_retained', 'What Harbor holds that the source no longer lists (kept, never deleted).', [
    [[['kind', 'tag']], result.retained.filter((r) => r.kind === 'tag').length],
    [[['kind', 'repository']], result.retained.filter((r) => r.kind === 'repository').length],
  ]);
  metric(
    'harbor_sync_failures',
    'Failures of the last run by harbor-sync error code: one per failed tag, one for an error that stopped the run.',
    [...failures.entries()].sort().map(([code, n]) => [[['code', code]], n]),
  );
  metric('harbor_sync_uploaded_bytes', 'Bytes the last run uploaded to Harbor, each blob once.', [
    [[], totals.bytesUploaded],
  ]);
  metric('harbor_sync_retries', 'Requests and blob copies the last run tried again.', [[[], totals.retries]]);
  metric('harbor_sync_duration_seconds', 'How long the last run took.', [[[], result.seconds]]);
  metric('harbor_sync_dry_run', '1 when the last run was a dry run (nothing written to Harbor).', [
    [[], result.dryRun ? 1 : 0],
  ]);
  metric(
    'harbor_sync_exit_code',
    'Exit code of the last run: 0 ok, 1 tags failed per fail-on, 2 configuration, credentials or connection, 130 interrupted.',
    [[[], options.exitCode]],
  );
  metric('harbor_sync_last_run_timestamp_seconds', 'When the last run ended, in Unix seconds.', [[[], ended]]);
  metric(
    LAST_SUCCESS,
    `When the last fully successful run ended (no ${wordList(
      UNSUCCESSFUL.map((c) => c.word),
      'or',
    )} tag, exit code 0, not a dry run), in Unix seconds; 0 if none is known.`,
    [[[], lastSuccess]],
  );
  metric('harbor_sync_info', 'The last run: harbor-sync version, source and Harbor.', [
    [
      [
        ['version', options.toolVersion],
        ['source', result.source],
        ['harbor', result.harbor],
      ],
      1,
    ],
  ]);
  return `${out.join('\n')}\n`;
}

/** The last success a previous metrics file states, if it states one that is a time. Read line by
 * line (no pattern that could backtrack over a hostile file). */
export function previousSuccess(text: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(LAST_SUCCESS)) continue;
    const rest = line.slice(LAST_SUCCESS.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    // The value after the labels; an empty one is no 0.
    const token =
      rest
        .slice(rest.lastIndexOf('}') + 1)
        .trim()
        .split(/\s+/)[0] ?? '';
    const value = token === '' ? Number.NaN : Number(token);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}

function labelSet(labels: [string, string][]): string {
  return labels.length ? `{${labels.map(([name, value]) => `${name}="${metricLabel(value)}"`).join(',')}}` : '';
}

function unixSeconds(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : 0;
}

function format(value: number): string {
  return Number.isFinite(value) ? String(value) : '0';
}
