// The one decision of how a run ends, for the action and the CLI alike.
import type { FailOn, SyncResult } from '../model/result.js';
import { computeTotals } from './totals.js';

/** 0 ok; 1 tags failed (per fail-on); 2 configuration, credentials or connection; 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, config: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Outcome {
  ok: boolean;
  exitCode: ExitCode;
  /** Why the run counts as failed, for setFailed / stderr. */
  reason?: string;
}

/** Whether the run failed, per `fail-on`. A fatal error always fails the run. */
export function decideOutcome(result: SyncResult, failOn: FailOn): Outcome {
  if (result.fatal) return { ok: false, exitCode: EXIT.config, reason: result.fatal.message };
  if (result.interrupted) {
    return {
      ok: false,
      exitCode: EXIT.interrupted,
      reason: `interrupted; ${result.notStarted.length} tag(s) not started — run the same command again to complete them`,
    };
  }
  const t = computeTotals(result);
  if (failOn === 'never') return { ok: true, exitCode: EXIT.ok };
  if (t.failed > 0) return { ok: false, exitCode: EXIT.failed, reason: `${t.failed} tag(s) failed` };
  if (failOn === 'stale' && t.stale + t.incomplete > 0) {
    return {
      ok: false,
      exitCode: EXIT.failed,
      reason: `${t.stale} stale and ${t.incomplete} incomplete tag(s) (fail-on: stale)`,
    };
  }
  return { ok: true, exitCode: EXIT.ok };
}
