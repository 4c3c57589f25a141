// Progress of a long pass over an archive (indexing, checking, decompressing), as a line every
// few seconds through the run's logger: "bytes done of total". A pass that ends quickly says
// nothing; the caller says in one line what it did.
import { formatBytes } from '../../units.js';

/** Where a storage source's lines go: the run's logger (info). */
export type StorageLog = (message: string) => void;

const PROGRESS_INTERVAL_MS = 15_000;

export class Progress {
  private readonly log: StorageLog | undefined;
  private readonly label: string;
  private readonly total: number;
  private readonly intervalMs: number;
  private next: number;

  /** `label` reads before "N of M": "Indexing /backup/registry.tar". */
  constructor(log: StorageLog | undefined, label: string, total: number, intervalMs = PROGRESS_INTERVAL_MS) {
    this.log = log;
    this.label = label;
    this.total = total;
    this.intervalMs = intervalMs;
    this.next = Date.now() + intervalMs;
  }

  update(done: number): void {
    if (!this.log) return;
    const now = Date.now();
    if (now < this.next) return;
    this.next = now + this.intervalMs;
    const percent = this.total > 0 ? ` (${Math.floor((done / this.total) * 100)}%)` : '';
    this.log(`${this.label}: ${formatBytes(done)} of ${formatBytes(this.total)}${percent}`);
  }
}

/** Seconds since `started`, for "… in 4.2 s". */
export function secondsSince(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}
