// What the engine tells as it goes (progress displays, --json output, log lines), and the only way
// it talks: no @actions/core below the entry points.
import type { TagResult } from './result.js';

export type SyncEvent =
  | { type: 'queued'; source: string }
  /** `queued: false`: decided without being queued (filtered out, a repository that cannot be listed). */
  | { type: 'done'; item: TagResult; queued: boolean; dryRun: boolean }
  | { type: 'bytes'; bytes: number }
  /** Every repository has been listed: the total is known. */
  | { type: 'discovered' };

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  event?(event: SyncEvent): void;
}
