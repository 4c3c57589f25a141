// `report-merge`: the shards of a sharded sync each write a JSON report; one report and one
// summary are made of them, equal to what a single runner would have written for the same work
// (timings aside).
import type { StepFailure, SyncResult, TagResult, TagStatus } from '../model/result.js';
import { REPORT_SCHEMA, type Report, type ReportItem } from './json.js';
import { ConfigError } from '../errors/base.js';
import { STATUSES } from '../model/result.js';


/** The result a report was written from (the classes become each item's status again). */
export function resultFromReport(report: unknown, name: string): SyncResult {
  const r = report as Partial<Report> | null;
  if (!r || typeof r !== 'object' || r.schema !== REPORT_SCHEMA) {
    throw new ConfigError(`${name} is not a harbor-sync report (schema "${String((r as { schema?: unknown } | null)?.schema)}", expected "${REPORT_SCHEMA}")`);
  }
  const items: TagResult[] = [];
  for (const status of STATUSES) {
    for (const item of (r[status] ?? []) as ReportItem[]) {
      const { digest, ...rest } = item;
      items.push({ ...(rest as Omit<TagResult, 'status'>), status: status as TagStatus, ...(digest ? { digest } : {}) });
    }
  }
  return {
    startedAt: r.startedAt ?? '',
    finishedAt: r.finishedAt ?? '',
    seconds: r.totals?.seconds ?? 0,
    dryRun: r.dryRun === true,
    source: r.source ?? '',
    harbor: r.harbor ?? '',
    ...(r.harborVersion && { harborVersion: r.harborVersion }),
    ...(r.harborUser && { harborUser: r.harborUser }),
    ...(r.shard && { shard: r.shard }),
    ...(typeof r.upstreamRequests === 'number' && { upstreamRequests: r.upstreamRequests }),
    projectsCreated: r.projectsCreated ?? [],
    items,
    ...(r.fatal && { fatal: r.fatal }),
    ...(r.interrupted && { interrupted: true }),
    notStarted: r.notStarted ?? [],
    ...(r.totals?.bytesPlanned !== undefined && { bytesPlanned: r.totals.bytesPlanned }),
  };
}

/** One result of many shards: items together, the run spanning from the first start to the last end. */
export function mergeResults(results: SyncResult[]): SyncResult {
  if (results.length === 0) throw new ConfigError('report-merge needs at least one report');
  const first = results[0]!;
  const startedAt = results.map((r) => r.startedAt).sort()[0]!;
  const finishedAt = results.map((r) => r.finishedAt).sort().at(-1)!;
  const fatal = results.find((r) => r.fatal)?.fatal;
  const shards = results.map((r) => r.shard).filter(Boolean);
  const planned = results.filter((r) => r.bytesPlanned !== undefined);
  return {
    startedAt,
    finishedAt,
    seconds: Math.max(0, (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000) || Math.max(...results.map((r) => r.seconds)),
    dryRun: results.every((r) => r.dryRun),
    source: first.source,
    harbor: first.harbor,
    ...(first.harborVersion && { harborVersion: first.harborVersion }),
    ...(first.harborUser && { harborUser: first.harborUser }),
    ...(shards.length > 0 && { shard: `merged ${shards.join(', ')}` }),
    projectsCreated: [...new Set(results.flatMap((r) => r.projectsCreated))].sort(),
    items: results.flatMap((r) => r.items),
    ...(fatal && { fatal: withShard(fatal, results) }),
    ...(results.some((r) => r.interrupted) && { interrupted: true }),
    notStarted: results.flatMap((r) => r.notStarted),
    ...(planned.length > 0 && { bytesPlanned: planned.reduce((n, r) => n + (r.bytesPlanned ?? 0), 0) }),
    ...(results.some((r) => r.upstreamRequests !== undefined) && { upstreamRequests: results.reduce((n, r) => n + (r.upstreamRequests ?? 0), 0) }),
  };
}

function withShard(fatal: StepFailure, results: SyncResult[]): StepFailure {
  const shard = results.find((r) => r.fatal === fatal)?.shard;
  return shard ? { ...fatal, message: `shard ${shard}: ${fatal.message}` } : fatal;
}
