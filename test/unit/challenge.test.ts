import { describe, it, expect } from 'vitest';
import { bearerChallenge, offersBasic, parseChallenges } from '../../src/registry/challenge.js';

describe('WWW-Authenticate parsing', () => {
  it("reads Harbor's bearer challenge with a scope (docs/harbor.md §1)", () => {
    const c = bearerChallenge(
      'Bearer realm="https://h.example/service/token",service="harbor-registry",scope="repository:p/r:pull,push"',
    );
    expect(c).toEqual({
      realm: 'https://h.example/service/token',
      service: 'harbor-registry',
      scopes: ['repository:p/r:pull,push'],
      error: undefined,
    });
  });

  it('splits a mount challenge holding two scopes', () => {
    const c = bearerChallenge(
      'Bearer realm="http://h/service/token",service="harbor-registry",scope="repository:p/r:pull,push repository:q/s:pull"',
    );
    expect(c?.scopes).toEqual(['repository:p/r:pull,push', 'repository:q/s:pull']);
  });

  it('keeps the error of an insufficient_scope answer', () => {
    const c = bearerChallenge(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull",error="insufficient_scope"',
    );
    expect(c?.error).toBe('insufficient_scope');
  });

  it('recognises Basic, including Harbor\'s realm="harbor" and the distribution htpasswd realm', () => {
    expect(offersBasic('Basic realm="harbor"')).toBe(true);
    expect(offersBasic('Basic realm=basic-realm')).toBe(true);
    expect(bearerChallenge('Basic realm="harbor"')).toBeUndefined();
  });

  it('parses several challenges in one header and escaped quotes', () => {
    const all = parseChallenges('Basic realm="a \\"quoted\\" realm", Bearer realm="https://t/token",service="s"');
    expect(all.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(all[0]!.params.realm).toBe('a "quoted" realm');
    expect(all[1]!.params.service).toBe('s');
  });

  it('answers nothing for an empty or missing header (Harbor sends an empty one for a missing project)', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(undefined)).toEqual([]);
    expect(bearerChallenge('')).toBeUndefined();
  });
});
