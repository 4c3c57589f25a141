// A scripted node:http (or node:https, with the test certificate) server that records every
// request's method, path and Authorization header: for asserting where credentials went. The
// handler can be set after start, so servers can name each other's URLs.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

export const TLS_CERT_FILE = fileURLToPath(new URL('./fixtures/tls-cert.pem', import.meta.url));
const TLS_KEY_FILE = fileURLToPath(new URL('./fixtures/tls-key.pem', import.meta.url));

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Handler = (req: Seen) => Reply | undefined;

export interface RecordingServer {
  url: string; // scheme://127.0.0.1:port
  origin: string;
  requests: Seen[];
  handler: Handler;
  stop(): Promise<void>;
}

export async function startRecordingServer(
  options: { tls?: boolean; handler?: Handler } = {},
): Promise<RecordingServer> {
  const requests: Seen[] = [];
  const self: RecordingServer = {
    url: '',
    origin: '',
    requests,
    handler: options.handler ?? (() => undefined),
    stop: async () => undefined,
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const seen: Seen = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
    };
    requests.push(seen);
    req.resume();
    const reply = self.handler(seen) ?? {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `no route ${seen.method} ${seen.path}` }] }),
    };
    const body = reply.body === undefined ? undefined : Buffer.from(reply.body);
    res.writeHead(reply.status, { ...(body && { 'content-length': String(body.length) }), ...reply.headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: readFileSync(TLS_CERT_FILE), key: readFileSync(TLS_KEY_FILE) }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  self.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  self.origin = self.url;
  self.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return self;
}

export function basic(credentials: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
