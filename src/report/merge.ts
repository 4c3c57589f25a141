// `report-merge`: the shards of a sharded sync each write a JSON report; one report and one
// summary are made of them, equal to what a single runner would have written for the same work
// (timings aside).
import type {
  HarborMissing,
  HarborNote,
  RetainedItem,
  StepFailure,
  SyncResult,
  TagResult,
  TagStatus,
} from '../model/result.js';
import { REPORT_SCHEMA } from './json.js';
import { ConfigError } from '../errors/base.js';
import { ERROR_CODES, STEPS, type ErrorCode } from '../errors/codes.js';
import { STATUSES } from '../model/result.js';
import { Shape } from './shape.js';

const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** The result a report was written from (the classes become each item's status again). Every
 * field merge and the summary use is checked first: a wrong shape names the file and the field. */
export function resultFromReport(report: unknown, name: string): SyncResult {
  const shape = new Shape(name);
  const r = report as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r) || r.schema !== REPORT_SCHEMA) {
    const schema = r && typeof r === 'object' && !Array.isArray(r) ? String(r.schema).slice(0, 100) : 'none';
    throw new ConfigError(`${name} is not a harbor-sync report (schema "${schema}", expected "${REPORT_SCHEMA}")`);
  }
  const field = <T>(key: string, check: (value: unknown, path: string) => T): T | undefined =>
    shape.optional(r[key], key, check);
  const names = (value: unknown, path: string) => shape.list(value, path, (v, p) => shape.name(v, p));
  const items: TagResult[] = [];
  for (const status of STATUSES)
    items.push(...(field(status, (v, p) => shape.list(v, p, (item, at) => tagResult(shape, item, at, status))) ?? []));
  const totals = field('totals', (v, p) => shape.object(v, p));
  const seconds = shape.optional(totals?.seconds, 'totals.seconds', (v, p) => shape.number(v, p));
  const bytesPlanned = shape.optional(totals?.bytesPlanned, 'totals.bytesPlanned', (v, p) => shape.number(v, p));
  const shard = field('shard', (v, p) => shardOf(shape, v, p));
  const harborVersion = field('harborVersion', (v, p) => shape.name(v, p));
  const harborUser = field('harborUser', (v, p) => shape.name(v, p));
  const upstreamRequests = field('upstreamRequests', (v, p) => shape.number(v, p));
  const fatal = field('fatal', (v, p) => stepFailure(shape, v, p));
  const missingShards = field('missingShards', (v, p) => shape.list(v, p, (s, at) => shardOf(shape, s, at)));
  return {
    startedAt: field('startedAt', (v, p) => time(shape, v, p)) ?? '',
    finishedAt: field('finishedAt', (v, p) => time(shape, v, p)) ?? '',
    seconds: seconds ?? 0,
    dryRun: field('dryRun', (v, p) => shape.boolean(v, p)) === true,
    source: field('source', (v, p) => shape.name(v, p)) ?? '',
    harbor: field('harbor', (v, p) => shape.name(v, p)) ?? '',
    ...(harborVersion && { harborVersion }),
    ...(harborUser && { harborUser }),
    ...(shard && { shard }),
    ...(upstreamRequests !== undefined && { upstreamRequests }),
    projectsCreated: field('projectsCreated', names) ?? [],
    items,
    // Added within v1: reports written before have neither.
    retained: field('retained', (v, p) => shape.list(v, p, (item, at) => retainedItem(shape, item, at))) ?? [],
    harborNotes: field('harborNotes', (v, p) => shape.list(v, p, (note, at) => harborNote(shape, note, at))) ?? [],
    ...(fatal && { fatal }),
    ...(field('interrupted', (v, p) => shape.boolean(v, p)) && { interrupted: true }),
    notStarted: field('notStarted', names) ?? [],
    ...(field('catalogIncomplete', (v, p) => shape.boolean(v, p)) && { catalogIncomplete: true }),
    ...(bytesPlanned !== undefined && { bytesPlanned }),
    ...(missingShards && missingShards.length > 0 && { missingShards }),
  };
}

/** More shards than any matrix runs; the same bound as the shard input (src/config/shard.ts). */
const MAX_SHARDS = 10_000;

/** `i/n` with 1 ≤ i ≤ n ≤ MAX_SHARDS; a merged report's `merged 1/2, 2/2` as it is. */
function shardOf(shape: Shape, value: unknown, path: string): string {
  const text = shape.name(value, path);
  if (text.startsWith('merged ')) return text;
  const shard = parseShard(text);
  if (!shard || shard.index < 1 || shard.index > shard.count || shard.count > MAX_SHARDS)
    throw shape.fail(path, `is "${text.slice(0, 100)}", expected i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS} (e.g. 2/4)`);
  return text;
}

/** An ISO 8601 time, as runs write them (`2026-11-22T08:00:00.000Z`); empty when a run never started. */
function time(shape: Shape, value: unknown, path: string): string {
  const text = shape.string(value, path);
  if (text !== '' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(text))
    throw shape.fail(path, `is "${text.slice(0, 100)}", expected a time such as 2026-11-22T08:00:00.000Z`);
  return text;
}

function tagResult(shape: Shape, value: unknown, path: string, status: TagStatus): TagResult {
  const item = shape.object(value, path);
  const at = (key: string) => `${path}.${key}`;
  const opt = <T>(key: string, check: (value: unknown, path: string) => T): T | undefined =>
    shape.optional(item[key], at(key), check);
  const text = (v: unknown, p: string) => shape.string(v, p);
  const count = (v: unknown, p: string) => shape.number(v, p);
  const digest = opt('digest', (v, p) => shape.name(v, p));
  const mediaType = opt('mediaType', (v, p) => shape.name(v, p));
  const platforms = opt('platforms', (v, p) => shape.list(v, p, (x, q) => shape.name(x, q)));
  const size = opt('size', count);
  const blobs = opt('blobs', (v, p) => {
    const b = shape.object(v, p);
    const n = (key: string) => shape.number(b[key], `${p}.${key}`);
    return {
      total: n('total'),
      uploaded: n('uploaded'),
      mounted: n('mounted'),
      existing: n('existing'),
      bytesUploaded: n('bytesUploaded'),
    };
  });
  const sourceDigest = opt('sourceDigest', (v, p) => shape.name(v, p));
  const previousDigest = opt('previousDigest', (v, p) => shape.name(v, p));
  const repaired = opt('repaired', (v, p) => {
    const b = shape.object(v, p);
    const n = (key: string) => shape.number(b[key], `${p}.${key}`);
    return { blobs: n('blobs'), manifests: n('manifests'), bytes: n('bytes'), from: shape.name(b.from, `${p}.from`) };
  });
  const missing = opt('missing', (v, p) => shape.list(v, p, (x, q) => shape.name(x, q)));
  const harborMissing = opt('harborMissing', (v, p) => shape.list(v, p, (x, q) => missingInHarbor(shape, x, q)));
  const checkedWhole = opt('checkedWhole', (v, p) => shape.boolean(v, p));
  const reason = opt('reason', text);
  const error = opt('error', (v, p) => stepFailure(shape, v, p));
  const retries = opt('retries', count);
  const seconds = opt('seconds', count);
  return {
    source: shape.name(item.source, at('source')),
    target: shape.name(item.target, at('target')),
    status,
    ...(digest && { digest }),
    ...(mediaType !== undefined && { mediaType }),
    ...(platforms && { platforms }),
    ...(size !== undefined && { size }),
    ...(blobs && { blobs }),
    ...(sourceDigest !== undefined && { sourceDigest }),
    ...(previousDigest !== undefined && { previousDigest }),
    ...(repaired && { repaired }),
    ...(missing && { missing }),
    ...(harborMissing && { harborMissing }),
    ...(checkedWhole && { checkedWhole: true as const }),
    ...(reason !== undefined && { reason }),
    ...(error && { error }),
    ...(retries !== undefined && { retries }),
    ...(seconds !== undefined && { seconds }),
  };
}

/** A digest Harbor lacked (verify: blobs; added within v1). */
function missingInHarbor(shape: Shape, value: unknown, path: string): HarborMissing {
  const m = shape.object(value, path);
  const size = shape.optional(m.size, `${path}.size`, (v, p) => shape.number(v, p));
  return {
    digest: shape.name(m.digest, `${path}.digest`),
    kind: shape.oneOf(m.kind, `${path}.kind`, ['blob', 'manifest'] as const),
    ...(size !== undefined && { size }),
  };
}

function stepFailure(shape: Shape, value: unknown, path: string): StepFailure {
  const f = shape.object(value, path);
  const at = (key: string) => `${path}.${key}`;
  const status = shape.optional(f.status, at('status'), (v, p) => shape.number(v, p));
  const code = shape.optional(f.code, at('code'), (v, p) => shape.name(v, p));
  const hint = shape.optional(f.hint, at('hint'), (v, p) => shape.string(v, p));
  // errorCode was added within v1: reports written before lack it.
  const errorCode = shape.optional(f.errorCode, at('errorCode'), (v, p) => shape.oneOf(v, p, ERROR_CODE_LIST));
  // Typed as always having one; the summary words a failure without it.
  return {
    step: shape.oneOf(f.step, at('step'), STEPS),
    ...((errorCode ? { errorCode } : {}) as { errorCode: ErrorCode }),
    ...(status !== undefined && { status }),
    ...(code !== undefined && { code }),
    message: shape.string(f.message, at('message')),
    ...(hint !== undefined && { hint }),
  };
}

function retainedItem(shape: Shape, value: unknown, path: string): RetainedItem {
  const item = shape.object(value, path);
  const at = (key: string) => `${path}.${key}`;
  const digest = shape.optional(item.digest, at('digest'), (v, p) => shape.name(v, p));
  const pushedAt = shape.optional(item.pushedAt, at('pushedAt'), (v, p) => time(shape, v, p));
  const artifacts = shape.optional(item.artifacts, at('artifacts'), (v, p) => shape.number(v, p));
  return {
    kind: shape.oneOf(item.kind, at('kind'), ['tag', 'repository'] as const),
    source: shape.name(item.source, at('source')),
    target: shape.name(item.target, at('target')),
    ...(digest !== undefined && { digest }),
    ...(pushedAt && { pushedAt }),
    ...(artifacts !== undefined && { artifacts }),
  };
}

function harborNote(shape: Shape, value: unknown, path: string): HarborNote {
  const note = shape.object(value, path);
  return {
    project: shape.name(note.project, `${path}.project`),
    kind: shape.oneOf(note.kind, `${path}.kind`, ['proxy-cache', 'retention', 'immutable', 'kept'] as const),
    message: shape.string(note.message, `${path}.message`),
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
    ...(results.some((r) => r.catalogIncomplete) && { catalogIncomplete: true }),
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
