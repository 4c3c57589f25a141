// Issue 27: storage migrations at seed scale. A plain tarball is read in place (no extraction, no
// copy), a compressed one is decompressed once into work-dir only when it fits there (refused up
// front, naming both sizes, when it does not), and whatever a run wrote there is gone when it
// ends, a second Ctrl-C included. The disk is real: a tmpfs of a few MB, smaller than the
// archive, as TMPDIR and work-dir of the CLI as users run it; skopeo reads Harbor back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { startRegistry } from '../harness/registry.ts';
import { buildImage, buildIndex, pushImage, pushIndex, type BuiltImage } from '../harness/images.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts';
import { startFileServer, type FileServer } from '../harness/hostile-storage.ts';
import { runCli } from '../harness/run-bundle.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { mountSmallDisk, type SmallDisk } from '../harness/small-disk.ts';
import { asCli, syncInputs } from '../harness/sync-inputs.ts';

const MB = 1024 * 1024;
/** The tag → what was pushed; the layers are incompressible: 3 MiB each, 10 MiB in all. */
const pushed = new Map<string, Buffer>();
const REFS = ['team/app:1', 'team/app:2', 'team/tools/job:1', 'multi/app:1'];

let work: string;
let plainTar: string;
let gzTar: string;
let tiny: SmallDisk;
let roomy: SmallDisk;
const harbors: HarborDouble[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hs-in-place-'));
  const registry = await startRegistry();
  try {
    const target = { url: registry.url };
    const images: [string, BuiltImage][] = [
      ['team/app:1', buildImage('in-place/app1', { layerSizes: [3 * MB] })],
      ['team/app:2', buildImage('in-place/app2', { layerSizes: [3 * MB, 1000] })],
      ['team/tools/job:1', buildImage('in-place/job', { format: 'oci', layerSizes: [3 * MB] })],
    ];
    for (const [ref, image] of images) {
      const [repo, tag] = ref.split(':') as [string, string];
      await pushImage(target, repo, tag, image);
      pushed.set(ref, image.manifest);
    }
    const amd64 = { os: 'linux', architecture: 'amd64' };
    const arm64 = { os: 'linux', architecture: 'arm64' };
    const amd = buildImage('in-place/amd', { format: 'oci', layerSizes: [500_000], platform: amd64 });
    const arm = buildImage('in-place/arm', { format: 'oci', layerSizes: [500_000], platform: arm64 });
    const index = buildIndex(
      'in-place/index',
      [
        { image: amd, platform: amd64 },
        { image: arm, platform: arm64 },
      ],
      'oci',
    );
    await pushIndex(target, 'multi/app', '1', index);
    pushed.set('multi/app:1', index.manifest);
  } finally {
    await registry.stop();
  }
  plainTar = join(work, 'registry.tar');
  gzTar = join(work, 'registry.tar.gz');
  const storage = registry.storageDir;
  execFileSync('tar', ['-cf', plainTar, '-C', dirname(storage), basename(storage)]);
  execFileSync('tar', ['-czf', gzTar, '-C', dirname(storage), basename(storage)]);
  tiny = await mountSmallDisk(join(work, 'tiny'), 4 * MB);
  roomy = await mountSmallDisk(join(work, 'roomy'), 64 * MB);
}, 120_000);
afterAll(async () => {
  tiny?.unmount();
  roomy?.unmount();
  await Promise.allSettled(harbors.map((h) => h.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

async function newHarbor(): Promise<HarborDouble> {
  const harbor = await startHarborDouble();
  harbors.push(harbor);
  return harbor;
}

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** Most bytes in use on `disk` seen while it ran (sampled every 20 ms). */
  peak: number;
}

/** The CLI as users run it, with TMPDIR and work-dir on `disk`; `started` gets the process. */
async function runSync(
  source: string,
  harborUrl: string,
  disk: SmallDisk,
  started?: (child: ChildProcess) => void,
): Promise<CliRun> {
  const cli = asCli(
    'sync',
    syncInputs(
      source,
      { url: harborUrl },
      {
        images: REFS.map((r) => r.split(':')[0]).join('\n'),
        'work-dir': disk.dir,
        'report-file': join(work, 'report.json'),
      },
    ),
  );
  let peak = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      peak = Math.max(peak, await disk.used());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const run = await runCli(cli.args, { env: { ...cli.env, TMPDIR: disk.dir }, started }).finally(() => {
    running = false;
  });
  await sampling;
  return { code: run.code, signal: run.signal, output: run.output, peak };
}

async function expectHarborHoldsEveryTag(harbor: HarborDouble): Promise<void> {
  for (const [ref, manifest] of pushed) {
    const raw = await skopeoInspectRaw(`${harbor.host}/${ref}`, { creds: harbor.admin });
    expect(raw.equals(manifest), `${ref} in Harbor differs from what was pushed to the source`).toBe(true);
  }
}

async function report(): Promise<{ totals: Record<string, number> }> {
  return JSON.parse(await readFile(join(work, 'report.json'), 'utf8'));
}

describe('a plain tarball', () => {
  it('migrates every tag byte-identical with TMPDIR and work-dir on a 4 MiB disk, the archive 2.5 times that', async () => {
    expect((await stat(plainTar)).size).toBeGreaterThan(10 * MB);
    const harbor = await newHarbor();
    const run = await runSync(`file://${plainTar}`, harbor.url, tiny);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(
      /Reading .*registry\.tar in place \(.*\): [\d,]+ entries indexed in [\d.]+ s, nothing extracted/,
    );
    expect(run.output).not.toMatch(/\[command\]|\/tar /);
    expect((await report()).totals).toMatchObject({ migrated: REFS.length, failed: 0 });
    await expectHarborHoldsEveryTag(harbor);
    // Nothing written there at all, during the run or after.
    expect(run.peak).toBe(0);
    expect(await tiny.entries()).toEqual([]);
  });
});

describe('a compressed tarball', () => {
  it('that cannot fit in work-dir is refused before anything is copied, naming both sizes and the ways out', async () => {
    const harbor = await newHarbor();
    const run = await runSync(`file://${gzTar}`, harbor.url, tiny);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toMatch(
      new RegExp(
        `${gzTar.replaceAll('.', '\\.')} is gzip-compressed and must be decompressed to be read: it holds 1\\d\\.\\d MB, but ${tiny.dir} has [0-4]\\.\\d MB free`,
      ),
    );
    expect(run.output).toContain('nothing was copied');
    expect(run.output).toContain('set --work-dir to a directory with room');
    expect(run.output).toContain('gunzip -k registry.tar.gz');
    expect(run.output).not.toMatch(/\n\s+at /); // no stack trace
    expect(harbor.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
    expect(run.peak).toBe(0);
    expect(await tiny.entries()).toEqual([]);
  });

  it('that fits is decompressed once, said in one line, read byte-identical, and its copy is gone after', async () => {
    const harbor = await newHarbor();
    const run = await runSync(`file://${gzTar}`, harbor.url, roomy);
    expect(run.code, run.output).toBe(0);
    expect(run.output.match(/Decompressing .*registry\.tar\.gz into /g)).toHaveLength(1);
    expect(run.output).not.toMatch(/\[command\]|\/tar /);
    await expectHarborHoldsEveryTag(harbor);
    // The copy took the archive's decompressed size while it ran, and nothing after.
    expect(run.peak).toBeGreaterThan(10 * MB);
    expect(await roomy.used()).toBe(0);
    expect(await roomy.entries()).toEqual([]);
  });
});

describe('interrupted twice mid-run (the CLI exits at once on the second Ctrl-C)', () => {
  let stalled: FaultProxy;
  let harbor: HarborDouble;
  let files: FileServer;
  beforeAll(async () => {
    harbor = await newHarbor();
    // Harbor never finishes an upload: the run is mid-copy until it is interrupted.
    stalled = await startFaultProxy(harbor.url);
    stalled.setFaults([{ path: /\/blobs\/uploads\//, times: Infinity, action: { kind: 'stall', afterBytes: 0 } }]);
    files = await startFileServer();
    files.answer = () => ({ file: plainTar });
  });
  afterAll(async () => {
    await stalled?.stop();
    await files?.stop();
  });

  /** Two SIGINTs once an upload has started (and stalled). */
  const interrupt = (child: ChildProcess) => {
    const poll = setInterval(() => {
      if (!stalled.hits.some((h) => /\/blobs\/uploads\//.test(h.path))) return;
      clearInterval(poll);
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGINT'), 300);
    }, 50);
    child.on('exit', () => clearInterval(poll));
  };

  it.each([
    ['the decompressed copy of a .tar.gz', () => `file://${gzTar}`],
    ['a downloaded .tar', () => `${files.origin}/backups/registry.tar`],
  ])('%s is gone from work-dir', { timeout: 60_000 }, async (_what, source) => {
    stalled.hits.length = 0;
    const run = await runSync(source(), stalled.url, roomy, interrupt);
    expect(run.code, run.output).toBe(130);
    expect(run.peak).toBeGreaterThan(10 * MB);
    expect(await roomy.entries()).toEqual([]);
    expect(await roomy.used()).toBe(0);
  });
});
