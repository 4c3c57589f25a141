// `harbor-sync --help`: every option from the input list, with its default and environment variable.
import { INPUTS } from '../config/input-list.js';
import { VERSION } from '../version.js';

export function helpText(): string {
  const rows = INPUTS.map((i) => {
    const extra = [i.default !== undefined ? `default: ${i.default}` : '', i.env ? `env: ${i.env}` : ''].filter(Boolean).join(', ');
    return `  --${i.name.padEnd(20)} ${i.description}${extra ? ` (${extra})` : ''}`;
  });
  return [
    `harbor-sync ${VERSION}: copy container images from a Distribution/OCI registry into Harbor 2.x`,
    '',
    'Usage: harbor-sync sync [options]     copy every listed tag that Harbor lacks',
    '       harbor-sync plan [options]     the same run as a dry run: classify, write nothing',
    '       harbor-sync report-merge [--report-file F] [--summary-file F] [--fail-on X] shard1.json shard2.json …',
    '                                       one report and summary from the reports of a sharded sync',
    '       harbor-sync --version | --help',
    '',
    'Options:',
    ...rows,
    '  --quiet, -q              Print only errors and the summary (no per-tag lines, no progress)',
    '  --json                   Machine-readable: one JSON object per line on stdout ({"event":"tag",…} per tag,',
    '                           {"event":"summary","totals":…} last); the Markdown summary only in --summary-file',
    '',
    'Example (credentials from the environment, e.g. a Jenkins withCredentials block):',
    '  SOURCE_USERNAME=reader SOURCE_PASSWORD=… HARBOR_USERNAME="robot$sync" HARBOR_PASSWORD=… \\',
    '    node dist/cli.js sync --source-registry https://old-registry:5000 --harbor-url https://harbor.example.com \\',
    '      --images "team-a/app:1.2, alpine:3.19" --report-file report.json --summary-file summary.md',
    '',
    'Exit codes: 0 ok; 1 failed tags (or stale ones with --fail-on stale); 2 configuration, credentials or connection error; 130 interrupted (SIGINT/SIGTERM).',
    '',
  ].join('\n');
}
