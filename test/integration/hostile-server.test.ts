// Whole runs against servers that misbehave (issue 23, HTTP part): a source that trickles its tag
// list, a Harbor that reports its version as a number or lists an artifact whose digest carries a
// workflow command, a source that lists tag names outside the grammar. The run ends, in bounded
// time, with a report; nothing malformed reaches the result, the summary or the annotations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { buildImage, pushImage, type BuiltImage } from '../harness/images.ts';
import { startHarborDouble, type HarborDouble, type HarborDoubleOptions } from '../harness/harbor-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts';
import { json, startHostileServer, trickle, type HostileServer } from '../harness/hostile-http.ts';
import { renderSummary } from '../../src/report/summary.ts';
import { annotationsFor } from '../../src/report/annotations.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import { stopAfterEach } from '../harness/stop-after-each.ts';
import { sync } from './helpers.ts';

let source: RunningRegistry;
let image: BuiltImage;
const own = stopAfterEach();

beforeAll(async () => {
  source = await startRegistry();
  image = buildImage('hostile/app', { format: 'oci', layerSizes: [200] });
  await pushImage({ url: source.url }, 'hostile/app', '1.0', image);
  await pushImage({ url: source.url }, 'hostile/app', '2.0', image);
});
afterAll(async () => {
  await source?.stop();
});
const harborDouble = async (options: HarborDoubleOptions = {}): Promise<HarborDouble> =>
  own(await startHarborDouble(options));
const hostile = async (handler: HostileServer['handler']): Promise<HostileServer> =>
  own(await startHostileServer(handler));
const proxy = async (target: string): Promise<FaultProxy> => own(await startFaultProxy(target));

describe('a server that misbehaves cannot hang the run or forge its output', () => {
  it('a source trickling its tag list a byte at a time: the run ends within the stall timeout, naming the request', async () => {
    const slow = await hostile((_req, res, url) => {
      if (url.pathname === '/v2/') json(res, 200, {});
      else if (url.pathname === '/v2/slow/app/tags/list') trickle(slow, res, 200, '{"tags":["1.0"]}'.repeat(1000), 200);
      else return false;
      return true;
    });
    const harbor = await harborDouble();
    const started = Date.now();
    const run = await sync(syncInputs(slow.url, harbor, { images: 'slow/app', 'stall-timeout': '1' }));
    expect(Date.now() - started).toBeLessThan(15_000);
    const item = run.item('slow/app:*');
    expect(item).toMatchObject({ status: 'failed', error: { step: 'discover', errorCode: 'UNREACHABLE' } });
    expect(item.error?.message).toContain(
      `GET /v2/slow/app/tags/list on ${slow.host}: the tag list did not arrive whole within the stall timeout of 1 s`,
    );
  });

  it('Harbor reporting its version as a number: the run finishes and its summary renders, the version unknown', async () => {
    const harbor = await harborDouble({ version: 2.15 as unknown as string });
    const run = await sync(syncInputs(source.url, harbor, { images: 'hostile/app:1.0' }));
    expect(run.item('hostile/app:1.0').status).toBe('migrated');
    // It once crashed here, in the summary (`value.replace is not a function`): no report at all.
    expect(renderSummary(run.result)).toContain('hostile/app');
    expect(run.result.harborVersion).toBeUndefined();
  });

  it("Harbor's artifact list naming a digest that carries a workflow command: refused, and nothing of it reaches the report", async () => {
    const harbor = await harborDouble();
    await sync(syncInputs(source.url, harbor, { images: 'hostile/app:1.0' }));
    const front = await proxy(harbor.url);
    const forged = `sha256:${'e'.repeat(64)}\n::error title=forged::owned`;
    front.setFaults([
      {
        method: 'GET',
        path: /\/api\/v2\.0\/projects\/hostile\/repositories\/app\/artifacts/,
        times: Infinity,
        action: {
          kind: 'status',
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([
            { digest: forged, tags: [{ name: 'gone', push_time: '2026-01-01T00:00:00Z' }] },
            { digest: 'sha256:abc|<img src=x>', tags: [{ name: 'also-gone' }] },
          ]),
        },
      },
    ]);
    const run = await sync(syncInputs(source.url, harbor, { 'harbor-url': front.url, images: 'hostile/app' }));
    // The listing is refused as a whole; each tag is then checked on its own, as when it cannot be read.
    expect(run.logs.join('\n')).toContain("Harbor's artifact list of hostile/app could not be read");
    expect(run.item('hostile/app:1.0').status).toBe('skipped');
    expect(run.item('hostile/app:2.0').status).toBe('migrated');
    expect(run.result.retained).toEqual([]);
    const report = [
      JSON.stringify(run.result),
      renderSummary(run.result),
      JSON.stringify(annotationsFor(run.result)),
      ...run.logs,
    ].join('\n');
    expect(report).not.toMatch(/\n::error title=forged/);
    expect(report).not.toContain('<img');
    expect(report).not.toContain('gone');
  });

  it('tag names from the source outside the tag grammar are reported escaped and never copied', async () => {
    const tags = ['1.0', '1.0\n::error title=forged::owned', 'a|<img src=x>'];
    const upstream = source.url;
    const lister = await hostile((req, res, url) => {
      if (url.pathname === '/v2/hostile/app/tags/list') {
        json(res, 200, { name: 'hostile/app', tags });
        return true;
      }
      // Everything else comes from the real registry.
      void fetch(`${upstream}${url.pathname}`, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } })
        .then(async (answer) => {
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.destroy());
      return true;
    });
    const harbor = await harborDouble();
    const run = await sync(syncInputs(lister.url, harbor, { images: 'hostile/app' }));
    expect(run.item('hostile/app:1.0').status).toBe('migrated');
    const refused = run.byStatus('failed');
    expect(refused.map((i) => [i.source, i.error?.errorCode])).toEqual([
      ['hostile/app:1.0\\x0a::error title=forged::owned', 'NAME_INVALID'],
      ['hostile/app:a|<img src=x>', 'NAME_INVALID'],
    ]);
    expect(harbor.tagDigest('hostile/app', 'a|<img src=x>')).toBeUndefined();
    expect(run.logs.join('\n')).not.toMatch(/\n::error title=forged/);
  });
});
