// The one decision of how a run ends, for the action and the CLI alike.
import { ALL_CLASSES, BASE_RULE, type ClassRow, failsRun, tagClass } from '../model/class-rules.js';
import type { FailOn, SyncResult, TagStatus } from '../model/result.js';
import { plural, wordList } from './words.js';
import { computeTotals } from './totals.js';

export { failsRun };

/** 0 ok; 1 tags failed (per fail-on); 2 configuration, credentials or connection; 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, config: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Outcome {
  ok: boolean;
  exitCode: ExitCode;
  /** Why the run counts as failed, for setFailed / stderr. */
  reason?: string;
}

/** A class that needs a person although the default rule lets the run pass (stale, incomplete). */
export function needsAction(status: TagStatus): boolean {
  return tagClass(status).needsAction;
}

/** The tag classes that fail the run under the rule (model/tag-classes.ts) beyond those that fail
 * it by default: what `fail-on: stale` adds (stale, incomplete). */
export function addedByRule(failOn: FailOn, dryRun: boolean): ClassRow[] {
  return ALL_CLASSES.filter(
    (c) => c.kind === 'tag' && failsRun(c.name, failOn, dryRun) && !failsRun(c.name, BASE_RULE, dryRun),
  );
}

/** Whether the run failed, per `fail-on`. A fatal error always fails the run. */
export function decideOutcome(result: SyncResult, failOn: FailOn): Outcome {
  if (result.fatal) return { ok: false, exitCode: EXIT.config, reason: result.fatal.message };
  if (result.interrupted) {
    return { ok: false, exitCode: EXIT.interrupted, reason: interruptedReason(result) };
  }
  const t = computeTotals(result);
  const dry = result.dryRun;
  const failing = ALL_CLASSES.filter(
    (c) => c.kind === 'tag' && failsRun(c.name, failOn, dry) && failsRun(c.name, BASE_RULE, dry),
  );
  const failed = failing.reduce((n, c) => n + t[c.name], 0);
  if (failed > 0) return { ok: false, exitCode: EXIT.failed, reason: `${failed} tag(s) failed` };
  const added = addedByRule(failOn, dry);
  if (added.some((c) => t[c.name] > 0)) {
    return {
      ok: false,
      exitCode: EXIT.failed,
      reason: `${wordList(
        added.filter((c) => t[c.name] > 0).map((c) => `${t[c.name]} ${(dry && c.dryRunWord) || c.word}`),
      )} tag(s) (fail-on: ${failOn})`,
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
