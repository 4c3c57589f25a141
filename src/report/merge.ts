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
import {
  ShapeError,
  array,
  boolean,
  nonNegative,
  object,
  oneOf,
  optional,
  quote,
  string,
  where,
  type Shape,
} from '../errors/json-shape.js';
import { STATUSES } from '../model/result.js';

/** The result a report was written from (the classes become each item's status again). Every
 * field merge and the summary use is checked first: a wrong shape names the file and the field. */
export function resultFromReport(report: unknown, name: string): SyncResult {
  const r = report as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r) || r.schema !== REPORT_SCHEMA) {
    const schema = r && typeof r === 'object' && !Array.isArray(r) ? String(r.schema).slice(0, 100) : 'none';
    throw new ConfigError(`${name} is not a harbor-sync report (schema "${schema}", expected "${REPORT_SCHEMA}")`);
  }
  let read: ReturnType<typeof REPORT>;
  try {
    read = REPORT(report);
  } catch (error) {
    throw error instanceof ShapeError ? refusal(name, error) : error;
  }
  const { harborVersion, harborUser, shard, upstreamRequests, fatal, missingShards } = read;
  const bytesPlanned = read.totals?.bytesPlanned;
  return {
    startedAt: read.startedAt ?? '',
    finishedAt: read.finishedAt ?? '',
    seconds: read.totals?.seconds ?? 0,
    dryRun: read.dryRun === true,
    source: read.source ?? '',
    harbor: read.harbor ?? '',
    ...(harborVersion && { harborVersion }),
    ...(harborUser && { harborUser }),
    ...(shard && { shard }),
    ...(upstreamRequests !== undefined && { upstreamRequests }),
    projectsCreated: read.projectsCreated ?? [],
    items: STATUSES.flatMap((status) => (read[status] ?? []).map((item): TagResult => ({ ...item, status }))),
    retained: read.retained ?? [],
    harborNotes: read.harborNotes ?? [],
    ...(fatal && { fatal }),
    ...(read.interrupted && { interrupted: true }),
    notStarted: read.notStarted ?? [],
    ...(read.catalogIncomplete && { catalogIncomplete: true }),
    ...(bytesPlanned !== undefined && { bytesPlanned }),
    ...(missingShards && missingShards.length > 0 && { missingShards }),
  };
}

/** A wrong field in the words of a file handed in (`shard-2.json: failed[3].source is a number,
 * expected a string`): exit 2, one line. */
function refusal(file: string, error: ShapeError): ConfigError {
  const path = error.path.replace(/^\$\.?/, '');
  return new ConfigError(
    `${file}: ${path} ${error.why ?? `is ${error.found ?? 'missing'}, expected ${error.expected}`}`,
  );
}

// The shape of a report, part by part. Optional fields are absent or null; fields added within
// v1 are optional, so reports written before them still read.

/** Longer than any name a run writes: a repository (255) and a tag (128), or an escaped bad name. */
const MAX_NAME = 1024;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A name the report shows (an image, a repository, a project): one printable line. Runs write
 * names from outside escaped (`\x1b`), so a raw control character means the file was made up. */
const name: Shape<string> = (value) => {
  const text = string(value);
  if (text.length > MAX_NAME)
    throw new ShapeError('a name', quote(text), `is longer than ${MAX_NAME} characters, more than any name`);
  if (CONTROL.test(text))
    throw new ShapeError('a name', quote(text), 'holds a control character or line break, which no name has');
  return text;
};

/** An ISO 8601 time, as runs write them (`2026-11-22T08:00:00.000Z`); empty when a run never started. */
const time = where(
  string,
  (text) => text === '' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(text),
  'a time such as 2026-11-22T08:00:00.000Z',
);

/** More shards than any matrix runs; the same bound as the shard input (src/config/shard-input.ts). */
const MAX_SHARDS = 10_000;

/** `i/n` with 1 ≤ i ≤ n ≤ MAX_SHARDS; a merged report's `merged 1/2, 2/2` as it is. */
const shardName = where(
  name,
  (text) => {
    const shard = parseShard(text);
    return (
      text.startsWith('merged ') ||
      (!!shard && shard.index >= 1 && shard.index <= shard.count && shard.count <= MAX_SHARDS)
    );
  },
  `i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS} (e.g. 2/4)`,
);

/** '' read as absent: a run writes no empty digest or push time, and merge always dropped one. */
const unlessEmpty =
  (shape: Shape<string>): Shape<string | undefined> =>
  (value) =>
    shape(value) || undefined;

/** `true` or absent: a report writes false where the model leaves the field out. */
const trueOrAbsent: Shape<true | undefined> = (value) => boolean(value) || undefined;

// Typed as always having an errorCode, which was added within v1: reports written before lack it,
// and the summary words a failure without it.
const STEP_FAILURE = object({
  step: oneOf(STEPS),
  errorCode: optional(oneOf(Object.keys(ERROR_CODES) as ErrorCode[])),
  status: optional(nonNegative),
  code: optional(name),
  message: string,
  hint: optional(string),
}) as Shape<StepFailure>;

/** A digest Harbor lacked (verify: blobs; added within v1). */
const MISSING_IN_HARBOR: Shape<HarborMissing> = object({
  digest: name,
  kind: oneOf(['blob', 'manifest'] as const),
  size: optional(nonNegative),
});

/** An item of one of the lists per class; the list gives its status. */
const ITEM: Shape<Omit<TagResult, 'status'>> = object({
  source: name,
  target: name,
  digest: optional(unlessEmpty(name)),
  mediaType: optional(name),
  platforms: optional(array(name)),
  size: optional(nonNegative),
  blobs: optional(
    object({
      total: nonNegative,
      uploaded: nonNegative,
      mounted: nonNegative,
      existing: nonNegative,
      bytesUploaded: nonNegative,
    }),
  ),
  sourceDigest: optional(name),
  previousDigest: optional(name),
  repaired: optional(object({ blobs: nonNegative, manifests: nonNegative, bytes: nonNegative, from: name })),
  missing: optional(array(name)),
  harborMissing: optional(array(MISSING_IN_HARBOR)),
  checkedWhole: optional(trueOrAbsent),
  reason: optional(string),
  error: optional(STEP_FAILURE),
  retries: optional(nonNegative),
  seconds: optional(nonNegative),
});

const RETAINED_ITEM: Shape<RetainedItem> = object({
  kind: oneOf(['tag', 'repository'] as const),
  source: name,
  target: name,
  digest: optional(name),
  pushedAt: optional(unlessEmpty(time)),
  artifacts: optional(nonNegative),
});

const HARBOR_NOTE: Shape<HarborNote> = object({
  project: name,
  kind: oneOf(['proxy-cache', 'retention', 'immutable', 'kept'] as const),
  message: string,
});

/** The report in the order it is written (src/report/json.ts): the first wrong field is named. */
const REPORT = object({
  dryRun: optional(boolean),
  startedAt: optional(time),
  finishedAt: optional(time),
  source: optional(name),
  harbor: optional(name),
  harborVersion: optional(name),
  harborUser: optional(name),
  projectsCreated: optional(array(name)),
  shard: optional(shardName),
  missingShards: optional(array(shardName)),
  upstreamRequests: optional(nonNegative),
  totals: optional(object({ seconds: optional(nonNegative), bytesPlanned: optional(nonNegative) })),
  fatal: optional(STEP_FAILURE),
  interrupted: optional(boolean),
  notStarted: optional(array(name)),
  catalogIncomplete: optional(boolean),
  ...(Object.fromEntries(STATUSES.map((status) => [status, optional(array(ITEM))])) as Record<
    TagStatus,
    Shape<Omit<TagResult, 'status'>[] | undefined>
  >),
  // Added within v1: reports written before have neither.
  retained: optional(array(RETAINED_ITEM)),
  harborNotes: optional(array(HARBOR_NOTE)),
});

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
