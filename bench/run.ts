// npm run bench -- [--preset small|medium|large-catalog|catalog-12k|catalog-24k|seed]
//                  [--only harbor-sync,skopeo,floor,full-floor,storage-dir,storage-tar,storage-tgz] [--big-layer]
//                  [--concurrency N] [--slice N] [--fresh] [--no-cache] [--cpu-prof] [--no-write] [--runs N]
// Generates a deterministic corpus in a source registry, then times harbor-sync, `skopeo sync` and
// the copy floor against fresh Harbor doubles in one run, prints a table with ratios and writes
// bench/results/<date>-<preset>.md. See bench/README.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, renameSync, statSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRegistry, REGISTRY_BINARY } from '../test/harness/registry.ts';
import { startHarborDouble } from '../test/harness/harbor-double/index.ts';
import { SKOPEO_BINARY } from '../test/harness/skopeo.ts';
import { GENERATOR_VERSION, PRESETS, pushCorpus, uniqueFor, type CorpusIndex, type CorpusParams } from './corpus.ts';
import { runNoopFloor } from './noop-floor.ts';
import { startCountingProxy } from './source-proxy.ts';
import {
  createProjects,
  disposeDouble,
  DIST_CLI,
  ROOT,
  runFloor,
  runFullFloor,
  runHarborSync,
  runSkopeo,
  type Ctx,
  type RunResult,
} from './contenders.ts';

const DEFAULT_CONCURRENCY = 4; // harbor-sync's own default (README, `concurrency` input)
/** The corpus's version tags (`1.0.0`…): a nightly that trusts them not to move (README); `latest`
 * is still compared. The no-op floor's immutable row takes the same tags on trust. */
const IMMUTABLE_TAGS = ['--immutable-tags', String.raw`\d+\.\d+\.\d+`];
const IMMUTABLE_PATTERN = /^\d+\.\d+\.\d+$/;
/** The no-op with verify: blobs: every tag also checked whole in Harbor. */
const VERIFY_NOOP = 'harbor-sync no-op, verify=blobs';
const CONTENDERS = [
  'harbor-sync',
  'skopeo',
  'floor',
  'full-floor',
  'storage-dir',
  'storage-tar',
  'storage-tgz',
] as const;
/** harbor-sync reading the corpus registry's storage itself: the directory, a tar, a tar.gz. */
const STORAGE = {
  'storage-dir': { label: 'storage dir://', archive: undefined },
  'storage-tar': { label: 'storage .tar', archive: 'registry.tar' },
  'storage-tgz': { label: 'storage .tar.gz', archive: 'registry.tar.gz' },
} as const;
/** Who runs when --only is not given. */
function defaultContenders(preset: string, bigLayer: boolean): string {
  if (bigLayer) return 'harbor-sync,floor';
  if (preset === 'seed') return 'storage-tar,storage-tgz,full-floor';
  return 'harbor-sync,skopeo,floor,full-floor';
}

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    only: { type: 'string' },
    'big-layer': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
    slice: { type: 'string', default: '300' },
    fresh: { type: 'boolean', default: false },
    'no-cache': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(`usage: npm run bench -- [--preset ${Object.keys(PRESETS)
    .filter((p) => p !== 'big-layer')
    .join('|')}] [--only ${CONTENDERS.join(',')}]
       [--big-layer] [--concurrency N] [--slice N] [--fresh] [--no-cache] [--cpu-prof] [--no-write] [--runs N]
See bench/README.md.
`);
  process.exit(0);
}

const presetName = values['big-layer'] ? 'big-layer' : values.preset!;
const params: CorpusParams | undefined = PRESETS[presetName];
if (!params) {
  process.stderr.write(`bench: unknown preset ${presetName} (${Object.keys(PRESETS).join(', ')})\n`);
  process.exit(2);
}
const only = new Set(
  (values.only ?? defaultContenders(presetName, values['big-layer']!))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
for (const o of only) {
  if (!(CONTENDERS as readonly string[]).includes(o)) {
    process.stderr.write(`bench: --only takes ${CONTENDERS.join(', ')}; got ${o}\n`);
    process.exit(2);
  }
}
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench: --runs takes a whole number ≥ 1; got ${values.runs}\n`);
  process.exit(2);
}
const log = (m: string): void => void process.stderr.write(`${m}\n`);

function distFreshness(): string | undefined {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js')))
    return 'dist/cli/index.js is missing: run npm run build first';
  const built = statSync(join(ROOT, 'dist', 'cli', 'index.js')).mtimeMs;
  const newer: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (statSync(p).mtimeMs > built) newer.push(p.slice(ROOT.length + 1));
    }
  };
  walk(join(ROOT, 'src'));
  if (!newer.length) return undefined;
  const committed = version('git', ['status', '--porcelain', '--', 'dist']) === '';
  return (
    `src/ has files newer than dist/ (${newer.slice(0, 3).join(', ')}${newer.length > 3 ? ' …' : ''})` +
    (committed
      ? `; dist/ is the committed build of ${version('git', ['rev-parse', '--short', 'HEAD'])}, which is what was measured`
      : '; run npm run build for current figures')
  );
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT }).trim().split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

// ---- corpus ------------------------------------------------------------------------------------

// The source registry runs with the blob descriptor cache of registry:2's and Debian's default
// config (bench/README.md, "The corpus").
async function corpus(p: CorpusParams): Promise<{
  index: CorpusIndex;
  registry: Awaited<ReturnType<typeof startRegistry>>;
  cleanup: () => Promise<void>;
  cached: boolean;
  pushSeconds: number;
  /** The corpus's directory: storage/ (the registry's rootdirectory) and its tarballs. */
  dir: string;
}> {
  const key = createHash('sha256')
    .update(JSON.stringify({ generator: GENERATOR_VERSION, ...p }))
    .digest('hex')
    .slice(0, 12);
  const cacheDir = join(ROOT, '.tmp', 'bench-corpus', `${presetName}-${key}`);
  const useCache = !values['no-cache'];
  const dir = useCache ? cacheDir : await mkdtemp(join(tmpdir(), 'hs-bench-corpus-'));
  const indexFile = join(dir, 'corpus.json');
  if (useCache && !values.fresh && existsSync(indexFile)) {
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as CorpusIndex;
    const registry = await startRegistry({ storageDir: join(dir, 'storage'), blobDescriptorCache: true });
    log(`corpus: reusing ${dir.slice(ROOT.length + 1)} (delete it or pass --fresh to regenerate)`);
    // Read the whole storage once, untimed: a corpus read cold from disk slowed whichever contender
    // ran first in round 1 (harbor-sync's first sync: 65.4 and 55.3 s against 47–51 s in later rounds).
    spawnSync('find', [join(dir, 'storage'), '-type', 'f', '-exec', 'cat', '{}', '+'], { stdio: 'ignore' });
    return { index, registry, cleanup: () => registry.stop(), cached: true, pushSeconds: 0, dir };
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'storage'), { recursive: true });
  const registry = await startRegistry({ storageDir: join(dir, 'storage'), blobDescriptorCache: true });
  log(`corpus: pushing preset ${presetName} into ${registry.url} …`);
  const t0 = Date.now();
  let lastShown = 0;
  const index = await pushCorpus(registry.url, p, {
    concurrency: 4,
    onProgress: (done, total) => {
      if (Date.now() - lastShown > 5000 || done === total) {
        lastShown = Date.now();
        log(`  pushed ${done}/${total} tags (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
    },
  });
  const pushSeconds = (Date.now() - t0) / 1000;
  await writeFile(indexFile, `${JSON.stringify(index)}\n`);
  const cleanup = async () => {
    await registry.stop();
    if (!useCache) await rm(dir, { recursive: true, force: true });
  };
  return { index, registry, cleanup, cached: false, pushSeconds, dir };
}

/** The tarballs of the corpus's storage, made once beside it (kept with a cached corpus), untimed.
 * The registry never writes while the bench runs, so the tar is a consistent copy. */
function storageArchives(dir: string): void {
  for (const [contender, s] of Object.entries(STORAGE)) {
    if (!s.archive || !only.has(contender)) continue;
    const archive = join(dir, s.archive);
    if (existsSync(archive)) continue;
    log(`corpus: writing ${archive.slice(ROOT.length + 1)} …`);
    const t0 = Date.now();
    execFileSync('tar', [s.archive.endsWith('.gz') ? '-czf' : '-cf', `${archive}.part`, '-C', dir, 'storage']);
    renameSync(`${archive}.part`, archive);
    log(`  ${(statSync(archive).size / 1e9).toFixed(2)} GB in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

// ---- figures -----------------------------------------------------------------------------------

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const secs = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1));
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

function table(results: RunResult[]): string {
  const head = [
    'contender',
    'wall s',
    'machine CPU s',
    'MB/s',
    'Harbor reqs',
    'Harbor ≥400',
    'source reqs',
    'source MB read',
    'read / unique',
    'peak RSS MB',
    'tags ok',
    'exit',
  ];
  const rows = results.map((r) => [
    r.name,
    secs(r.wallSeconds),
    r.machineCpuSeconds === undefined ? '—' : secs(r.machineCpuSeconds),
    (r.uniqueBytes / 1e6 / r.wallSeconds).toFixed(1),
    String(r.harborTotal),
    String(r.harborErrors),
    String(r.source.totalRequests),
    mb(r.source.bytesRead),
    (r.source.bytesRead / r.uniqueBytes).toFixed(2),
    r.peakRssKiB ? (r.peakRssKiB / 1024).toFixed(0) : '—',
    r.tagsOk ? `${r.tagsOk[0]}/${r.tagsOk[1]}` : '—',
    r.exitCodes.every((c) => c === 0) ? '0' : r.exitCodes.filter((c) => c !== 0).join(','),
  ]);
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function breakdown(results: RunResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const fmt = (o: Record<string, number>): string =>
      Object.entries(o)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none';
    lines.push(`- **${r.name}**`);
    lines.push(`  - Harbor front: ${fmt(r.harborRequests)}`);
    lines.push(`  - source: ${fmt(r.source.requests)}`);
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n');
}

function ratios(results: RunResult[]): string {
  const by = (n: string) => results.find((r) => r.name === n);
  const lines: string[] = [];
  const pairs: [string, string, string][] = [
    ['harbor-sync first sync / skopeo sync', 'harbor-sync first sync', 'skopeo sync'],
    ['harbor-sync no-op / skopeo no-op', 'harbor-sync no-op', 'skopeo no-op'],
    ['harbor-sync no-op, immutable-tags / harbor-sync no-op', 'harbor-sync no-op, immutable-tags', 'harbor-sync no-op'],
    [`${VERIFY_NOOP} / harbor-sync no-op`, VERIFY_NOOP, 'harbor-sync no-op'],
    [`${VERIFY_NOOP} / skopeo no-op`, VERIFY_NOOP, 'skopeo no-op'],
    ['harbor-sync first sync / full floor', 'harbor-sync first sync', 'full floor'],
    ['harbor-sync no-op / no-op floor', 'harbor-sync no-op', 'no-op floor'],
    [
      'harbor-sync no-op, immutable-tags / no-op floor, immutable-tags',
      'harbor-sync no-op, immutable-tags',
      'no-op floor, immutable-tags',
    ],
    ['harbor-sync first sync / copy floor', 'harbor-sync first sync', 'copy floor'],
    ['skopeo sync / full floor', 'skopeo sync', 'full floor'],
    ['skopeo sync / copy floor', 'skopeo sync', 'copy floor'],
    ['full floor / copy floor', 'full floor', 'copy floor'],
  ];
  for (const s of Object.values(STORAGE)) {
    pairs.push([`${s.label} first sync / full floor`, `${s.label} first sync`, 'full floor']);
    pairs.push([`${s.label} first sync / harbor-sync first sync`, `${s.label} first sync`, 'harbor-sync first sync']);
    pairs.push([`${s.label} no-op / harbor-sync no-op`, `${s.label} no-op`, 'harbor-sync no-op']);
  }
  // A sliced preset also runs harbor-sync and the full floor on every repository.
  const whole = results.find((r) => r.name.startsWith('harbor-sync first sync, all '))?.name;
  const wholeFloor = results.find((r) => r.name.startsWith('full floor, all '))?.name;
  if (whole && wholeFloor) pairs.push([`${whole} / ${wholeFloor}`, whole, wholeFloor]);
  const wholeNoop = results.find((r) => r.name.startsWith('harbor-sync no-op, all '))?.name;
  const wholeImmutable = results.find((r) => r.name.startsWith('harbor-sync no-op, immutable-tags, all '))?.name;
  if (wholeNoop && wholeImmutable) pairs.push([`${wholeImmutable} / ${wholeNoop}`, wholeImmutable, wholeNoop]);
  const wholeNoopFloor = results.find((r) => r.name.startsWith('no-op floor, all '))?.name;
  const wholeImmutableFloor = results.find((r) => r.name.startsWith('no-op floor, immutable-tags, all '))?.name;
  if (wholeNoop && wholeNoopFloor) pairs.push([`${wholeNoop} / ${wholeNoopFloor}`, wholeNoop, wholeNoopFloor]);
  if (wholeImmutable && wholeImmutableFloor)
    pairs.push([`${wholeImmutable} / ${wholeImmutableFloor}`, wholeImmutable, wholeImmutableFloor]);
  for (const [label, a, b] of pairs) {
    const ra = by(a);
    const rb = by(b);
    if (!ra || !rb) continue;
    lines.push(
      `| ${label} | ${ratio(ra.wallSeconds, rb.wallSeconds)} | ${ra.machineCpuSeconds && rb.machineCpuSeconds ? ratio(ra.machineCpuSeconds, rb.machineCpuSeconds) : '—'} | ${ratio(ra.harborTotal, rb.harborTotal)} | ${ratio(ra.source.totalRequests, rb.source.totalRequests)} | ${ratio(ra.source.bytesRead, rb.source.bytesRead)} |`,
    );
  }
  if (!lines.length) return '';
  return [
    '| ratio | wall time | machine CPU | Harbor requests | source requests | source bytes read |',
    '| --- | --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}

/** For each contender, the round with its median wall time (the lower middle for an even count),
 * noting every round's time; single rounds pass through. */
function medianRounds(all: RunResult[][]): RunResult[] {
  const cpuText = (r: RunResult): string =>
    Object.entries(r.cpuByProcess ?? {})
      .map(([p, s]) => `${p} ${secs(s)}`)
      .join('; ');
  if (all.length === 1)
    return all[0]!.map((r) => (r.cpuByProcess ? { ...r, notes: [`CPU s by process: ${cpuText(r)}`, ...r.notes] } : r));
  return all[0]!.map(({ name }) => {
    const mine = all.map((round) => round.find((r) => r.name === name)).filter((r): r is RunResult => r !== undefined);
    const sorted = [...mine].sort((a, b) => a.wallSeconds - b.wallSeconds);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    const rss = mine.every((r) => r.peakRssKiB)
      ? `; peak RSS MB by round: ${mine.map((r) => (r.peakRssKiB! / 1024).toFixed(0)).join(', ')}`
      : '';
    const cpu = mine.every((r) => r.machineCpuSeconds !== undefined)
      ? `; machine CPU s by round: ${mine.map((r) => secs(r.machineCpuSeconds!)).join(', ')}`
      : '';
    const processes = Object.keys(mine[0]!.cpuByProcess ?? {});
    const byProcess = processes.length
      ? `; CPU s by process and round: ${processes.map((p) => `${p} ${mine.map((r) => secs(r.cpuByProcess?.[p] ?? 0)).join(', ')}`).join('; ')}`
      : '';
    return {
      ...median,
      notes: [
        `median of ${mine.length} rounds; wall s by round: ${mine.map((r) => secs(r.wallSeconds)).join(', ')}${rss}${cpu}${byProcess}`,
        ...median.notes,
      ],
    };
  });
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const stale = distFreshness();
  if (stale) log(`warning: ${stale}`);
  if (only.has('harbor-sync') && !existsSync(DIST_CLI)) {
    log('bench: dist/cli.js missing: run npm run build');
    return 2;
  }
  const runStamp = new Date();
  // bench:scale sets the day its run began, so a run crossing midnight files under one date.
  const resultsDate = process.env.BENCH_RESULTS_DATE ?? runStamp.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(resultsDate)) throw new Error(`BENCH_RESULTS_DATE: not a date: ${resultsDate}`);
  const workDir = join(ROOT, '.tmp', `bench-run-${presetName}-${runStamp.toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(workDir, { recursive: true });
  log(`bench: preset ${presetName}, contenders ${[...only].join(', ')}, work dir ${workDir.slice(ROOT.length + 1)}`);

  const c = await corpus(params!);
  storageArchives(c.dir);
  const proxy = await startCountingProxy(c.registry.port);
  const results: RunResult[] = [];
  const rounds: RunResult[][] = [];
  const sliceInfo: string[] = [];
  try {
    const allRepos = Object.keys(c.index.tags).sort();
    const s = c.index.stats;
    log(
      `corpus: ${s.repositories} repositories in ${s.projects} projects, ${s.tags} tags (${s.multiArchTags} multi-arch), ${s.manifests} image manifests, ` +
        `${s.uniqueBlobs} unique blobs, ${mb(s.uniqueBytes)} MB unique, ${(s.wholeCopyBytes / 1e9).toFixed(2)} GB if every tag were copied whole` +
        (c.cached ? '' : `; pushed in ${c.pushSeconds.toFixed(1)} s`),
    );

    const makeCtx = (repos: string[]): Ctx => {
      const u = uniqueFor(c.index, repos);
      return {
        index: c.index,
        repos,
        uniqueBytes: u.bytes,
        blobs: u.blobs,
        proxy,
        workDir,
        concurrency,
        cpuProfDir: values['cpu-prof'] ? join(workDir, 'cpu-prof') : undefined,
        log,
      };
    };
    // large-catalog: the head-to-head runs on a slice (skopeo would take long on 2,000 repositories);
    // harbor-sync also runs the whole catalog.
    const sliceSize = Number(values.slice);
    const headToHead =
      presetName === 'large-catalog' || presetName === 'catalog-12k' || presetName === 'catalog-24k'
        ? allRepos.filter((_, i) => i % Math.ceil(allRepos.length / sliceSize) === 0).slice(0, sliceSize)
        : allRepos;
    const ctx = makeCtx(headToHead);
    if (headToHead.length !== allRepos.length) {
      sliceInfo.push(
        `Head-to-head on a slice of ${headToHead.length} of ${allRepos.length} repositories (every ${Math.ceil(allRepos.length / sliceSize)}th), ` +
          `${headToHead.reduce((n, r) => n + Object.keys(c.index.tags[r] ?? {}).length, 0)} tags, ${ctx.blobs.length} unique blobs, ${mb(ctx.uniqueBytes)} MB unique.`,
      );
    }

    // Rounds interleave the contenders, so a machine that slows down mid-run slows all of them;
    // each contender's figures are then those of its median round.
    for (let n = 1; n <= runs; n++) {
      if (runs > 1) log(`round ${n}/${runs}`);
      const round: RunResult[] = [];
      if (only.has('harbor-sync')) {
        log('harbor-sync');
        const double = await startHarborDouble();
        try {
          round.push(await runHarborSync(ctx, double, 'harbor-sync first sync', values['cpu-prof']!));
          round.push(await runHarborSync(ctx, double, 'harbor-sync no-op', values['cpu-prof']!));
          round.push(await runHarborSync(ctx, double, 'harbor-sync no-op, immutable-tags', false, IMMUTABLE_TAGS));
          // verify: blobs — the same no-op, each tag also checked whole in Harbor (a HEAD per
          // repository and digest): what the weekly audit costs beside the nightly no-op.
          round.push(await runHarborSync(ctx, double, VERIFY_NOOP, false, ['--verify', 'blobs']));
        } finally {
          await disposeDouble(double);
        }
        if (headToHead.length !== allRepos.length) {
          const full = makeCtx(allRepos);
          const d2 = await startHarborDouble();
          try {
            round.push(await runHarborSync(full, d2, `harbor-sync first sync, all ${allRepos.length} repos`, false));
            round.push(await runHarborSync(full, d2, `harbor-sync no-op, all ${allRepos.length} repos`, false));
            round.push(
              await runHarborSync(
                full,
                d2,
                `harbor-sync no-op, immutable-tags, all ${allRepos.length} repos`,
                false,
                IMMUTABLE_TAGS,
              ),
            );
          } finally {
            await disposeDouble(d2);
          }
        }
      }
      for (const [contender, s] of Object.entries(STORAGE)) {
        if (!only.has(contender)) continue;
        log(s.label);
        const storage = {
          url: s.archive ? `file://${join(c.dir, s.archive)}` : `dir://${join(c.dir, 'storage')}`,
          workDir: join(workDir, `${contender}-work`),
        };
        const double = await startHarborDouble();
        try {
          round.push(await runHarborSync(ctx, double, `${s.label} first sync`, false, [], storage));
          // A resume after everything was copied: what reading the source again costs.
          round.push(await runHarborSync(ctx, double, `${s.label} no-op`, false, [], storage));
        } finally {
          await disposeDouble(double);
        }
      }
      if (only.has('skopeo')) {
        log('skopeo');
        const double = await startHarborDouble();
        try {
          createProjects(double, ctx.repos); // skopeo cannot create Harbor projects
          round.push(await runSkopeo(ctx, double, 'skopeo sync'));
          round.push(await runSkopeo(ctx, double, 'skopeo no-op'));
        } finally {
          await disposeDouble(double);
        }
      }
      if (only.has('floor')) {
        log('copy floor');
        const double = await startHarborDouble();
        try {
          round.push(await runFloor(ctx, double, 'copy floor'));
        } finally {
          await disposeDouble(double);
        }
      }
      if (only.has('full-floor')) {
        log('full floor');
        const double = await startHarborDouble();
        try {
          round.push(await runFullFloor(ctx, double, 'full floor'));
          // The full floor left Harbor holding every tag: what a re-run must ask, and no more.
          round.push(await runNoopFloor(ctx, double, 'no-op floor', { parallel: concurrency * 4 }));
          round.push(
            await runNoopFloor(ctx, double, 'no-op floor, immutable-tags', {
              parallel: concurrency * 4,
              immutable: IMMUTABLE_PATTERN,
            }),
          );
        } finally {
          await disposeDouble(double);
        }
        if (headToHead.length !== allRepos.length) {
          const d2 = await startHarborDouble();
          try {
            const all = makeCtx(allRepos);
            round.push(await runFullFloor(all, d2, `full floor, all ${allRepos.length} repos`));
            round.push(
              await runNoopFloor(all, d2, `no-op floor, all ${allRepos.length} repos`, { parallel: concurrency * 4 }),
            );
            round.push(
              await runNoopFloor(all, d2, `no-op floor, immutable-tags, all ${allRepos.length} repos`, {
                parallel: concurrency * 4,
                immutable: IMMUTABLE_PATTERN,
              }),
            );
          } finally {
            await disposeDouble(d2);
          }
        }
      }
      rounds.push(round);
    }
    results.push(...medianRounds(rounds));
  } finally {
    await proxy.stop();
    await c.cleanup();
  }

  // ---- output ----
  const nodeV = process.version;
  const skopeoV = version(SKOPEO_BINARY, ['--version']);
  const registryV = version(REGISTRY_BINARY, ['--version']);
  const hsV = existsSync(DIST_CLI) ? version(process.execPath, [DIST_CLI, '--version']) : 'n/a';
  const commit = version('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = version('git', ['status', '--porcelain', '--', 'src', 'dist']) !== '' ? ' (src/dist modified)' : '';
  const s = c.index.stats;
  const md = [
    `# Benchmark: ${presetName}, ${resultsDate}`,
    '',
    `Run at ${runStamp.toISOString()} with \`npm run bench -- ${process.argv.slice(2).join(' ')}\`.`,
    '',
    '## Results',
    '',
    table(results),
    '',
    ...(sliceInfo.length ? [sliceInfo.join(' '), ''] : []),
    'MB = 10^6 bytes. MB/s = unique bytes of the corpus (or slice) / wall time, also for no-op runs (where nothing needs copying).',
    '"source MB read" counts every byte the source registry sent (headers included) through the counting proxy.',
    '"machine CPU s" is the busy time of all cores while the run went on (/proc/stat: every process of the run and the kernel\'s work for it): what the run cost the machine, which moves less than wall time when the machine\'s speed drifts.',
    '',
    '## Ratios',
    '',
    ratios(results) || '(not enough contenders in this run)',
    '',
    '## Requests by kind and notes',
    '',
    breakdown(results),
    '',
    '## Corpus',
    '',
    `${s.repositories} repositories in ${s.projects} Harbor projects, ${s.tags} tags (${s.multiArchTags} multi-arch), ${s.manifests} distinct image manifests, ` +
      `${s.uniqueBlobs} unique blobs, ${mb(s.uniqueBytes)} MB unique; copying every tag whole would move ${(s.wholeCopyBytes / 1e9).toFixed(2)} GB.`,
    c.cached
      ? 'Source storage reused from the .tmp/bench-corpus cache.'
      : `Generated and pushed in ${c.pushSeconds.toFixed(1)} s.`,
    '',
    '```json',
    JSON.stringify({ preset: presetName, ...params, concurrency, contenders: [...only] }, null, 2),
    '```',
    '',
    '## Machine and versions',
    '',
    `- ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${process.platform} ${process.arch}`,
    `- node ${nodeV}; ${skopeoV}; docker-registry ${registryV.replace(/^\S*docker-registry /, '')}; ${hsV}; git ${commit}${dirty}`,
    ...(stale ? [`- warning: ${stale}`] : []),
    '',
  ].join('\n');

  process.stdout.write(`\n${table(results)}\n\n${ratios(results)}\n\n${breakdown(results)}\n`);
  if (!values['no-write']) {
    const file = join(ROOT, 'bench', 'results', `${resultsDate}-${presetName}.md`);
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(file, md);
    // The same rows for bench/scale.ts, which checks the figures of several presets at once.
    await writeFile(
      file.replace(/\.md$/, '.json'),
      `${JSON.stringify({ preset: presetName, commit, runs, results }, null, 1)}\n`,
    );
    log(`\nwrote ${file.slice(ROOT.length + 1)}; logs in ${workDir.slice(ROOT.length + 1)}`);
  }
  return results.some((r) => r.exitCodes.some((x) => x !== 0)) ? 1 : 0;
}

process.exitCode = await main();
