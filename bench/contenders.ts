// The three contenders: harbor-sync (dist/cli.js), `skopeo sync` driven the way a user would, and
// the copy floor (each unique blob once, source GET piped into a monolithic PUT, 8 at a time).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { Agent, request } from 'undici';
import type { HarborDouble } from '../test/harness/harbor-double/index.ts';
import { TOKEN_SERVICE } from '../test/harness/harbor-double/jwt.ts';
import { SKOPEO_BINARY } from '../test/harness/skopeo.ts';
import type { CorpusIndex, UniqueBlob } from './corpus.ts';
import type { CountingProxy, SourceCounts } from './source-proxy.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_CLI = join(ROOT, 'dist', 'cli.js');
const RSS_HOOK = join(ROOT, 'bench', 'rss-hook.mjs');

export interface RunResult {
  name: string;
  wallSeconds: number;
  /** CPU seconds the whole machine spent while the run went on (absent before 2026-12-08). */
  machineCpuSeconds?: number;
  /** CPU seconds by process while the run went on: the registries, the bench's own process (the
   * Harbor double's front, the counting proxy, an in-process floor) and harbor-sync's. */
  cpuByProcess?: Record<string, number>;
  /** Unique bytes of the corpus (or slice) the run covers. */
  uniqueBytes: number;
  harborRequests: Record<string, number>;
  harborTotal: number;
  /** Answers ≥ 400 at the Harbor front (401 challenges included). */
  harborErrors: number;
  source: SourceCounts;
  /** Peak RSS of the contender's process(es), KiB; undefined for in-process runs. */
  peakRssKiB?: number;
  /** A storage source's work-dir at its fullest: its files plus the deleted ones it held open. */
  workDirPeakBytes?: number;
  /** Tags Harbor holds with the source's digest afterwards / tags expected. */
  tagsOk?: [number, number];
  exitCodes: number[];
  notes: string[];
}

export interface Ctx {
  index: CorpusIndex;
  /** Repositories this run covers. */
  repos: string[];
  uniqueBytes: number;
  blobs: UniqueBlob[];
  proxy: CountingProxy;
  workDir: string;
  concurrency: number;
  cpuProfDir?: string;
  log: (m: string) => void;
}

// ---- process running with peak RSS ------------------------------------------------------------

interface ProcResult {
  code: number;
  peakKiB: number;
  /** Most bytes `watchDir` held (see dirUsage), when one was given. */
  dirPeakBytes: number;
}

/** Bytes on disk under `dir`, plus the files below it that process `pid` holds open after
 * unlinking them (a decompressed tarball: `du` no longer sees it, the disk still holds it). */
async function dirUsage(dir: string, pid: number): Promise<number> {
  let bytes = 0;
  const walk = async (path: string): Promise<void> => {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(path, e.name);
      if (e.isDirectory()) await walk(p);
      else bytes += ((await lstat(p).catch(() => undefined))?.blocks ?? 0) * 512;
    }
  };
  await walk(dir);
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (target.startsWith(`${dir}/`) && target.endsWith(' (deleted)'))
      bytes += ((await stat(`/proc/${pid}/fd/${fd}`).catch(() => undefined))?.blocks ?? 0) * 512;
  }
  return bytes;
}

async function vmHwm(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs a command with output to files; peak RSS by polling VmHWM (monotonic) every 50 ms. */
/** When a run began: its clock, the machine's busy CPU time, and each registry's and the bench's own. */
export interface Mark {
  at: bigint;
  cpuTicks: number;
  registries: Map<number, number>;
  self: NodeJS.CpuUsage;
}

/** Every core's busy time since boot, in USER_HZ ticks (1/100 s): user, nice, system, irq and
 * softirq of /proc/stat's first line; idle, iowait and steal are not work done here. Every
 * process of a run (both registries, the Harbor double, the proxy, the contender) and the kernel's
 * work for them counts: on a machine whose two cores are all busy, this is what a run costs, and
 * it moves much less than wall time when the machine's speed drifts (docs/performance.md). */
function machineCpuTicks(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user! + nice! + system! + irq! + softirq!;
}

/** CPU ticks (user + system) of every registry process now running, by pid. */
function registryTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(docker-registry)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone since the directory was read
    }
  }
  return ticks;
}

/** The clock is read last (and first in finish()), so reading /proc is not timed: a no-op floor
 * of the small preset takes 30 ms. */
export function mark(): Mark {
  const registries = registryTicks();
  const cpuTicks = machineCpuTicks();
  const self = process.cpuUsage();
  return { registries, cpuTicks, self, at: process.hrtime.bigint() };
}

/** The start of a timed run, once the disk is quiet: the page cache still holds what the
 * previous contender wrote (a first sync's gigabyte, a 2 GiB layer), and the kernel writes it back
 * about 30 s later, in the middle of whoever runs then. `sync` flushes it first, untimed. */
function settled(): Mark {
  spawnSync('sync');
  return mark();
}

function runProcess(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  outBase: string,
  watchDir?: string,
): Promise<ProcResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    child.stdout.pipe(createWriteStream(`${outBase}.stdout`, { flags: 'a' }));
    child.stderr.pipe(createWriteStream(`${outBase}.stderr`, { flags: 'a' }));
    let peak = 0;
    let dirPeak = 0;
    const timer = setInterval(() => {
      if (child.pid) void vmHwm(child.pid).then((k) => (peak = Math.max(peak, k)));
    }, 50);
    // Walking a directory costs more than reading VmHWM: four times a second.
    let walking = false;
    const dirTimer = setInterval(() => {
      if (!watchDir || !child.pid || walking) return;
      walking = true;
      void dirUsage(watchDir, child.pid)
        .then((b) => (dirPeak = Math.max(dirPeak, b)))
        .finally(() => (walking = false));
    }, 250);
    const stop = () => {
      clearInterval(timer);
      clearInterval(dirTimer);
    };
    child.on('error', (e) => {
      stop();
      reject(e);
    });
    child.on('exit', (code, signal) => {
      stop();
      resolvePromise({ code: code ?? (signal ? 128 : 1), peakKiB: peak, dirPeakBytes: dirPeak });
    });
  });
}

// ---- shared accounting ------------------------------------------------------------------------

function harborCounts(double: HarborDouble): { byKind: Record<string, number>; total: number; errors: number } {
  const byKind: Record<string, number> = {};
  let errors = 0;
  for (const r of double.requests) {
    const k = `${r.method} ${r.kind}`;
    byKind[k] = (byKind[k] ?? 0) + 1;
    if (r.status >= 400) errors++;
  }
  const total = double.requests.length;
  double.resetRequests();
  return { byKind, total, errors };
}

function verifyTags(ctx: Ctx, double: HarborDouble): [number, number] {
  let ok = 0;
  let all = 0;
  for (const repo of ctx.repos) {
    for (const [tag, digest] of Object.entries(ctx.index.tags[repo] ?? {})) {
      all++;
      if (double.tagDigest(repo, tag) === digest) ok++;
    }
  }
  return [ok, all];
}

export function finish(
  ctx: Ctx,
  double: HarborDouble,
  name: string,
  started: Mark,
  extra: Partial<RunResult>,
): RunResult {
  const wallSeconds = Number(process.hrtime.bigint() - started.at) / 1e9;
  const machineCpuSeconds = (machineCpuTicks() - started.cpuTicks) / 100;
  const self = process.cpuUsage(started.self);
  const cpuByProcess: Record<string, number> = { 'bench process': (self.user + self.system) / 1e6 };
  for (const [pid, ticks] of registryTicks()) {
    const before = started.registries.get(pid);
    if (before === undefined) continue;
    const name = pid === double.registry.pid ? "Harbor's registry" : 'source registry';
    cpuByProcess[name] = (cpuByProcess[name] ?? 0) + (ticks - before) / 100;
  }
  const h = harborCounts(double);
  return {
    name,
    wallSeconds,
    machineCpuSeconds,
    cpuByProcess,
    uniqueBytes: ctx.uniqueBytes,
    harborRequests: h.byKind,
    harborTotal: h.total,
    harborErrors: h.errors,
    source: ctx.proxy.take(),
    exitCodes: [],
    notes: [],
    ...extra,
  };
}

function slug(name: string): string {
  return name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

// ---- harbor-sync ------------------------------------------------------------------------------

/** harbor-sync reading a registry's storage instead of the registry: `dir://…`, `file://….tar`. */
export interface StorageSourceArgs {
  url: string;
  /** Its --work-dir, watched for the disk it takes. */
  workDir: string;
}

export async function runHarborSync(
  ctx: Ctx,
  double: HarborDouble,
  name: string,
  profile: boolean,
  extraArgs: string[] = [],
  storage?: StorageSourceArgs,
): Promise<RunResult> {
  const base = join(ctx.workDir, slug(name));
  const imagesFile = join(ctx.workDir, `images-${ctx.repos.length}.txt`);
  await writeFile(imagesFile, `${ctx.repos.join('\n')}\n`);
  const reportFile = `${base}.report.json`;
  const rssFile = `${base}.rss`;
  // BENCH_NODE_ARGS: more options for harbor-sync's node (a profiling preload, say); each run's
  // BENCH_RUN_BASE names its files (`<base>.stderr`, …) so a preload can write beside them.
  const nodeArgs = ['--import', RSS_HOOK, ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  if (profile && ctx.cpuProfDir) {
    await mkdir(ctx.cpuProfDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', ctx.cpuProfDir);
  }
  const args = [
    ...nodeArgs,
    DIST_CLI,
    'sync',
    '--source-registry',
    storage?.url ?? ctx.proxy.url,
    ...(storage ? ['--work-dir', storage.workDir] : []),
    '--harbor-url',
    double.url,
    // --catalog in extraArgs: the repositories come from the source's catalog instead.
    ...(extraArgs.includes('--catalog') ? [] : ['--images-file', imagesFile]),
    '--concurrency',
    String(ctx.concurrency),
    '--report-file',
    reportFile,
    ...extraArgs,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HARBOR_USERNAME: double.admin.username,
    HARBOR_PASSWORD: double.admin.password,
    BENCH_RSS_FILE: rssFile,
    BENCH_RUN_BASE: base,
  };
  delete env.SOURCE_USERNAME;
  delete env.SOURCE_PASSWORD;
  ctx.proxy.take();
  double.resetRequests();
  ctx.log(`  ${name}: node dist/cli.js sync … (${ctx.repos.length} repositories, concurrency ${ctx.concurrency})`);
  const started = settled();
  if (storage) await mkdir(storage.workDir, { recursive: true });
  const proc = await runProcess(process.execPath, args, env, base, storage?.workDir);
  const result = finish(ctx, double, name, started, {});
  result.exitCodes = [proc.code];
  if (storage) {
    result.workDirPeakBytes = proc.dirPeakBytes;
    result.notes.push(
      `source ${storage.url.replace(ROOT, '.')}; work-dir at its fullest: ${(proc.dirPeakBytes / 1e6).toFixed(1)} MB (its files and the deleted ones harbor-sync held open there, sampled every 250 ms)`,
    );
    // What the source said it did with the archive: indexed in place, or decompressed (and how long).
    const said = (await readFile(`${base}.stderr`, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => /^(Reading .* in place|Decompress(ing .* into|ed) )/.test(l));
    result.notes.push(...said.map((l) => `harbor-sync: ${l.replaceAll(ROOT, '.')}`));
  }
  const [hooked, cpuMicros] = (await readFile(rssFile, 'utf8').catch(() => '0')).split(' ').map(Number);
  result.peakRssKiB = hooked || proc.peakKiB;
  if (cpuMicros !== undefined && result.cpuByProcess) result.cpuByProcess['harbor-sync'] = cpuMicros / 1e6;
  result.tagsOk = verifyTags(ctx, double);
  try {
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as {
      totals?: Record<string, number>;
      fatal?: { message?: string } | null;
    };
    const t = report.totals ?? {};
    result.notes.push(
      `report: ${t.migrated ?? 0} migrated, ${t.skipped ?? 0} skipped, ${t.failed ?? 0} failed, ${t.stale ?? 0} stale, ${t.incomplete ?? 0} incomplete` +
        `${t.checkedWhole ? `, ${t.checkedWhole} checked whole, ${t.broken ?? 0} broken` : ''}; ` +
        `blobs ${t.blobsUploaded ?? 0} uploaded, ${t.blobsMounted ?? 0} mounted, ${t.blobsExisting ?? 0} existing; ` +
        `${((t.bytesUploaded ?? 0) / 1e6).toFixed(1)} MB uploaded`,
    );
    if (report.fatal) result.notes.push(`fatal: ${report.fatal.message ?? JSON.stringify(report.fatal)}`);
  } catch {
    result.notes.push(`no report (exit ${proc.code}); see ${base}.stderr`);
  }
  if (proc.code !== 0) result.notes.push(`exit code ${proc.code}; log: ${base}.stderr`);
  return result;
}

// ---- skopeo sync --------------------------------------------------------------------------------

/** Repositories grouped by everything but their last path component: skopeo sync keeps only that. */
function prefixGroups(repos: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const repo of repos) {
    const prefix = repo.slice(0, repo.lastIndexOf('/'));
    groups.set(prefix, [...(groups.get(prefix) ?? []), repo]);
  }
  return groups;
}

export function createProjects(double: HarborDouble, repos: string[]): void {
  for (const project of new Set(repos.map((r) => r.split('/')[0]!))) {
    if (!double.projects().some((p) => p.name === project)) double.createProject(project);
  }
}

export async function runSkopeo(ctx: Ctx, double: HarborDouble, name: string): Promise<RunResult> {
  const base = join(ctx.workDir, slug(name));
  const yamlDir = join(ctx.workDir, 'skopeo-yaml');
  const home = join(ctx.workDir, 'skopeo-home');
  await mkdir(yamlDir, { recursive: true });
  await mkdir(home, { recursive: true });
  const groups = prefixGroups(ctx.repos);
  const calls: { yaml: string; dest: string }[] = [];
  for (const [prefix, repos] of groups) {
    const yaml = join(yamlDir, `${prefix.replace(/\//g, '_')}.yaml`);
    const lines = [`"${ctx.proxy.host}":`, '  tls-verify: false', '  images:', ...repos.map((r) => `    ${r}: []`)];
    await writeFile(yaml, `${lines.join('\n')}\n`);
    calls.push({ yaml, dest: `${double.host}/${prefix}` });
  }
  // A clean HOME/XDG_RUNTIME_DIR: no stray auth.json or registries.conf from the machine.
  const env = { ...process.env, HOME: home, XDG_RUNTIME_DIR: home };
  ctx.proxy.take();
  double.resetRequests();
  ctx.log(`  ${name}: ${calls.length} × skopeo sync --src yaml --dest docker --all (one per prefix)`);
  const codes: number[] = [];
  let peak = 0;
  const started = settled();
  for (const c of calls) {
    const args = [
      '--insecure-policy',
      'sync',
      '--src',
      'yaml',
      '--dest',
      'docker',
      '--all',
      '--dest-tls-verify=false',
      `--dest-creds=${double.admin.username}:${double.admin.password}`,
      c.yaml,
      c.dest,
    ];
    const proc = await runProcess(SKOPEO_BINARY, args, env, base);
    codes.push(proc.code);
    peak = Math.max(peak, proc.peakKiB);
  }
  const result = finish(ctx, double, name, started, {});
  result.exitCodes = codes;
  result.peakRssKiB = peak;
  result.tagsOk = verifyTags(ctx, double);
  const failed = codes.filter((c) => c !== 0).length;
  if (failed) result.notes.push(`${failed} of ${codes.length} skopeo calls failed; log: ${base}.stderr`);
  result.notes.push(`${codes.length} skopeo sync calls (one per repository prefix)`);
  return result;
}

// ---- the copy floor -----------------------------------------------------------------------------

export async function runFloor(ctx: Ctx, double: HarborDouble, name: string, parallel = 8): Promise<RunResult> {
  createProjects(double, ctx.repos);
  const harbor = new Agent({ connections: parallel + 2, keepAliveTimeout: 10_000 });
  const source = new Agent({ connections: parallel + 2, keepAliveTimeout: 10_000 });
  const basic = `Basic ${Buffer.from(`${double.admin.username}:${double.admin.password}`).toString('base64')}`;
  const tokens = new Map<string, Promise<string>>();
  const token = (repo: string): Promise<string> => {
    let t = tokens.get(repo);
    if (!t) {
      t = (async () => {
        const url = `${double.url}/service/token?service=${TOKEN_SERVICE}&scope=repository:${repo}:pull,push`;
        const res = await request(url, { headers: { authorization: basic }, dispatcher: harbor });
        const body = (await res.body.json()) as { token: string };
        return body.token;
      })();
      tokens.set(repo, t);
    }
    return t;
  };
  const limit = pLimit(parallel);
  let failures = 0;
  let firstError = '';
  ctx.proxy.take();
  double.resetRequests();
  ctx.log(`  ${name}: ${ctx.blobs.length} unique blobs, ${parallel} in parallel`);
  const started = settled();
  await Promise.all(
    ctx.blobs.map((b) =>
      limit(async () => {
        try {
          const auth = `Bearer ${await token(b.repo)}`;
          const start = await request(`${double.url}/v2/${b.repo}/blobs/uploads/`, {
            method: 'POST',
            headers: { authorization: auth },
            dispatcher: harbor,
          });
          await start.body.dump();
          if (start.statusCode !== 202) throw new Error(`POST upload ${b.repo}: ${start.statusCode}`);
          const put = new URL(String(start.headers.location), `${double.url}/`);
          put.searchParams.set('digest', b.digest);
          const src = await request(`${ctx.proxy.url}/v2/${b.repo}/blobs/${b.digest}`, { dispatcher: source });
          if (src.statusCode !== 200) {
            await src.body.dump();
            throw new Error(`GET ${b.repo}@${b.digest}: ${src.statusCode}`);
          }
          const res = await request(put.toString(), {
            method: 'PUT',
            headers: {
              authorization: auth,
              'content-type': 'application/octet-stream',
              'content-length': String(b.size),
            },
            body: src.body,
            dispatcher: harbor,
          });
          const text = await res.body.text();
          if (res.statusCode !== 201)
            throw new Error(`PUT ${b.repo}@${b.digest}: ${res.statusCode} ${text.slice(0, 200)}`);
        } catch (e) {
          failures++;
          firstError ||= (e as Error).message;
        }
      }),
    ),
  );
  const result = finish(ctx, double, name, started, {});
  await Promise.all([harbor.close(), source.close()]);
  result.exitCodes = [failures ? 1 : 0];
  result.notes.push(
    `${ctx.blobs.length - failures}/${ctx.blobs.length} blobs stored${firstError ? `; first error: ${firstError}` : ''}; no manifests (floor only)`,
  );
  return result;
}

/** Stops a double and deletes its backend storage (a medium run would otherwise leave GBs in /tmp). */
export async function disposeDouble(double: HarborDouble): Promise<void> {
  await double.stop();
  const work = dirname(double.registry.storageDir);
  if (/hs-registry-/.test(work)) await rm(work, { recursive: true, force: true });
}

// ---- the full floor: the job's minimal request set ----------------------------------------------

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * What any tool must send to copy these repositories, and nothing more, `parallel` requests at a
 * time over keep-alive connections: each repository's tag list; each distinct manifest GET once
 * (index children by digest); each unique blob GET once and uploaded into the first repository
 * that needs it; in every other repository that needs it, a source check (HEAD) and a mount; each
 * child manifest PUT by digest, then each tag PUT. Harbor's tokens once per scope. This is the
 * honest limit of a first sync; the copy floor (blobs only) is the limit of moving the bytes.
 */
export async function runFullFloor(ctx: Ctx, double: HarborDouble, name: string, parallel = 8): Promise<RunResult> {
  createProjects(double, ctx.repos);
  const harbor = new Agent({ connections: parallel + 2, keepAliveTimeout: 10_000 });
  const source = new Agent({ connections: parallel + 2, keepAliveTimeout: 10_000 });
  const basic = `Basic ${Buffer.from(`${double.admin.username}:${double.admin.password}`).toString('base64')}`;
  const limit = pLimit(parallel);
  const tokens = new Map<string, Promise<string>>();
  const token = (scopes: string[]): Promise<string> => {
    const key = scopes.join(' ');
    let t = tokens.get(key);
    if (!t) {
      t = limit(async () => {
        const query = scopes.map((s) => `scope=${encodeURIComponent(s)}`).join('&');
        const res = await request(`${double.url}/service/token?service=${TOKEN_SERVICE}&${query}`, {
          headers: { authorization: basic },
          dispatcher: harbor,
        });
        return ((await res.body.json()) as { token: string }).token;
      });
      tokens.set(key, t);
    }
    return t;
  };
  const push = (repo: string) => `repository:${repo}:pull,push`;
  const expect2xx = async (what: string, res: Awaited<ReturnType<typeof request>>): Promise<void> => {
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${text.slice(0, 200)}`);
  };
  const firstRepo = new Map(ctx.blobs.map((b) => [b.digest, b.repo]));
  const sizes = new Map(ctx.blobs.map((b) => [b.digest, b.size]));
  const uploads = new Map<string, Promise<void>>();
  const upload = (digest: string): Promise<void> => {
    let u = uploads.get(digest);
    if (!u) {
      const repo = firstRepo.get(digest)!;
      u = (async () => {
        const auth = `Bearer ${await token([push(repo)])}`;
        await limit(async () => {
          const start = await request(`${double.url}/v2/${repo}/blobs/uploads/`, {
            method: 'POST',
            headers: { authorization: auth },
            dispatcher: harbor,
          });
          await start.body.dump();
          const put = new URL(String(start.headers.location), `${double.url}/`);
          put.searchParams.set('digest', digest);
          const src = await request(`${ctx.proxy.url}/v2/${repo}/blobs/${digest}`, { dispatcher: source });
          const res = await request(put.toString(), {
            method: 'PUT',
            headers: {
              authorization: auth,
              'content-type': 'application/octet-stream',
              'content-length': String(sizes.get(digest)),
            },
            body: src.body,
            dispatcher: harbor,
          });
          await expect2xx(`PUT ${repo}@${digest}`, res);
        });
      })();
      uploads.set(digest, u);
    }
    return u;
  };
  const getManifest = (repo: string, reference: string) =>
    limit(async () => {
      const res = await request(`${ctx.proxy.url}/v2/${repo}/manifests/${reference}`, {
        headers: { accept: MANIFEST_ACCEPT },
        dispatcher: source,
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      return { bytes, mediaType: String(res.headers['content-type']) };
    });
  const putManifest = (repo: string, reference: string, m: { bytes: Buffer; mediaType: string }, auth: string) =>
    limit(async () => {
      const res = await request(`${double.url}/v2/${repo}/manifests/${reference}`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': m.mediaType },
        body: m.bytes,
        dispatcher: harbor,
      });
      await expect2xx(`PUT ${repo}:${reference}`, res);
    });
  let failures = 0;
  let firstError = '';
  ctx.proxy.take();
  double.resetRequests();
  ctx.log(
    `  ${name}: ${ctx.repos.length} repositories, ${ctx.blobs.length} unique blobs, ${parallel} requests at a time`,
  );
  const started = settled();
  await Promise.all(
    ctx.repos.map(async (repo) => {
      try {
        await limit(
          async () => void (await request(`${ctx.proxy.url}/v2/${repo}/tags/list`, { dispatcher: source })).body.dump(),
        );
        const tags = Object.entries(ctx.index.tags[repo] ?? {});
        const digests = [...new Set(tags.map(([, d]) => d))];
        const manifests = new Map(
          await Promise.all(digests.map(async (d) => [d, await getManifest(repo, d)] as const)),
        );
        const children = new Map<string, { bytes: Buffer; mediaType: string }>();
        for (const m of manifests.values()) {
          const list = (JSON.parse(m.bytes.toString()) as { manifests?: { digest: string }[] }).manifests ?? [];
          for (const c of list) if (!children.has(c.digest)) children.set(c.digest, await getManifest(repo, c.digest));
        }
        const auth = `Bearer ${await token([push(repo)])}`;
        await Promise.all(
          Object.keys(ctx.index.repoBlobs[repo] ?? {}).map(async (digest) => {
            const home = firstRepo.get(digest)!;
            if (home === repo) return await upload(digest);
            await limit(
              async () =>
                void (
                  await request(`${ctx.proxy.url}/v2/${repo}/blobs/${digest}`, {
                    method: 'HEAD',
                    dispatcher: source,
                    reset: false,
                  })
                ).body.dump(),
            );
            await upload(digest);
            const mountAuth = `Bearer ${await token([push(repo), `repository:${home}:pull`])}`;
            await limit(async () => {
              const res = await request(`${double.url}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${home}`, {
                method: 'POST',
                headers: { authorization: mountAuth },
                dispatcher: harbor,
              });
              await expect2xx(`mount ${digest} into ${repo}`, res);
            });
          }),
        );
        await Promise.all([...children].map(([d, m]) => putManifest(repo, d, m, auth)));
        await Promise.all(tags.map(([tag, d]) => putManifest(repo, tag, manifests.get(d)!, auth)));
      } catch (e) {
        failures++;
        firstError ||= (e as Error).message;
      }
    }),
  );
  const result = finish(ctx, double, name, started, {});
  await Promise.all([harbor.close(), source.close()]);
  result.exitCodes = [failures ? 1 : 0];
  result.tagsOk = verifyTags(ctx, double);
  result.notes.push(
    `${ctx.repos.length - failures}/${ctx.repos.length} repositories copied${firstError ? `; first error: ${firstError}` : ''}`,
  );
  return result;
}
