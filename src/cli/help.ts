// `harbor-sync --help` and each command's own `--help`: the options from the input list, flags as
// flags, with defaults and the environment variables the CLI reads. A command's help lists only
// what that command takes (commands.ts).
import { INPUTS, isBooleanInput, type InputInfo } from '../config/input-list.js';
import { VERSION } from '../version.js';
import type { Command } from './commands.js';

const WIDTH = 28;

/** A flag that is on by default is shown as the way to turn it off, so it says what turning it off
 * does (the input's description says what it does on). */
export const OFF_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'create-projects':
    'Do not create missing Harbor projects: the tags of a project Harbor lacks fail instead (projects are created by default)',
  'include-signatures':
    'Leave cosign signatures/attestations/SBOMs and OCI referrers behind: copy only the images (they are copied by default)',
};

function row(flag: string, text: string): string {
  return `  ${flag.padEnd(WIDTH)} ${text}`;
}

function optionRow(input: InputInfo): string {
  const boolean = isBooleanInput(input);
  const onByDefault = boolean && input.default === 'true';
  const flag = boolean ? (onByDefault ? `--no-${input.name}` : `--${input.name}`) : `--${input.name} <value>`;
  if (onByDefault) return row(flag, OFF_DESCRIPTIONS[input.name] ?? `Turn off: ${input.description}`);
  const extra = [
    !boolean && input.default !== undefined ? `default: ${input.default}` : '',
    boolean ? 'off by default' : '',
    input.env ? `env: ${input.env}` : '',
  ].filter(Boolean);
  return row(flag, `${input.description}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`);
}

const FLAGS_NOTE = [
  'Flags stand alone (--dry-run, --catalog) or take true/false (--create-projects=false, --no-create-projects);',
  'other options take a value (--images a/b:1 or --images=a/b:1); list options may be given more than once.',
];

const EXAMPLE = [
  "Example (credentials from the environment, e.g. a Jenkins withCredentials block; single quotes keep a robot's $):",
  "  SOURCE_USERNAME=reader SOURCE_PASSWORD='…' HARBOR_USERNAME='robot$sync' HARBOR_PASSWORD='…' \\",
  '    harbor-sync sync --source-registry https://old-registry:5000 --harbor-url https://harbor.example.com \\',
  "      --images 'team-a/app:1.2, alpine:3.19' --report-file report.json --summary-file summary.md",
];

const EXIT_CODES =
  'Exit codes: 0 ok; 1 failed tags (or stale ones with --fail-on stale; with --fail-on pending, a plan with anything left to do); 2 configuration, credentials or connection error; 130 interrupted (SIGINT/SIGTERM).';
const NODE = 'Needs Node.js 22.19 or later (24 recommended; the GitHub Action runs on node24).';
const HELP_ROW = row('--help, -h', 'Show this help');

/** The help of one command, or the overview when none is given. */
export function helpText(command?: Command): string {
  const lines =
    command === 'report-merge' ? mergeHelp() : command === undefined ? overview() : runHelp(command === 'plan');
  return `${lines.join('\n')}\n`;
}

function overview(): string[] {
  return [
    `harbor-sync ${VERSION}: copy container images from a Distribution/OCI registry into Harbor 2.x`,
    '',
    'Usage: harbor-sync <command> [options]',
    '',
    'Commands:',
    row('sync', 'copy every listed tag that Harbor lacks'),
    row('plan', 'the same run as a dry run: classify, write nothing'),
    row('report-merge', 'one report, summary, JUnit, HTML and metrics from the shard reports of a sharded sync'),
    '',
    'harbor-sync <command> --help lists the options of a command.',
    row('--version', 'Print the version'),
    HELP_ROW,
    '',
    ...FLAGS_NOTE,
    '',
    ...EXAMPLE,
    '',
    EXIT_CODES,
    NODE,
  ];
}

function runHelp(plan: boolean): string[] {
  const inputs = plan ? INPUTS.filter((i) => i.name !== 'dry-run') : INPUTS;
  return [
    plan
      ? 'Usage: harbor-sync plan [options]     the same run as sync, as a dry run: classify every tag, write nothing'
      : 'Usage: harbor-sync sync [options]     copy every listed tag that Harbor lacks',
    '',
    ...FLAGS_NOTE,
    '',
    'Options:',
    ...inputs.map(optionRow),
    row('--quiet, -q', 'Print only errors and the summary (no per-tag lines, no progress)'),
    row('--json', 'Machine-readable: one JSON object per line on stdout ({"event":"tag",…} per tag,'),
    row('', `{"event":"summary","totals":…} last${plan ? ', with "dryRun": true' : ''}; {"event":"error",…} when the`),
    row('', 'configuration is refused); the Markdown summary only in --summary-file'),
    HELP_ROW,
    '',
    ...(plan ? [] : [...EXAMPLE, '']),
    EXIT_CODES,
  ];
}

function mergeHelp(): string[] {
  const input = (name: string): InputInfo => INPUTS.find((i) => i.name === name)!;
  return [
    'Usage: harbor-sync report-merge [options] shard-1.json shard-2.json …',
    '       one report, summary, JUnit report, HTML page and metrics file from the reports of every',
    '       shard of a sharded sync (--shard i/n);',
    '       the summary is printed, and the exit code follows --fail-on on the whole',
    '',
    'Options:',
    row('--report-file <value>', 'Where to write the merged JSON report'),
    row('--summary-file <value>', 'Where to write the merged Markdown summary'),
    optionRow(input('junit-file')),
    optionRow(input('html-file')),
    optionRow(input('metrics-file')),
    optionRow(input('fail-on')),
    row('--allow-partial', "Merge even when some shards' reports are missing (the summary says which first)"),
    HELP_ROW,
    '',
    EXIT_CODES,
  ];
}
