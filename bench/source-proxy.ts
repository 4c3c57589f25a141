// A counting TCP proxy in front of the source registry. It copies bytes untouched (no HTTP parsing
// on the hot path, so it costs every contender the same little), counts the bytes the registry
// sends back (headers included: what a client really reads from the source) and reads the request
// lines going in to count requests by method and kind. The source only ever sees body-less
// requests from the contenders (GET/HEAD); a Content-Length body is skipped correctly anyway.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SourceCounts {
  requests: Record<string, number>;
  totalRequests: number;
  bytesRead: number;
}

export interface CountingProxy {
  url: string;
  host: string;
  /** Counts since the last take(), then zeroed. */
  take(): SourceCounts;
  stop(): Promise<void>;
}

function kindOf(method: string, path: string): string {
  const p = path.split('?')[0]!;
  let kind = 'other';
  if (p === '/v2' || p === '/v2/') kind = 'ping';
  else if (p === '/v2/_catalog') kind = 'catalog';
  else if (/\/blobs\/uploads\//.test(p)) kind = 'upload';
  else if (/\/manifests\/[^/]+$/.test(p)) kind = 'manifest';
  else if (/\/blobs\/[^/]+$/.test(p)) kind = 'blob';
  else if (/\/tags\/list$/.test(p)) kind = 'tags';
  else if (/\/referrers\/[^/]+$/.test(p)) kind = 'referrers';
  return `${method} ${kind}`;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let counts: SourceCounts = { requests: {}, totalRequests: 0, bytesRead: 0 };
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    let skipBody = 0;
    client.on('data', (chunk: Buffer) => {
      // Parse request heads; the bytes themselves go through untouched below.
      let data = chunk;
      if (skipBody > 0) {
        const n = Math.min(skipBody, data.length);
        skipBody -= n;
        data = data.subarray(n);
      }
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      for (;;) {
        if (skipBody > 0) {
          const n = Math.min(skipBody, pending.length);
          skipBody -= n;
          pending = pending.subarray(n);
          if (skipBody > 0) break;
        }
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) {
          if (pending.length > 64 * 1024) pending = Buffer.alloc(0); // not HTTP/1 heads: give up counting
          break;
        }
        const head = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        const [line] = head.split('\r\n');
        const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(line ?? '');
        if (m) {
          const k = kindOf(m[1]!, m[2]!);
          counts.requests[k] = (counts.requests[k] ?? 0) + 1;
          counts.totalRequests++;
        }
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (cl) skipBody = Number(cl[1]);
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      counts.bytesRead += chunk.length;
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    take: () => {
      const c = counts;
      counts = { requests: {}, totalRequests: 0, bytesRead: 0 };
      return c;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
