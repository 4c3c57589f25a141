// The action's outputs, once: src/action.ts sets exactly these, and test/unit/action-metadata.test.ts
// checks that action.yml declares exactly these and that the README names them all.
import { ALL_CLASSES } from '../model/class-rules.js';
import type { SyncResult } from '../model/result.js';
import { computeTotals } from './totals.js';

/** The count of each class that has an output (model/tag-classes.ts), in the table's order. */
const COUNTS = ALL_CLASSES.flatMap((c) => (c.output ? [{ output: c.output, name: c.name }] : []));
const REPORT_FILE = 'report-file';

/** Every output the action sets, in the order it sets them. */
export const OUTPUT_NAMES: readonly string[] = [...COUNTS.map((c) => c.output), REPORT_FILE];

/** Each output's value, in OUTPUT_NAMES order. */
export function actionOutputs(result: SyncResult, reportFile: string): [name: string, value: string][] {
  const totals = computeTotals(result);
  return [
    ...COUNTS.map(({ output, name }): [string, string] => [output, String(totals[name])]),
    [REPORT_FILE, reportFile],
  ];
}
