// Progress of a running sync, from the engine's events: tags done of known so far, bytes sent,
// throughput, an estimate of the time left, failures so far. Pure: the entry points decide how
// and how often to show `line()` (Actions: a log group per interval; terminal: one live line).
import { FAILED_BY_DEFAULT, NEED_ACTION, tagClass } from '../model/class-rules.js';
import type { SyncEvent } from '../model/events.js';
import type { TagResult } from '../model/result.js';
import { formatBytes } from './totals.js';

/** `stale/incomplete`. */
const PROBLEMS = NEED_ACTION.map((c) => c.word).join('/');

export class Progress {
  private readonly started: number;
  private readonly now: () => number;
  private total = 0;
  private done = 0;
  /** Tags so far of each class that fails the run by default (failed). */
  private readonly failed = new Map(FAILED_BY_DEFAULT.map((c) => [c.name, 0]));
  /** Tags so far that need action (stale or incomplete), together. */
  private problems = 0;
  private bytes = 0;
  private discovering = true;

  constructor(now: () => number = Date.now) {
    this.now = now;
    this.started = now();
  }

  onEvent(event: SyncEvent): void {
    switch (event.type) {
      case 'queued':
        this.total += 1;
        break;
      case 'done':
        this.done += 1;
        if (event.queued === false) this.total += 1; // decided without running (filtered, listing failed)
        this.count(event.item);
        break;
      case 'bytes':
        this.bytes += event.bytes;
        break;
      case 'discovered':
        this.discovering = false;
        break;
    }
  }

  line(): string {
    const seconds = Math.max((this.now() - this.started) / 1000, 0.001);
    const rate = this.bytes / seconds;
    const parts = [
      `${this.done}/${this.total}${this.discovering ? '+' : ''} tags`,
      `${formatBytes(this.bytes)} sent`,
      `${formatBytes(rate)}/s`,
    ];
    const left = this.total - this.done;
    if (!this.discovering && this.done > 0 && left > 0)
      parts.push(`ETA ${formatDuration((seconds / this.done) * left)}`);
    for (const [name, n] of this.failed) if (n > 0) parts.push(`${n} ${tagClass(name).word}`);
    if (this.problems > 0) parts.push(`${this.problems} ${PROBLEMS}`);
    return `harbor-sync: ${parts.join(' · ')} · ${formatDuration(seconds)} elapsed`;
  }

  private count(item: TagResult): void {
    const failed = this.failed.get(item.status);
    if (failed !== undefined) this.failed.set(item.status, failed + 1);
    if (tagClass(item.status).needsAction) this.problems += 1;
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
