// The one decision of how a run ends, for the action and the CLI alike.
import type { FailOn, SyncResult, TagStatus } from '../model/result.js';
import { plural } from './markdown.js';
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

/** The tag classes that fail the run under each `fail-on` rule: the one place that says it, for
 * the exit code and for every report that shows a class as failing (JUnit, metrics). */
const FAILING: Record<FailOn, readonly TagStatus[]> = {
  failed: ['failed'],
  stale: ['failed', 'stale', 'incomplete'],
  never: [],
};

export function failsRun(status: TagStatus, failOn: FailOn): boolean {
  return FAILING[failOn].includes(status);
}

/** A class that needs a person although the default rule lets the run pass (stale, incomplete):
 * the classes `fail-on: stale` adds. */
export function needsAction(status: TagStatus): boolean {
  return failsRun(status, 'stale') && !failsRun(status, 'failed');
}

/** Whether the run failed, per `fail-on`. A fatal error always fails the run. */
export function decideOutcome(result: SyncResult, failOn: FailOn): Outcome {
  if (result.fatal) return { ok: false, exitCode: EXIT.config, reason: result.fatal.message };
  if (result.interrupted) {
    return { ok: false, exitCode: EXIT.interrupted, reason: interruptedReason(result) };
  }
  const t = computeTotals(result);
  if (failsRun('failed', failOn) && t.failed > 0)
    return { ok: false, exitCode: EXIT.failed, reason: `${t.failed} tag(s) failed` };
  if ((failsRun('stale', failOn) && t.stale > 0) || (failsRun('incomplete', failOn) && t.incomplete > 0)) {
    return {
      ok: false,
      exitCode: EXIT.failed,
      reason: `${t.stale} stale and ${t.incomplete} incomplete tag(s) (fail-on: stale)`,
    };
  }
  return { ok: true, exitCode: EXIT.ok };
}

/** What an interrupted run left, as far as it knows: the tags and whole repositories (`repo:*`) it
 * listed but did not start, and whether the catalog was still being listed: then more is left. */
export function leftUndone(result: SyncResult): { tags: number; repositories: number; catalogIncomplete: boolean } {
  const repositories = result.notStarted.filter((label) => label.endsWith(':*')).length;
  return {
    tags: result.notStarted.length - repositories,
    repositories,
    catalogIncomplete: result.catalogIncomplete === true,
  };
}

/** "8 tags and 3 whole repositories" (empty when none). */
export function undoneWords(left: { tags: number; repositories: number }): string {
  return [
    left.tags > 0 && plural(left.tags, 'tag'),
    left.repositories > 0 && plural(left.repositories, 'whole repository', 'whole repositories'),
  ]
    .filter(Boolean)
    .join(' and ');
}

function interruptedReason(result: SyncResult): string {
  const left = leftUndone(result);
  const counts = undoneWords(left);
  const again = 'run the same command again to do the rest';
  if (!counts)
    return left.catalogIncomplete
      ? `interrupted before the source catalog was listed to its end — ${again}`
      : `interrupted — ${again}`;
  return `interrupted: ${counts} not started${left.catalogIncomplete ? ', and the rest of the source catalog not listed yet' : ''} — ${again}`;
}
