// Response helpers shared by the token service, the API and the /v2 front.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A digest reference, as distribution's grammar has it; anything else is a tag. */
export const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** docs/harbor.md (top): error code → HTTP status; anything else is 500 UNKNOWN. */
const STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  DIGEST_INVALID: 400,
  MANIFEST_INVALID: 400,
  UNSUPPORTED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  DENIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION: 412,
  PROJECTPOLICYVIOLATION: 412,
  UNPROCESSABLE_ENTITY: 422, // go-swagger validation: code from the status text (docs/harbor.md, Errors)
  TOO_MANY_REQUEST: 429,
};

export class HarborError extends Error {
  code: string;
  status: number;
  headers: Record<string, string>;
  constructor(code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = STATUS[code] === undefined ? 'UNKNOWN' : code;
    this.status = STATUS[code] ?? 500;
    if (this.code === 'UNKNOWN') this.message = 'internal server error';
    this.headers = headers;
  }
}

/** Harbor's error body: {"errors":[{"code","message"}]} as application/json; charset=utf-8 (docs/harbor.md, Errors). */
export function sendError(req: IncomingMessage, res: ServerResponse, err: HarborError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  const body = JSON.stringify({ errors: [{ code: err.code, message: err.message }] });
  res.statusCode = err.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  // A HEAD answer has no body (docs/harbor.md §2 step 3).
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', '0');
  res.end();
}

/** Reads a body up to `limit` bytes; undefined when it is larger (the rest is drained). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (over) continue;
    size += chunk.length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(chunk);
  }
  return over ? undefined : Buffer.concat(chunks);
}

/** `user:password` from a Basic Authorization header. */
export function basicCredentials(req: IncomingMessage): { username: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h || !/^basic\s/i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h || !/^bearer\s/i.test(h)) return undefined;
  return h.slice(7).trim();
}

/** Go's time.RFC3339 in UTC, without fractional seconds. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Harbor's paging Link header: relative URLs, prev and next joined by " , " (docs/harbor.md §3). */
export function pageLink(
  path: string,
  query: URLSearchParams,
  page: number,
  pageSize: number,
  total: number,
): string | undefined {
  const links: string[] = [];
  const make = (p: number, rel: string): string => {
    const q = new URLSearchParams(query);
    q.set('page', String(p));
    q.set('page_size', String(pageSize));
    q.sort(); // Go's url.Values.Encode sorts keys
    return `<${path}?${q.toString()}>; rel="${rel}"`;
  };
  if (page > 1) links.push(make(page - 1, 'prev'));
  if (page * pageSize < total) links.push(make(page + 1, 'next'));
  return links.length ? links.join(' , ') : undefined;
}
