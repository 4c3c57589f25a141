// `harbor-sync --help`: every option from the input list, flags as flags, with defaults and the
// environment variables the CLI reads.
import { INPUTS, isBooleanInput, type InputInfo } from '../config/input-list.js';
import { VERSION } from '../version.js';

const WIDTH = 28;

function optionRow(input: InputInfo): string {
  const boolean = isBooleanInput(input);
  // A flag that is on by default is shown as the way to turn it off.
  const flag = boolean
    ? input.default === 'true'
      ? `--no-${input.name}`
      : `--${input.name}`
    : `--${input.name} <value>`;
  const extra = [
    !boolean && input.default !== undefined ? `default: ${input.default}` : '',
    boolean ? `${input.default === 'true' ? 'on' : 'off'} by default` : '',
    input.env ? `env: ${input.env}` : '',
  ].filter(Boolean);
  const text = `  ${flag.padEnd(WIDTH)} ${input.description}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
  return text;
}

export function helpText(): string {
  return [
    `harbor-sync ${VERSION}: copy container images from a Distribution/OCI registry into Harbor 2.x`,
    '',
    'Usage: harbor-sync sync [options]     copy every listed tag that Harbor lacks',
    '       harbor-sync plan [options]     the same run as a dry run: classify, write nothing',
    '       harbor-sync report-merge [--report-file F] [--summary-file F] [--fail-on X] [--allow-partial] shard1.json shard2.json …',
    '                                       one report and summary from the reports of every shard of a sharded sync',
    '       harbor-sync --version | --help',
    '',
    'Flags stand alone (--dry-run, --catalog) or take true/false (--create-projects=false, --no-create-projects);',
    'other options take a value (--images a/b:1 or --images=a/b:1); list options may be given more than once.',
    '',
    'Options:',
    ...INPUTS.map(optionRow),
    `  ${'--quiet, -q'.padEnd(WIDTH)} Print only errors and the summary (no per-tag lines, no progress)`,
    `  ${'--json'.padEnd(WIDTH)} Machine-readable: one JSON object per line on stdout ({"event":"tag",…} per tag,`,
    `  ${''.padEnd(WIDTH)} {"event":"summary","totals":…} last; "dryRun": true in a plan); the Markdown summary only in --summary-file`,
    `  ${'--allow-partial'.padEnd(WIDTH)} report-merge: merge even when some shards' reports are missing (the summary says which)`,
    '',
    "Example (credentials from the environment, e.g. a Jenkins withCredentials block; single quotes keep a robot's $):",
    "  SOURCE_USERNAME=reader SOURCE_PASSWORD='…' HARBOR_USERNAME='robot$sync' HARBOR_PASSWORD='…' \\",
    '    harbor-sync sync --source-registry https://old-registry:5000 --harbor-url https://harbor.example.com \\',
    "      --images 'team-a/app:1.2, alpine:3.19' --report-file report.json --summary-file summary.md",
    '',
    'Exit codes: 0 ok; 1 failed tags (or stale ones with --fail-on stale); 2 configuration, credentials or connection error; 130 interrupted (SIGINT/SIGTERM).',
    'Needs Node.js 22.19 or later (24 recommended; the GitHub Action runs on node24).',
    '',
  ].join('\n');
}
