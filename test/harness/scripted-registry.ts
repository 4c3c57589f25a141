// A scripted node:http registry for protocol cases the real registry cannot be made to produce
// on demand (a Docker schema 1 manifest, odd headers). Routes are exact "METHOD /path" keys.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { BuiltImage } from './images.ts';

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface ScriptedRegistry {
  url: string;
  host: string;
  requests: string[];
  stop(): Promise<void>;
}

export async function startScriptedRegistry(routes: Record<string, ScriptedResponse>): Promise<ScriptedRegistry> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    requests.push(key);
    req.resume();
    const route = routes[key] ?? (req.method === 'HEAD' ? routes[`GET ${(req.url ?? '').split('?')[0]}`] : undefined);
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `no route ${key}` }] }));
      return;
    }
    const body = route.body === undefined ? undefined : Buffer.from(route.body);
    res.writeHead(route.status, { ...(body && { 'content-length': String(body.length) }), ...route.headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Routes serving only `image`'s manifest, by tag and by digest: every blob answers 404 (what a
 * pull-through cache that never fetched them serves). */
export function manifestRoutes(repo: string, tag: string, image: BuiltImage): Record<string, ScriptedResponse> {
  const manifest: ScriptedResponse = {
    status: 200,
    headers: { 'content-type': image.mediaType, 'docker-content-digest': image.digest },
    body: image.manifest,
  };
  return { [`GET /v2/${repo}/manifests/${tag}`]: manifest, [`GET /v2/${repo}/manifests/${image.digest}`]: manifest };
}

/** Routes serving `image` whole as repo:tag: its manifest by tag and digest, and every blob. */
export function imageRoutes(repo: string, tag: string, image: BuiltImage): Record<string, ScriptedResponse> {
  const routes = manifestRoutes(repo, tag, image);
  for (const blob of image.blobs)
    routes[`GET /v2/${repo}/blobs/${blob.digest}`] = {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': blob.digest },
      body: blob.data,
    };
  return routes;
}
