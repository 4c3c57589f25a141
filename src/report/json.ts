// The JSON report (schema documented in docs/report.md). Versioned: fields are only ever added
// within a version.
import type { HarborNote, RetainedItem, StepFailure, SyncResult, TagResult, TagStatus } from '../model/result.js';
import { computeTotals, itemsByStatus, STATUSES, type Totals } from './totals.js';
import { byText } from './order.js';

export const REPORT_SCHEMA = 'harbor-sync/report/v1';

export interface ReportItem {
  source: string;
  target: string;
  digest: string | null;
  [field: string]: unknown;
}

/** The report: its head, a list of items per tag class (model/tag-classes.ts, in its order), its tail. */
export interface Report extends Record<TagStatus, ReportItem[]> {
  schema: typeof REPORT_SCHEMA;
  tool: { name: 'harbor-sync'; version: string };
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  source: string;
  harbor: string;
  harborVersion: string | null;
  harborUser: string | null;
  projectsCreated: string[];
  /** `i/n` when the run was one shard of several. */
  shard: string | null;
  /** report-merge --allow-partial: the shards whose reports were missing. */
  missingShards?: string[];
  /** Requests sent to upstream-registry, when one was set. */
  upstreamRequests: number | null;
  totals: Totals;
  fatal: StepFailure | null;
  /** Stopped by SIGINT/SIGTERM; `notStarted` lists the tags (or whole repositories, as `repo:*`) a re-run will still do. */
  interrupted: boolean;
  notStarted: string[];
  /** Interrupted before the catalog was listed to its end: more is left than `notStarted` lists.
   * Added within v1. */
  catalogIncomplete: boolean;
  /** Only Harbor has these now: tags (and repositories) the source no longer lists, kept in
   * Harbor. Information, never a failure. Added within v1. */
  retained: RetainedItem[];
  /** Harbor settings of the target projects that refuse or may later delete what is copied. Added within v1. */
  harborNotes: HarborNote[];
}

export function buildReport(result: SyncResult, toolVersion: string): Report {
  const groups = itemsByStatus(result);
  return {
    ...reportHead(result, toolVersion),
    ...(Object.fromEntries(STATUSES.map((status) => [status, groups[status].map(toItem)])) as Record<
      TagStatus,
      ReportItem[]
    >),
    ...reportTail(result),
  };
}

type ReportTail = Pick<Report, 'retained' | 'harborNotes'>;

/** The report's text exactly as `JSON.stringify(buildReport(…), null, 2)` writes it, in pieces of
 * one list element each: a report of 100k tags never exists as one string (nor its items as a
 * second copy) in memory. */
export function* reportText(result: SyncResult, toolVersion: string): Generator<string> {
  const groups = itemsByStatus(result);
  const fields: [string, unknown, ((item: TagResult) => ReportItem)?][] = [
    ...Object.entries(reportHead(result, toolVersion)),
    ...STATUSES.map((status): [string, unknown, typeof toItem] => [status, groups[status], toItem]),
    ...Object.entries(reportTail(result)),
  ];
  let first = true;
  yield '{';
  for (const [key, value, form] of fields) {
    if (value === undefined) continue;
    yield `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (!Array.isArray(value) || value.length === 0) {
      yield indent(JSON.stringify(value, null, 2), '  ');
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      const json = JSON.stringify(form ? form(value[i] as TagResult) : value[i], null, 2);
      yield `${i === 0 ? '' : ','}\n    ${indent(json, '    ')}`;
    }
    yield '\n  ]';
  }
  yield '\n}\n';
}

function indent(json: string, by: string): string {
  return json.replaceAll('\n', `\n${by}`);
}

function reportHead(result: SyncResult, toolVersion: string): Omit<Report, TagStatus | keyof ReportTail> {
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'harbor-sync', version: toolVersion },
    dryRun: result.dryRun,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    source: result.source,
    harbor: result.harbor,
    harborVersion: result.harborVersion ?? null,
    harborUser: result.harborUser ?? null,
    projectsCreated: result.projectsCreated,
    shard: result.shard ?? null,
    ...(result.missingShards && { missingShards: result.missingShards }),
    upstreamRequests: result.upstreamRequests ?? null,
    totals: computeTotals(result),
    fatal: result.fatal ?? null,
    interrupted: result.interrupted === true,
    notStarted: [...result.notStarted].sort(),
    catalogIncomplete: result.catalogIncomplete === true,
  };
}

function reportTail(result: SyncResult): ReportTail {
  return {
    retained: [...result.retained].sort((a, b) => byText(a.target, b.target)),
    harborNotes: result.harborNotes,
  };
}

function toItem(item: TagResult): ReportItem {
  const { source, target, digest, status: _status, ...rest } = item;
  return { source, target, digest: digest ?? null, ...rest };
}
