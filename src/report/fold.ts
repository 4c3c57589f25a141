// How much of each list the summary shows, and folds that say so: "40 tags" when all are there,
// "first 500 of 1,200 tags (all of them in the JSON report)" when not. The report's path is said
// once, near the top.
import { type Block, fold } from './doc.js';
import { num, plural } from './words.js';

/** How much to show. The summary is rendered at the first level that fits GitHub's 1 MiB. */
export interface Level {
  /** Rows of a list someone must act on (failed, stale, incomplete tags). */
  act: number;
  /** Rows of any other list (migrated, skipped, retained, not started). */
  list: number;
  /** Causes of failure, each with its own heading. */
  causes: number;
  /** Rows of the by-repository table. */
  repositories: number;
  /** Characters of a message or hint. */
  message: number;
}

export const LEVELS: readonly Level[] = [
  { act: Number.POSITIVE_INFINITY, list: 500, causes: 50, repositories: 100, message: 600 },
  { act: 500, list: 200, causes: 30, repositories: 50, message: 300 },
  { act: 50, list: 20, causes: 10, repositories: 20, message: 200 },
];

/** A list of this many rows or fewer is shown as it is; longer ones fold. */
const FOLD_AFTER = 10;

export interface Context {
  level: Level;
  dryRun: boolean;
  /** Where the JSON report is, when one is written. */
  reportFile?: string | undefined;
}

/**
 * Rows of a list, folded when long, its label saying how many are shown of how many.
 * `what` names a row, singular and plural (["tag", "tags"]); `render` turns the shown ones into
 * blocks (a table); `title`, plain words, is put before the count.
 */
export function foldedList<T>(
  items: readonly T[],
  limit: number,
  what: readonly [string, string],
  render: (shown: readonly T[]) => Block[],
  ctx: Context,
  options: { fold?: 'always' | 'when-long'; title?: string } = {},
): Block[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, limit);
  const body = render(shown);
  const all = shown.length === items.length;
  if (all && options.fold !== 'always' && items.length <= FOLD_AFTER) return body;
  const label = all
    ? plural(items.length, ...what)
    : `first ${num(shown.length)} of ${plural(items.length, ...what)} (all of them in the JSON report${ctx.reportFile ? ', path above' : ': set report-file to write it'})`;
  return [fold(options.title ? `${options.title}: ${label}` : label.replace(/^f/, 'F'), body)];
}
