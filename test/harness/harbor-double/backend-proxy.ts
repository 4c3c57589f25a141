// Forwards an authorised request to the backend registry, streaming both bodies, with a token the
// front mints for exactly the access the request needs. (Harbor's own backend runs htpasswd and
// trusts its core; the double's backend runs `auth: token` so that the front's access decisions
// are enforced by the real registry too: docs/harbor.md §9.) Backend errors pass through in distribution's own format (docs/harbor.md, Errors).
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { HarborError, sendError } from './http-util.ts';
import type { Access } from './jwt.ts';
import type { HarborState } from './state.ts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'host',
  'cookie',
  'authorization',
]);

/** One keep-alive pool per double, so stopping one double leaves the others alone. */
export function newBackendAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 64 });
}

export interface ForwardOptions {
  /** Path and query to request on the backend. */
  path: string;
  access: Access[];
  sub: string;
  method?: string;
  /** A body already read by the front (manifests); otherwise the request is piped. */
  body?: Buffer;
  /** Runs once the backend's status is known, before anything is sent to the client. */
  onResponse?: (status: number, headers: IncomingHttpHeaders) => Record<string, string> | undefined;
}

export function forward(
  state: HarborState,
  req: IncomingMessage,
  res: ServerResponse,
  o: ForwardOptions,
): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    const { token } = state.signer.issue(o.sub, o.access, 300);
    headers.authorization = `Bearer ${token}`;
    if (o.body) headers['content-length'] = String(o.body.length);
    else if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
    const backendReq = request(
      `${state.backendUrl}${o.path}`,
      { method: o.method ?? req.method, headers, agent: state.agent },
      (backendRes) => {
        const status = backendRes.statusCode ?? 502;
        let extra: Record<string, string> | undefined;
        try {
          extra = o.onResponse?.(status, backendRes.headers);
        } catch (err) {
          backendRes.resume();
          sendError(req, res, err instanceof HarborError ? err : new HarborError('UNKNOWN', String(err)));
          return resolve(500);
        }
        res.statusCode = status;
        for (const [k, v] of Object.entries(backendRes.headers)) {
          if (v === undefined || HOP_BY_HOP.has(k)) continue;
          res.setHeader(k, k === 'location' ? rewriteLocation(state, String(v)) : v);
        }
        for (const [k, v] of Object.entries(extra ?? {})) res.setHeader(k, v);
        backendRes.pipe(res);
        backendRes.on('end', () => resolve(status));
        backendRes.on('error', () => {
          res.destroy();
          resolve(status);
        });
      },
    );
    backendReq.on('error', (err) => {
      if (!res.headersSent) sendError(req, res, new HarborError('UNKNOWN', err.message));
      else res.destroy();
      resolve(502);
    });
    // A client that goes away mid-stream must not leave the backend request hanging.
    res.on('close', () => {
      if (!res.writableFinished) backendReq.destroy();
    });
    if (o.body) backendReq.end(o.body);
    else req.pipe(backendReq);
  });
}

/** Upload and manifest Locations from the backend must point at the front. */
function rewriteLocation(state: HarborState, location: string): string {
  return location.startsWith(state.backendUrl)
    ? `http://${state.frontHost}${location.slice(state.backendUrl.length)}`
    : location;
}
