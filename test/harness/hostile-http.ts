// A scripted node:http server that misbehaves the way a hostile or broken registry can: bodies that
// never end, bodies and headers trickled a byte at a time, Link headers that loop. Each handler gets
// the raw request and response; the server counts what it wrote and when a client cut it off.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileServer {
  url: string;
  host: string;
  /** `GET /v2/a/tags/list?n=1`: path and query of every request, in order. */
  requests: string[];
  /** Bytes of body written by the endless and trickling answers (socket buffers included). */
  written: number;
  /** Answers whose connection the client closed before the answer was complete. */
  cut: number;
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | undefined;
  stop(): Promise<void>;
}

export async function startHostileServer(handler: HostileServer['handler'] = () => false): Promise<HostileServer> {
  const self: HostileServer = {
    url: '',
    host: '',
    requests: [],
    written: 0,
    cut: 0,
    handler,
    stop: async () => undefined,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    self.requests.push(`${req.method} ${url.pathname}${url.search}`);
    req.resume();
    res.on('close', () => {
      if (!res.writableFinished) self.cut += 1;
    });
    if (self.handler(req, res, url)) return;
    json(res, 404, { errors: [{ code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` }] });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  self.url = `http://127.0.0.1:${port}`;
  self.host = `127.0.0.1:${port}`;
  self.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return self;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(text.length), ...headers });
  res.end(text);
}

/** A body that never ends: `chunk` again and again, as fast as the client takes it. */
export function endless(
  server: HostileServer,
  res: ServerResponse,
  status: number,
  start = '',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  res.write(start);
  const pump = (): void => {
    while (!res.destroyed) {
      server.written += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/** A body sent one byte every `everyMs`, forever (or until `body` is used up). */
export function trickle(
  server: HostileServer,
  res: ServerResponse,
  status: number,
  body: string,
  everyMs: number,
): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    if (i >= body.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    server.written += 1;
    res.write(body[i++]!);
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** A status line, then header bytes one every `everyMs`: the headers never end. */
export function trickleHeaders(res: ServerResponse, everyMs: number): void {
  const socket = res.socket!;
  socket.write('HTTP/1.1 200 OK\r\nx-slow: ');
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    socket.write('a');
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}
