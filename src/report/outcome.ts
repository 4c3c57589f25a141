import type { FailOn, SyncResult } from '../sync/types.js';
import { computeTotals } from './totals.js';

export interface Outcome {
  ok: boolean;
  /** Why the run counts as failed, for setFailed / stderr. */
  reason?: string;
}

/** Whether the run failed, per `fail-on`. A fatal error always fails the run. */
export function decideOutcome(result: SyncResult, failOn: FailOn): Outcome {
  if (result.fatal) return { ok: false, reason: result.fatal.message };
  if (result.interrupted) return { ok: false, reason: `interrupted; ${result.notStarted.length} tag(s) not started` };
  const t = computeTotals(result);
  if (failOn === 'never') return { ok: true };
  if (t.failed > 0) return { ok: false, reason: `${t.failed} tag(s) failed` };
  if (failOn === 'stale' && t.stale + t.incomplete > 0) {
    return { ok: false, reason: `${t.stale} stale and ${t.incomplete} incomplete tag(s) (fail-on: stale)` };
  }
  return { ok: true };
}
