// GET /service/token: Harbor core's token service (docs/harbor.md §1).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicCredentials, HarborError, rfc3339, sendEmpty, sendError, sendJson } from './http-util.ts';
import { ANONYMOUS, type Identity } from './identities.ts';
import { TOKEN_SERVICE, type Access } from './jwt.ts';
import type { HarborState } from './state.ts';

export function handleToken(state: HarborState, req: IncomingMessage, res: ServerResponse, url: URL): void {
  // POST is refused on purpose so clients fall back to GET (docs/harbor.md §1).
  if (req.method !== 'GET') {
    return sendEmpty(res, 405, { Allow: 'GET' });
  }
  // Unknown (or missing) service → 400 (docs/harbor.md §1).
  const service = url.searchParams.get('service');
  if (service !== TOKEN_SERVICE)
    return sendError(req, res, new HarborError('BAD_REQUEST', `Unknown service: ${service ?? ''}`));

  // `scope` repeats and one value may hold several space-separated scopes (docs/harbor.md §1).
  const scopes = url.searchParams
    .getAll('scope')
    .flatMap((s) => s.split(' '))
    .filter((s) => s !== '');
  const creds = basicCredentials(req);
  const identity: Identity = (creds && state.identities.authenticate(creds.username, creds.password)) ?? ANONYMOUS;

  // No scope and not authenticated (docker login with bad credentials) → 401, empty body (docs/harbor.md §1).
  if (scopes.length === 0 && identity.kind === 'anonymous') {
    return sendEmpty(res, 401);
  }
  // Bad/missing credentials with a scope still get 200: an anonymous token (docs/harbor.md §1).
  const access = scopes.map((s) => grant(state, identity, s)).filter((a): a is Access => a !== undefined);
  const ttl = state.options.tokenTtlSeconds;
  const { token, claims } = state.signer.issue(identity.name, access, ttl);
  sendJson(req, res, 200, {
    token,
    access_token: '', // always present, always empty (docs/harbor.md §1)
    expires_in: ttl,
    issued_at: rfc3339(new Date(claims.iat * 1000)),
  });
}

/** Only the requested actions the caller holds; a missing project gives empty actions (docs/harbor.md §1). */
function grant(state: HarborState, identity: Identity, scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const requested = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  if (type === 'registry' && name === 'catalog') {
    // registry:catalog:* for system admins only (docs/harbor.md §1).
    return { type, name, actions: state.identities.isSysadmin(identity) ? requested.filter((a) => a === '*') : [] };
  }
  if (type !== 'repository') return { type, name, actions: [] };
  const held: string[] = state.identities.actionsOn(identity, state.db.project(name.split('/')[0]!));
  return { type, name, actions: requested.filter((a) => held.includes(a)) };
}
