// A fault-injecting HTTP proxy of our own, put between harbor-sync and a real registry (or the
// Harbor double). Each fault matches requests and fires a number of times: answer with a status
// (429 + Retry-After, 503 bursts), reset the connection after N body bytes, truncate the body,
// stall it, corrupt a byte, or slow it down. `pause()` stops listening for a while, so clients
// see "connection refused" as during a server restart.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type FaultAction =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'truncate'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'corrupt'; offset: number }
  | { kind: 'throttle'; bytesPerSecond: number };

export interface Fault {
  method?: string;
  /** Matches the request path (and query). */
  path: RegExp;
  /** How many matching requests it affects; Infinity for all. */
  times: number;
  action: FaultAction;
}

export interface ProxyHit {
  method: string;
  path: string;
  fault?: FaultAction['kind'];
}

export interface FaultProxy {
  url: string;
  host: string;
  hits: ProxyHit[];
  /** TCP connections clients opened to the proxy so far. */
  connections(): number;
  setFaults(faults: Fault[]): void;
  /** Refuses connections for `ms`, then listens again on the same port. */
  pause(ms: number): Promise<void>;
  /** Refuses connections from now on (the registry is gone). */
  disappear(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  let faults: (Fault & { used: number })[] = [];
  const hits: ProxyHit[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let port = 0;

  const take = (req: IncomingMessage): FaultAction | undefined => {
    const fault = faults.find(
      (f) => f.used < f.times && (!f.method || f.method === req.method) && f.path.test(req.url ?? ''),
    );
    if (!fault) return undefined;
    fault.used += 1;
    return fault.action;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const action = take(req);
    hits.push({ method: req.method ?? '', path: req.url ?? '', ...(action && { fault: action.kind }) });
    if (action?.kind === 'status') {
      req.resume();
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(
        action.body ?? JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `injected ${action.status}` }] }),
      );
      return;
    }
    const upstream = request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host },
      },
      (up) => {
        const headers = { ...up.headers };
        // Upload sessions continue through the proxy.
        if (typeof headers.location === 'string')
          headers.location = headers.location.replace(targetUrl.origin, `http://127.0.0.1:${port}`);
        res.writeHead(up.statusCode ?? 502, headers);
        relayBody(up, res, req.method === 'HEAD' ? undefined : action);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server, 0);
  port = (server.address() as { port: number }).port;

  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits,
    connections: () => connections,
    setFaults: (list) => {
      faults = list.map((f) => ({ ...f, used: 0 }));
    },
    pause: async (ms) => {
      await close();
      await new Promise((r) => setTimeout(r, ms));
      await listen(server, port);
    },
    disappear: close,
    stop: async () => {
      if (server.listening) await close();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Copies the upstream body to the client, applying a body fault if there is one. */
function relayBody(up: IncomingMessage, res: ServerResponse, action: FaultAction | undefined): void {
  if (!action) {
    up.pipe(res);
    return;
  }
  let sent = 0;
  up.on('data', (chunk: Buffer) => {
    if (res.destroyed) return;
    let data = chunk;
    if (action.kind === 'corrupt' && action.offset >= sent && action.offset < sent + chunk.length) {
      data = Buffer.from(chunk);
      data[action.offset - sent] = (data[action.offset - sent]! + 1) % 256;
    }
    if (
      (action.kind === 'reset' || action.kind === 'truncate' || action.kind === 'stall') &&
      sent + data.length >= action.afterBytes
    ) {
      const keep = data.subarray(0, Math.max(0, action.afterBytes - sent));
      sent += keep.length;
      up.destroy();
      res.write(keep, () => {
        if (action.kind === 'reset') res.socket?.resetAndDestroy();
        if (action.kind === 'truncate') res.socket?.end(); // clean close, short of Content-Length
        // stall: keep the connection open and send nothing more
      });
      return;
    }
    sent += data.length;
    if (action.kind === 'throttle') {
      up.pause();
      res.write(data);
      setTimeout(() => up.resume(), Math.ceil((data.length / action.bytesPerSecond) * 1000));
    } else if (!res.write(data)) {
      up.pause();
      res.once('drain', () => up.resume());
    }
  });
  up.on('end', () => {
    if (!res.destroyed && !up.destroyed) res.end();
  });
}
