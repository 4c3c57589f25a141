// SIGINT during a catalog sync: the run has listed only part of the catalog, and says so instead of
// counting only what it listed (issue 24: "8 tags or repositories were not started" when 134
// repositories had not been done).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { buildImage, pushImage } from '../harness/images.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts';
import { runCli } from '../harness/run-bundle.ts';
import { asCli, syncInputs } from '../harness/sync-inputs.ts';

const REPOSITORIES = 30;
let source: RunningRegistry;
let slow: FaultProxy;
let harbor: HarborDouble;

beforeAll(async () => {
  source = await startRegistry();
  for (let i = 1; i <= REPOSITORIES; i++) {
    const image = buildImage(`catalog-stop/${i}`, { format: 'oci', layerSizes: [200_000] });
    await pushImage({ url: source.url }, `fleet/app-${String(i).padStart(2, '0')}`, '1', image);
  }
  slow = await startFaultProxy(source.url);
  slow.setFaults([
    { method: 'GET', path: /\/blobs\//, times: Infinity, action: { kind: 'throttle', bytesPerSecond: 250_000 } },
  ]);
  harbor = await startHarborDouble();
});
afterAll(async () => {
  await harbor?.stop();
  await slow?.stop();
  await source?.stop();
});

describe('an interrupted catalog sync', () => {
  it('counts what it listed, and says the rest of the catalog was not listed yet', async () => {
    const report = join(await mkdtemp(join(tmpdir(), 'hs-interrupt-catalog-')), 'report.json');
    const cli = asCli(
      'sync',
      syncInputs(slow.url, harbor, { catalog: 'true', concurrency: '1', 'report-file': report }),
    );
    const { code, signalledAt, stdout, stderr } = await runCli(cli.args, {
      env: cli.env,
      interrupt: { when: /migrated\s+fleet\/app-/, signal: 'SIGINT' },
    });
    expect(signalledAt).toBeDefined();
    expect(code).toBe(130);

    const written = JSON.parse(await readFile(report, 'utf8'));
    expect(written.interrupted).toBe(true);
    expect(written.catalogIncomplete).toBe(true);
    // What was counted falls short of the catalog: the counts alone would understate what is left.
    const counted = written.migrated.length + written.failed.length + written.notStarted.length;
    expect(counted).toBeLessThan(REPOSITORIES);

    expect(stdout).toContain(
      '**The source catalog was not listed to its end:** the repositories it had not listed yet are in none of these counts, so more is left than they say.',
    );
    expect(stderr.trim().split('\n').at(-1)).toMatch(
      /^harbor-sync: interrupted: .* not started, and the rest of the source catalog not listed yet — run the same command again to do the rest$/,
    );
  });
});
