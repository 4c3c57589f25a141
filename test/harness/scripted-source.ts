// Handlers for a recording server (recording-server.ts) that plays a source registry: Basic or
// Bearer auth, manifests as given (any bytes, any Content-Type), blobs served or redirected.
import type { BuiltImage } from './images.ts';
import { basic, type Handler, type Reply, type Seen } from './recording-server.ts';

export interface Credentials {
  username: string;
  password: string;
}

export type SourceAuth =
  | { kind: 'none' }
  | { kind: 'basic'; credentials: Credentials }
  /** Bearer: /v2 wants `Bearer <token>`; `realm` is the token service to name in the challenge. */
  | { kind: 'bearer'; realm: string; token: string };

export interface ScriptedManifest {
  repository: string;
  reference: string;
  body: Buffer | string;
  contentType: string;
}

export interface SourceScript {
  auth: SourceAuth;
  manifests: ScriptedManifest[];
  /** Blob bytes by digest. */
  blobs?: Map<string, Buffer>;
  /** Answers a blob request instead of the bytes (a redirect, say). */
  blobReply?: (req: Seen, digest: string) => Reply | undefined;
}

/** The manifest and blobs of a built image, for a SourceScript. */
export function imageParts(
  repository: string,
  tag: string,
  image: BuiltImage,
): { manifest: ScriptedManifest; blobs: [string, Buffer][] } {
  return {
    manifest: { repository, reference: tag, body: image.manifest, contentType: image.mediaType },
    blobs: image.blobs.map((b) => [b.digest, b.data]),
  };
}

export function sourceHandler(script: SourceScript): Handler {
  return (req) => {
    if (!req.path.startsWith('/v2/')) return undefined;
    const refused = challenge(script.auth, req);
    if (refused) return refused;
    if (req.path === '/v2/') return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(req.path);
    if (manifest) {
      const found = script.manifests.find((m) => m.repository === manifest[1] && m.reference === manifest[2]);
      return found ? { status: 200, headers: { 'content-type': found.contentType }, body: found.body } : undefined;
    }
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.path);
    if (blob) {
      const reply = script.blobReply?.(req, blob[2]!);
      if (reply) return reply;
      const data = script.blobs?.get(blob[2]!);
      return data
        ? {
            status: 200,
            headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': blob[2]! },
            body: data,
          }
        : undefined;
    }
    return undefined;
  };
}

/** A token service that hands `token` to whoever sends these credentials. */
export function tokenHandler(path: string, credentials: Credentials, token: string): Handler {
  return (req) => {
    if (req.path !== path) return undefined;
    if (req.authorization !== basic(credentials)) return { status: 401, body: '{"details":"wrong credentials"}' };
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, expires_in: 300 }),
    };
  };
}

/** Tries handlers in turn. */
export function either(...handlers: Handler[]): Handler {
  return (req) => {
    for (const handler of handlers) {
      const reply = handler(req);
      if (reply) return reply;
    }
    return undefined;
  };
}

function challenge(auth: SourceAuth, req: Seen): Reply | undefined {
  const unauthorized = (header: string): Reply => ({
    status: 401,
    headers: { 'content-type': 'application/json', 'www-authenticate': header },
    body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
  });
  if (auth.kind === 'basic' && req.authorization !== basic(auth.credentials))
    return unauthorized('Basic realm="scripted"');
  if (auth.kind === 'bearer' && req.authorization !== `Bearer ${auth.token}`)
    return unauthorized(`Bearer realm="${auth.realm}",service="scripted"`);
  return undefined;
}
