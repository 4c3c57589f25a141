// npm run bench:scale: the scale figures in one run, alone on the machine: the medium corpus
// (3 rounds, with its storage read as a directory and as a tar), the 12k- and 24k-tag catalogs
// (harbor-sync against the full and no-op floors, 3 rounds: one round of a floor has moved by
// 18 % between two runs an hour apart, against targets of 10 %), the seed-scale storage migration (5,000 tags
// from a directory, a tar and a tar.gz) and the 2 GiB layer (5 rounds: a round takes half a
// minute, and one slow round moves a 3-round median by 15 %), one after another, then
// bench/results/<date>-scale.md with each target, the figure measured and whether it is met
// (`--checks-only <date>` writes that file again from that day's results, running nothing).
// Each preset also writes its own results file (bench/results/<date>-<preset>.md), which has the
// details. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from './contenders.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CATALOG = ['--runs', '3', '--only', 'harbor-sync,floor,full-floor'];
const RUNS: [string, string[]][] = [
  [
    'medium',
    ['--preset', 'medium', '--runs', '3', '--only', 'harbor-sync,skopeo,floor,full-floor,storage-dir,storage-tar'],
  ],
  ['catalog-12k', ['--preset', 'catalog-12k', ...CATALOG]],
  ['catalog-24k', ['--preset', 'catalog-24k', ...CATALOG]],
  ['seed', ['--preset', 'seed', '--only', 'storage-dir,storage-tar,storage-tgz,full-floor']],
  ['big-layer', ['--big-layer', '--runs', '5']],
];

// `--checks-only YYYY-MM-DD`: write the checks again from that day's results, running nothing.
const checksOnly = process.argv[2] === '--checks-only' ? process.argv[3] : undefined;
const started = new Date();
const date = checksOnly ?? started.toISOString().slice(0, 10);
for (const [preset, args] of checksOnly ? [] : RUNS) {
  process.stderr.write(`\nbench:scale: ${preset}\n`);
  // Every preset files its results under the day this run began, even past midnight.
  const run = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.ts'), ...args], {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, BENCH_RESULTS_DATE: date },
  });
  if (run.status !== 0) process.stderr.write(`bench:scale: ${preset} exited ${run.status}\n`);
}

interface Sidecar {
  preset: string;
  commit: string;
  /** Rounds run (absent before 2026-12-03: then read from the notes' "median of N rounds"). */
  runs?: number;
  results: RunResult[];
}
const rounds = (s: Sidecar): string => {
  const n = s.runs ?? Number(/median of (\d+) rounds/.exec(s.results[0]?.notes.join(' ') ?? '')?.[1] ?? 1);
  return `${n} round${n === 1 ? '' : 's'}`;
};
const read = (preset: string): Sidecar =>
  JSON.parse(readFileSync(join(ROOT, 'bench', 'results', `${date}-${preset}.json`), 'utf8')) as Sidecar;
const row = (s: Sidecar, name: string): RunResult => {
  const r = s.results.find((x) => x.name === name);
  if (!r) throw new Error(`bench:scale: no row "${name}" in ${s.preset}`);
  return r;
};
const byPrefix = (s: Sidecar, prefix: string): RunResult => {
  const r = s.results.find((x) => x.name.startsWith(prefix));
  if (!r) throw new Error(`bench:scale: no row "${prefix}…" in ${s.preset}`);
  return r;
};
const mb = (r: RunResult): number => (r.peakRssKiB ?? Number.NaN) / 1024;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

const medium = read('medium');
const catalog12k = read('catalog-12k');
const catalog = read('catalog-24k');
const seed = read('seed');
const big = read('big-layer');
const repos = Number(/all (\d+) repos/.exec(byPrefix(catalog, 'harbor-sync first sync, all').name)?.[1]);
const first24k = byPrefix(catalog, 'harbor-sync first sync, all');
const noop24k = byPrefix(catalog, 'harbor-sync no-op, all');
const immutable24k = byPrefix(catalog, 'harbor-sync no-op, immutable-tags, all');
const floor24k = byPrefix(catalog, 'full floor, all');
const tags24k = first24k.tagsOk?.[1] ?? Number.NaN;

const checks: [string, string, string, boolean][] = [];
const check = (what: string, target: string, measured: string, ok: boolean): void => {
  checks.push([what, target, measured, ok]);
};
check(
  `peak RSS, first sync of ${tags24k.toLocaleString('en')} tags`,
  '≤ 150 MB',
  `${mb(first24k).toFixed(0)} MB`,
  mb(first24k) <= 150,
);
check(
  `peak RSS, no-op of ${tags24k.toLocaleString('en')} tags`,
  '≤ 150 MB',
  `${mb(noop24k).toFixed(0)} MB`,
  mb(noop24k) <= 150,
);
// The corpus's version tags match immutable-tags; its one `latest` per repository does not, and is
// compared as always. O(repositories): a tag list per repository, a HEAD per tag that does not
// match, and not one request for the matching ones.
const lists = immutable24k.source.requests['GET tags'] ?? 0;
const heads = immutable24k.source.requests['HEAD manifest'] ?? 0;
const others = immutable24k.source.totalRequests - lists - heads;
check(
  'no-op with immutable-tags: source requests',
  `a tag list per repository + a HEAD per tag that does not match (\`latest\`, one per repository), none per version tag`,
  `${immutable24k.source.totalRequests.toLocaleString('en')} = ${lists.toLocaleString('en')} tag lists + ${heads.toLocaleString('en')} HEADs + ${others}; without it ${noop24k.source.totalRequests.toLocaleString('en')} (a HEAD per tag); ${immutable24k.wallSeconds.toFixed(1)} s vs ${noop24k.wallSeconds.toFixed(1)} s`,
  lists === repos && heads <= repos && others <= 10,
);
/** Each round's wall time, from the row's note (run.ts writes "wall s by round: …"). */
const roundWalls = (r: RunResult): number[] =>
  /wall s by round: ([\d., ]+)/.exec(r.notes.join('\n'))?.[1]?.split(',').map(Number) ?? [];
/** A check of one wall-time ratio (of the two medians), shown to three decimals so a figure at its
 * limit reads as one. Each round's own ratio is shown beside it: the rounds interleave the two
 * contenders, so a round's pair ran minutes apart, while the medians may come from rounds an hour
 * apart on a machine whose speed drifts by more than the targets (docs/performance.md). */
const ratioCheck = (what: string, a: RunResult, b: RunResult, limit: number, more = ''): void => {
  const r = a.wallSeconds / b.wallSeconds;
  const secs = (x: RunResult): string => x.wallSeconds.toFixed(x.wallSeconds < 10 ? 2 : 1);
  const [ra, rb] = [roundWalls(a), roundWalls(b)];
  const paired =
    ra.length > 1 && ra.length === rb.length
      ? `; round by round ${ra.map((x, i) => `${(x / rb[i]!).toFixed(2)}×`).join(', ')}`
      : '';
  const cpu =
    a.machineCpuSeconds && b.machineCpuSeconds
      ? `; machine CPU ${(a.machineCpuSeconds / b.machineCpuSeconds).toFixed(2)}× (${a.machineCpuSeconds.toFixed(0)} / ${b.machineCpuSeconds.toFixed(0)} s)`
      : '';
  check(
    what,
    `≤ ${limit.toFixed(2)}×`,
    `${r.toFixed(3)}× (${secs(a)} s / ${secs(b)} s${more}${paired}${cpu})`,
    r <= limit,
  );
};
// The nightly at its floor at every scale (issue 30): the whole catalog, first sync and no-op.
for (const [name, s] of [
  ['12k', catalog12k],
  ['24k', catalog],
] as const) {
  const tags = (byPrefix(s, 'harbor-sync first sync, all').tagsOk?.[1] ?? 0).toLocaleString('en');
  ratioCheck(
    `catalog-${name} (${tags} tags) first sync / full floor`,
    byPrefix(s, 'harbor-sync first sync, all'),
    byPrefix(s, 'full floor, all'),
    1.1,
  );
  ratioCheck(
    `catalog-${name} no-op / no-op floor`,
    byPrefix(s, 'harbor-sync no-op, all'),
    byPrefix(s, 'no-op floor, all'),
    1.5,
  );
}
ratioCheck('2 GiB layer / copy floor', row(big, 'harbor-sync first sync'), row(big, 'copy floor'), 1.15);
ratioCheck('medium first sync / full floor', row(medium, 'harbor-sync first sync'), row(medium, 'full floor'), 1.05);
// Storage migrations (issue 27): a plain tar read in place costs about what the directory does,
// both at or under what the registry's API costs at its floor.
for (const [name, s] of [
  ['medium', medium],
  ['seed', seed],
] as const) {
  const dir = row(s, 'storage dir:// first sync');
  const tar = row(s, 'storage .tar first sync');
  ratioCheck(`${name}: .tar first sync / dir:// first sync`, tar, dir, 1.15);
  ratioCheck(`${name}: dir:// first sync / full floor (registry API)`, dir, row(s, 'full floor'), 1.0);
  ratioCheck(`${name}: .tar first sync / full floor (registry API)`, tar, row(s, 'full floor'), 1.0);
}
const seedTar = row(seed, 'storage .tar first sync');
const seedTgz = row(seed, 'storage .tar.gz first sync');
check('seed: peak RSS, .tar first sync', '≤ 150 MB', `${mb(seedTar).toFixed(0)} MB`, mb(seedTar) <= 150);
check(
  'seed: temporary disk, .tar first sync',
  '< 1 MB',
  `${((seedTar.workDirPeakBytes ?? Number.NaN) / 1e6).toFixed(3)} MB (the .tar.gz: ${((seedTgz.workDirPeakBytes ?? Number.NaN) / 1e9).toFixed(2)} GB, decompressed once)`,
  (seedTar.workDirPeakBytes ?? Number.NaN) < 1e6,
);
const medNoop = row(medium, 'harbor-sync no-op');
ratioCheck(
  'medium no-op / skopeo no-op',
  medNoop,
  row(medium, 'skopeo no-op'),
  0.1,
  `; / skopeo's first sync ${ratio(medNoop.wallSeconds, row(medium, 'skopeo sync').wallSeconds)}`,
);

const md = [
  `# Benchmark: scale, ${date}`,
  '',
  checksOnly
    ? `Checks written again with \`npm run bench:scale -- --checks-only ${date}\` from the results of that day's \`npm run bench:scale\`, run alone on the machine at git ${medium.commit}. Details of`
    : `Run at ${started.toISOString()} with \`npm run bench:scale\`, alone on the machine, at git ${medium.commit}. Details of`,
  `each preset: [medium](${date}-medium.md) (${rounds(medium)}, medians), [catalog-12k](${date}-catalog-12k.md),`,
  `[catalog-24k](${date}-catalog-24k.md), [seed](${date}-seed.md), [big-layer](${date}-big-layer.md) (${rounds(big)}, medians).`,
  '',
  '| figure | target | measured | met |',
  '| --- | --- | --- | --- |',
  ...checks.map(([what, target, measured, ok]) => `| ${what} | ${target} | ${measured} | ${ok ? 'yes' : '**no**'} |`),
  '',
  `Whole catalog of ${repos.toLocaleString('en')} repositories: harbor-sync's first sync ${first24k.wallSeconds.toFixed(0)} s, the full floor ${floor24k.wallSeconds.toFixed(0)} s (${ratio(first24k.wallSeconds, floor24k.wallSeconds)}).`,
  '',
].join('\n');
writeFileSync(join(ROOT, 'bench', 'results', `${date}-scale.md`), md);
process.stdout.write(`\n${md}`);
process.exitCode = checks.every((c) => c[3]) ? 0 : 1;
