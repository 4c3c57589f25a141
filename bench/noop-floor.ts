// The no-op floor: what any tool must send to learn that nothing changed, and nothing more,
// `parallel` requests at a time over keep-alive connections (issue 30). The source's catalog pages
// (in catalog mode); per repository the source's tag list and Harbor's artifact listing (its API,
// 100 artifacts a page, as harbor-sync reads it); per tag a manifest HEAD on the source to compare
// digests, or none for a tag `immutable` matches (taken as Harbor lists it). Run against a Harbor
// that already holds every tag, so that it is a re-run's floor.
import pLimit from 'p-limit';
import { Agent, request } from 'undici';
import type { HarborDouble } from '../test/harness/harbor-double/index.ts';
import { type Ctx, finish, mark, type RunResult } from './contenders.ts';

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface NoopFloorOptions {
  /** Requests at once: harbor-sync's cheap look runs concurrency × 4 wide (16 by default). */
  parallel?: number;
  /** immutable-tags: a tag matching it (whole) costs no source request; the others a HEAD. */
  immutable?: RegExp;
  /** Also page through the source's catalog, as a catalog run does. */
  catalog?: boolean;
}

export async function runNoopFloor(
  ctx: Ctx,
  double: HarborDouble,
  name: string,
  options: NoopFloorOptions = {},
): Promise<RunResult> {
  const parallel = options.parallel ?? 16;
  const harbor = new Agent({ connections: parallel + 2, keepAliveTimeout: 10_000 });
  const source = new Agent({ connections: parallel + 2, keepAliveTimeout: 10_000 });
  const basic = `Basic ${Buffer.from(`${double.admin.username}:${double.admin.password}`).toString('base64')}`;
  const limit = pLimit(parallel);
  let failures = 0;
  let firstError = '';
  const get = (url: string, dispatcher: Agent, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    limit(async () => {
      const res = await request(url, { method, headers, dispatcher, ...(method === 'HEAD' && { reset: false }) });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 200)}`);
      return { text, link: String(res.headers.link ?? '') };
    });
  ctx.proxy.take();
  double.resetRequests();
  ctx.log(`  ${name}: ${ctx.repos.length} repositories, ${parallel} requests at a time`);
  const started = mark();
  if (options.catalog) {
    let next: string | undefined = `${ctx.proxy.url}/v2/_catalog?n=1000`;
    while (next) {
      const page = await get(next, source);
      const link = /<([^>]+)>;\s*rel="next"/.exec(page.link)?.[1];
      next = link ? new URL(link, ctx.proxy.url).toString() : undefined;
    }
  }
  await Promise.all(
    ctx.repos.map(async (repo) => {
      try {
        const [project, ...rest] = repo.split('/');
        const path = encodeURIComponent(encodeURIComponent(rest.join('/')));
        const listing = async (): Promise<void> => {
          let url: string | undefined =
            `${double.url}/api/v2.0/projects/${project}/repositories/${path}/artifacts?with_tag=true&page_size=100&page=1`;
          while (url) {
            const page = await get(url, harbor, { authorization: basic, accept: 'application/json' });
            const link = /<([^>]+)>;\s*rel="next"/.exec(page.link)?.[1];
            url = link ? new URL(link, double.url).toString() : undefined;
          }
        };
        await Promise.all([get(`${ctx.proxy.url}/v2/${repo}/tags/list`, source), listing()]);
        const immutable = options.immutable;
        await Promise.all(
          Object.keys(ctx.index.tags[repo] ?? {})
            .filter((tag) => !immutable?.test(tag))
            .map((tag) =>
              get(`${ctx.proxy.url}/v2/${repo}/manifests/${tag}`, source, { accept: MANIFEST_ACCEPT }, 'HEAD'),
            ),
        );
      } catch (error) {
        failures++;
        firstError ||= (error as Error).message;
      }
    }),
  );
  const result = finish(ctx, double, name, started, {});
  await Promise.all([harbor.close(), source.close()]);
  result.exitCodes = [failures ? 1 : 0];
  result.notes.push(
    `${ctx.repos.length - failures}/${ctx.repos.length} repositories looked at${firstError ? `; first error: ${firstError}` : ''}`,
  );
  return result;
}
