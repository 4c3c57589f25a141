import { NOTES, STATUSES } from '../model/class-rules.js';
import type { SyncResult, TagResult } from '../model/result.js';
import type { ClassName, TagStatus } from '../model/tag-classes.js';
import { byText } from './order.js';

export { STATUSES };

/** The count of each class (tags per status; retained beside them, not among `tags`), then the rest. */
export interface Totals extends Record<ClassName, number> {
  tags: number;
  /** Bytes sent to Harbor (each blob once per run). */
  bytesUploaded: number;
  /** Bytes of all migrated tags, as if each were copied whole. */
  bytesMigrated: number;
  blobsUploaded: number;
  blobsMounted: number;
  blobsExisting: number;
  /** Dry run: bytes that would be uploaded (unique blobs Harbor lacks). */
  bytesPlanned?: number;
  /** Requests and blob copies tried again, over all tags. */
  retries: number;
  /** Migrated tags some of whose content came from upstream-registry. */
  repaired: number;
  /** verify: blobs — tags checked whole in Harbor (skipped whole, broken, and broken beyond
   * repair). */
  checkedWhole: number;
  seconds: number;
}

export function computeTotals(result: SyncResult): Totals {
  // Keys in the JSON report's order: the tag classes after `tags`, the notes before `seconds`.
  const totals = {
    tags: result.items.length,
    ...counts(STATUSES, () => 0),
    bytesUploaded: 0,
    bytesMigrated: 0,
    blobsUploaded: 0,
    blobsMounted: 0,
    blobsExisting: 0,
    retries: 0,
    repaired: 0,
    checkedWhole: 0,
    ...counts(NOTES, (note) => result[note].length),
    seconds: result.seconds,
    ...(result.bytesPlanned !== undefined && { bytesPlanned: result.bytesPlanned }),
  } as Totals;
  for (const item of result.items) {
    totals[item.status] += 1;
    if (item.status === 'migrated') totals.bytesMigrated += item.size ?? 0;
    totals.bytesUploaded += item.blobs?.bytesUploaded ?? 0;
    totals.blobsUploaded += item.blobs?.uploaded ?? 0;
    totals.blobsMounted += item.blobs?.mounted ?? 0;
    totals.blobsExisting += item.blobs?.existing ?? 0;
    totals.retries += item.retries ?? 0;
    if (item.status === 'migrated' && item.repaired) totals.repaired += 1;
    if (item.checkedWhole) totals.checkedWhole += 1;
  }
  return totals;
}

function counts<N extends ClassName>(names: readonly N[], count: (name: N) => number): Record<N, number> {
  return Object.fromEntries(names.map((name) => [name, count(name)])) as Record<N, number>;
}

export function itemsByStatus(result: SyncResult): Record<TagStatus, TagResult[]> {
  const groups = Object.fromEntries(STATUSES.map((s) => [s, [] as TagResult[]])) as Record<TagStatus, TagResult[]>;
  const sorted = [...result.items].sort((a, b) => byText(a.source, b.source) || byText(a.target, b.target));
  for (const item of sorted) groups[item.status].push(item);
  return groups;
}

export { formatBytes } from '../units.js';
