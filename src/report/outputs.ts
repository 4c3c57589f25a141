// The action's outputs, once: src/action.ts sets exactly these, and test/unit/action-outputs.test.ts
// checks that action.yml declares exactly these and that the README names them all.
import { STATUSES, type SyncResult } from '../model/result.js';
import { computeTotals, type Totals } from './totals.js';

/** A tag count per status, then what only Harbor holds now. */
const COUNTS = [...STATUSES, 'retained'] as const satisfies readonly (keyof Totals)[];
const REPORT_FILE = 'report-file';

/** Every output the action sets, in the order it sets them. */
export const OUTPUT_NAMES: readonly string[] = [...COUNTS, REPORT_FILE];

/** Each output's value, in OUTPUT_NAMES order. */
export function actionOutputs(result: SyncResult, reportFile: string): [name: string, value: string][] {
  const totals = computeTotals(result);
  return [...COUNTS.map((name): [string, string] => [name, String(totals[name])]), [REPORT_FILE, reportFile]];
}
