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
    throw new ConfigError(
      `${name} is not a harbor-sync report (schema "${String((r as { schema?: unknown } | null)?.schema)}", expected "${REPORT_SCHEMA}")`,
    );
  }
  const items: TagResult[] = [];
  for (const status of STATUSES) {
    for (const item of (r[status] ?? []) as ReportItem[]) {
      const { digest, ...rest } = item;
      items.push({
        ...(rest as Omit<TagResult, 'status'>),
        status: status as TagStatus,
        ...(digest ? { digest } : {}),
      });
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
    // Added within v1: reports written before have neither.
    retained: Array.isArray(r.retained) ? r.retained : [],
    harborNotes: Array.isArray(r.harborNotes) ? r.harborNotes : [],
    ...(r.fatal && { fatal: r.fatal }),
    ...(r.interrupted && { interrupted: true }),
    notStarted: r.notStarted ?? [],
    ...(r.totals?.bytesPlanned !== undefined && { bytesPlanned: r.totals.bytesPlanned }),
    ...(Array.isArray(r.missingShards) && r.missingShards.length > 0 && { missingShards: r.missingShards }),
  };
}

export interface NamedResult {
  /** The report file, for messages. */
  file: string;
  result: SyncResult;
}

/** Checks that the reports are one complete shard set: the same n, the same source and Harbor,
 * every shard 1..n exactly once. Returns the missing shards (`2/4`) when `allowPartial`;
 * otherwise a missing, repeated or foreign shard is an error naming it. */
export function checkShardSet(reports: NamedResult[], allowPartial: boolean): string[] {
  if (reports.length === 0) throw new ConfigError('report-merge needs at least one report');
  const [first] = reports;
  const shards = reports.map(({ file, result }) => ({ file, result, shard: parseShard(result.shard) }));
  const unsharded = shards.filter((s) => !s.shard);
  if (unsharded.length > 0 && reports.length > 1)
    throw new ConfigError(
      `${unsharded[0]!.file} is not the report of a shard (it has no "shard"): report-merge merges the reports of one sharded sync`,
    );
  if (unsharded.length > 0) return [];
  for (const { file, result } of reports) {
    if (result.source !== first!.result.source || result.harbor !== first!.result.harbor) {
      throw new ConfigError(
        `${file} is a sync of ${result.source} into ${result.harbor}, but ${first!.file} of ${first!.result.source} into ${first!.result.harbor}: merge the shards of one sync`,
      );
    }
  }
  const count = shards[0]!.shard!.count;
  const other = shards.find((s) => s.shard!.count !== count);
  if (other)
    throw new ConfigError(
      `${other.file} is shard ${other.result.shard}, but ${shards[0]!.file} is shard ${shards[0]!.result.shard}: every shard must come from the same split (n = ${count})`,
    );
  const seen = new Map<number, string>();
  for (const { file, shard } of shards) {
    const earlier = seen.get(shard!.index);
    if (earlier)
      throw new ConfigError(
        `shard ${shard!.index}/${count} is given twice (${earlier} and ${file}): its tags would be counted twice`,
      );
    seen.set(shard!.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1)
    .filter((i) => !seen.has(i))
    .map((i) => `${i}/${count}`);
  if (missing.length > 0 && !allowPartial) {
    throw new ConfigError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: give every shard's report, or --allow-partial to merge what is there`,
    );
  }
  return missing;
}

function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  return match ? { index: Number(match[1]), count: Number(match[2]) } : undefined;
}

/** One result of many shards: items together, the run spanning from the first start to the last end. */
export function mergeResults(results: SyncResult[], missingShards: string[] = []): SyncResult {
  if (results.length === 0) throw new ConfigError('report-merge needs at least one report');
  const first = results[0]!;
  const startedAt = results.map((r) => r.startedAt).sort()[0]!;
  const finishedAt = results
    .map((r) => r.finishedAt)
    .sort()
    .at(-1)!;
  const fatal = results.find((r) => r.fatal)?.fatal;
  const shards = results.map((r) => r.shard).filter(Boolean);
  const planned = results.filter((r) => r.bytesPlanned !== undefined);
  return {
    startedAt,
    finishedAt,
    seconds:
      Math.max(0, (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000) ||
      Math.max(...results.map((r) => r.seconds)),
    dryRun: results.every((r) => r.dryRun),
    source: first.source,
    harbor: first.harbor,
    ...(first.harborVersion && { harborVersion: first.harborVersion }),
    ...(first.harborUser && { harborUser: first.harborUser }),
    ...(shards.length > 0 && { shard: `merged ${shards.join(', ')}` }),
    projectsCreated: [...new Set(results.flatMap((r) => r.projectsCreated))].sort(),
    items: results.flatMap((r) => r.items),
    retained: results.flatMap((r) => r.retained),
    // A project's note is said once, whichever shards met it.
    harborNotes: [...new Map(results.flatMap((r) => r.harborNotes).map((n) => [`${n.project} ${n.kind}`, n])).values()],
    ...(fatal && { fatal: withShard(fatal, results) }),
    ...(results.some((r) => r.interrupted) && { interrupted: true }),
    notStarted: results.flatMap((r) => r.notStarted),
    ...(planned.length > 0 && { bytesPlanned: planned.reduce((n, r) => n + (r.bytesPlanned ?? 0), 0) }),
    ...(missingShards.length > 0 && { missingShards }),
    ...(results.some((r) => r.upstreamRequests !== undefined) && {
      upstreamRequests: results.reduce((n, r) => n + (r.upstreamRequests ?? 0), 0),
    }),
  };
}

function withShard(fatal: StepFailure, results: SyncResult[]): StepFailure {
  const shard = results.find((r) => r.fatal === fatal)?.shard;
  return shard ? { ...fatal, message: `shard ${shard}: ${fatal.message}` } : fatal;
}
