// The commands and the options each one takes. The parser knows every option (so a typo gets its
// "did you mean"); an option that belongs to another command is then refused by name rather than
// ignored: `report-merge --images x` would otherwise look as if it did something.
import { INPUTS } from '../config/input-list.js';

export const COMMANDS = ['sync', 'plan', 'report-merge'] as const;
export type Command = (typeof COMMANDS)[number];

/** Taken by every command and by none. */
const GLOBAL_OPTIONS: readonly string[] = ['help', 'version'];

/** What sync and plan take besides the inputs. */
const RUN_OPTIONS: readonly string[] = ['quiet', 'json'];

/** report-merge reads shard reports and writes what a sync writes: report, summary, JUnit, HTML, metrics. */
const MERGE_OPTIONS: readonly string[] = [
  'report-file',
  'summary-file',
  'junit-file',
  'html-file',
  'metrics-file',
  'fail-on',
  'allow-partial',
];

const RUN = new Set([...INPUTS.map((i) => i.name), ...RUN_OPTIONS]);
const MERGE = new Set(MERGE_OPTIONS);

export function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

export function takes(command: Command, option: string): boolean {
  return GLOBAL_OPTIONS.includes(option) || (command === 'report-merge' ? MERGE : RUN).has(option);
}

/** "--images is an option of sync and plan, not report-merge", for the first option given that
 * `command` does not take; undefined when all belong to it. */
export function misplacedOption(command: Command, given: Iterable<string>): string | undefined {
  for (const option of given) {
    if (takes(command, option)) continue;
    const owners = COMMANDS.filter((c) => takes(c, option));
    const of = owners.length === 2 ? `${owners[0]} and ${owners[1]}` : owners.join(', ');
    return `--${option} is an option of ${of}, not ${command}`;
  }
  return undefined;
}
