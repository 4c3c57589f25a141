// SIGTERM mid-run (a cancelled workflow, a Jenkins abort), then the same command again.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { buildImage, pushImage, type BuiltImage } from '../harness/images.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts';
import { runCli, type RunOptions } from '../harness/run-bundle.ts';
import { skopeoInspectRaw } from '../harness/skopeo.ts';
import { asCli, syncInputs } from '../harness/sync-inputs.ts';

let source: RunningRegistry;
let slow: FaultProxy;
let harbor: HarborDouble;
const images: Record<string, BuiltImage> = {};

beforeAll(async () => {
  source = await startRegistry();
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) {
    // Layers over 1 MiB, eight tags: a tag waiting for a copy slot may have its blob fetched
    // already (src/transfer/prefetch.ts) and copy in no time; with fewer, all could be done before
    // the signal lands, and none left to be not started.
    images[`stop/app:${n}`] = buildImage(`interrupt/${n}`, { format: 'oci', layerSizes: [1_200_000] });
    await pushImage({ url: source.url }, 'stop/app', String(n), images[`stop/app:${n}`]!);
  }
  slow = await startFaultProxy(source.url);
  slow.setFaults([
    { method: 'GET', path: /\/blobs\//, times: Infinity, action: { kind: 'throttle', bytesPerSecond: 800_000 } },
  ]);
  harbor = await startHarborDouble();
});
afterAll(async () => {
  await harbor?.stop();
  await slow?.stop();
  await source?.stop();
});

/** `sync` of every tag of stop/app, one at a time. */
function syncAll(sourceUrl: string, report: string, options: RunOptions = {}) {
  const cli = asCli(
    'sync',
    syncInputs(sourceUrl, harbor, { images: 'stop/app', concurrency: '1', 'report-file': report }),
  );
  return runCli(cli.args, { ...options, env: cli.env });
}

describe('an interrupted run', () => {
  it('stops within seconds with a partial report, leaves nothing partial in Harbor, and a re-run does exactly the rest', async () => {
    const work = await mkdtemp(join(tmpdir(), 'hs-interrupt-'));
    const first = await syncAll(slow.url, join(work, 'first.json'), {
      interrupt: { when: /migrated\s+stop\/app:1/, signal: 'SIGTERM' },
    });
    expect(first.signalledAt).toBeGreaterThan(0);
    expect(first.code).toBe(130);
    expect(Date.now() - first.signalledAt!).toBeLessThan(8000); // 5 s grace + report writing
    expect(first.stderr).toContain('SIGTERM received, finishing tags in flight');
    expect(first.stdout).toContain('**Interrupted.**');
    const report = JSON.parse(await readFile(join(work, 'first.json'), 'utf8'));
    expect(report.interrupted).toBe(true);
    expect(report.notStarted.length).toBeGreaterThan(0);
    const done: string[] = report.migrated.map((i: { source: string }) => i.source);
    expect(done).toContain('stop/app:1');
    expect([...done, ...report.notStarted, ...report.failed.map((i: { source: string }) => i.source)].sort()).toEqual(
      Object.keys(images).sort(),
    );

    // Nothing partial: every tag Harbor holds is complete and byte-identical; the others are absent.
    for (const [ref, image] of Object.entries(images)) {
      const tag = ref.split(':')[1]!;
      const digest = harbor.tagDigest('stop/app', tag);
      if (done.includes(ref)) {
        expect(digest).toBe(image.digest);
        expect((await skopeoInspectRaw(`${harbor.host}/${ref}`, { creds: harbor.admin })).equals(image.manifest)).toBe(
          true,
        );
      } else {
        expect(digest).toBeUndefined();
      }
    }

    const second = await syncAll(source.url, join(work, 'second.json'));
    expect(second.code).toBe(0);
    const rerun = JSON.parse(await readFile(join(work, 'second.json'), 'utf8'));
    expect(rerun.skipped.map((i: { source: string }) => i.source).sort()).toEqual([...done].sort());
    expect(rerun.migrated.map((i: { source: string }) => i.source).sort()).toEqual(
      Object.keys(images)
        .filter((r) => !done.includes(r))
        .sort(),
    );
  });
});
