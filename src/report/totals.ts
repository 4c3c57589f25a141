import type { SyncResult, TagResult, TagStatus } from '../model/result.js';

import { STATUSES } from '../model/result.js';
import { byText } from './order.js';

export { STATUSES };

export interface Totals {
  tags: number;
  migrated: number;
  stale: number;
  incomplete: number;
  skipped: number;
  failed: number;
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
  /** Tags (and repositories) only Harbor has now: kept, never a problem. Not among `tags`. */
  retained: number;
  seconds: number;
}

export function computeTotals(result: SyncResult): Totals {
  const totals: Totals = {
    tags: result.items.length,
    migrated: 0,
    stale: 0,
    incomplete: 0,
    skipped: 0,
    failed: 0,
    bytesUploaded: 0,
    bytesMigrated: 0,
    blobsUploaded: 0,
    blobsMounted: 0,
    blobsExisting: 0,
    retries: 0,
    repaired: 0,
    retained: result.retained.length,
    seconds: result.seconds,
    ...(result.bytesPlanned !== undefined && { bytesPlanned: result.bytesPlanned }),
  };
  for (const item of result.items) {
    totals[item.status] += 1;
    if (item.status === 'migrated') totals.bytesMigrated += item.size ?? 0;
    totals.bytesUploaded += item.blobs?.bytesUploaded ?? 0;
    totals.blobsUploaded += item.blobs?.uploaded ?? 0;
    totals.blobsMounted += item.blobs?.mounted ?? 0;
    totals.blobsExisting += item.blobs?.existing ?? 0;
    totals.retries += item.retries ?? 0;
    if (item.status === 'migrated' && item.repaired) totals.repaired += 1;
  }
  return totals;
}

export function itemsByStatus(result: SyncResult): Record<TagStatus, TagResult[]> {
  const groups = Object.fromEntries(STATUSES.map((s) => [s, [] as TagResult[]])) as Record<TagStatus, TagResult[]>;
  const sorted = [...result.items].sort((a, b) => byText(a.source, b.source) || byText(a.target, b.target));
  for (const item of sorted) groups[item.status].push(item);
  return groups;
}

export { formatBytes } from '../model/units.js';
