// Where a transport's credentials may go: its own origin, and the token realm that origin named
// first, checked for a downgrade to plain HTTP.
import { describe, it, expect } from 'vitest';
import { AuthBoundary, isAuthRefusal } from '../../src/registry/auth-boundary.ts';

const registry = new URL('https://reg.example:5000/');
const request = 'GET /v2/';

describe('AuthBoundary', () => {
  it('authorizes the registry origin only', () => {
    const b = new AuthBoundary(registry, false);
    expect(b.mayAuthorize(new URL('https://reg.example:5000/v2/x/blobs/uploads/1'))).toBe(true);
    expect(b.mayAuthorize(new URL('http://reg.example:5000/v2/'))).toBe(false);
    expect(b.mayAuthorize(new URL('https://reg.example/v2/'))).toBe(false);
    expect(b.mayAuthorize(new URL('https://cdn.example:5000/v2/'))).toBe(false);
  });

  it('pins the first realm; a different one later is refused, naming both', () => {
    const b = new AuthBoundary(registry, false);
    expect(b.acceptRealm('https://auth.example/token', request)).toBe('https://auth.example/token');
    expect(b.acceptRealm('https://auth.example/token', request)).toBe('https://auth.example/token');
    let error: unknown;
    try {
      b.acceptRealm('https://other.example/token?x=1', 'GET /v2/a/tags/list');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'REALM_REFUSED', request: 'GET /v2/a/tags/list' });
    expect((error as Error).message).toBe(
      'GET /v2/a/tags/list: https://reg.example:5000 now names the token realm https://other.example/token, not https://auth.example/token it named first; credentials are only sent to the realm it named first',
    );
    expect(isAuthRefusal(error as never)).toBe(true);
  });

  it('refuses a realm over plain HTTP for an HTTPS registry, naming both URLs, unless insecure', () => {
    expect(() => new AuthBoundary(registry, false).acceptRealm('http://auth.example/token', request)).toThrow(
      expect.objectContaining({
        code: 'REALM_INSECURE',
        message:
          'GET /v2/: the registry https://reg.example:5000 names its token service over plain HTTP (http://auth.example/token): credentials would travel in clear, so none are sent',
      }),
    );
    expect(new AuthBoundary(registry, true).acceptRealm('http://auth.example/token', request)).toBe(
      'http://auth.example/token',
    );
    expect(
      new AuthBoundary(new URL('http://reg.example/'), false).acceptRealm('http://auth.example/token', request),
    ).toBe('http://auth.example/token');
  });

  it('refuses a realm that is not an http(s) URL', () => {
    expect(() => new AuthBoundary(registry, true).acceptRealm('file:///etc/passwd', request)).toThrow(
      expect.objectContaining({ code: 'REALM_REFUSED' }),
    );
    expect(() => new AuthBoundary(registry, true).acceptRealm('not a url', request)).toThrow(
      expect.objectContaining({ code: 'REALM_REFUSED' }),
    );
  });

  it('says whether a foreign 401 came by way of a redirect', () => {
    const b = new AuthBoundary(registry, false);
    expect(
      b.foreignChallenge(
        'GET /v2/r/blobs/sha256:1',
        new URL('https://reg.example:5000/v2/r/blobs/sha256:1'),
        new URL('https://cdn.example:8443/x'),
      ).message,
    ).toBe(
      'GET /v2/r/blobs/sha256:1: redirected to https://cdn.example:8443, which asked for credentials (401); credentials are only sent to https://reg.example:5000',
    );
    expect(
      b.foreignChallenge(
        'PUT /upload/1',
        new URL('https://store.example/upload/1'),
        new URL('https://store.example/upload/1'),
      ).message,
    ).toBe(
      'PUT /upload/1: https://store.example asked for credentials (401); credentials are only sent to https://reg.example:5000',
    );
  });
});
