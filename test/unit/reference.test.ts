import { describe, it, expect } from 'vitest';
import { parseImageReference, repositoryScope } from '../../src/registry/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it.each([
    ['team-a/tools/worker:1.2', { repository: 'team-a/tools/worker', tag: '1.2' }],
    ['alpine:3.19', { repository: 'alpine', tag: '3.19' }],
    ['team-a/app', { repository: 'team-a/app' }],
    [`team-a/app@${D}`, { repository: 'team-a/app', digest: D }],
    [`team-a/app:v1@${D}`, { repository: 'team-a/app', tag: 'v1', digest: D }],
    ['  a/b_c__d-e.f:Tag_1.0-rc  ', { repository: 'a/b_c__d-e.f', tag: 'Tag_1.0-rc' }],
    ['127.0.0.1:5000/team/app:1', { repository: 'team/app', tag: '1' }],
  ])('%s', (input, expected) => {
    expect(parseImageReference(input, '127.0.0.1:5000')).toEqual(expected);
  });

  it.each([
    ['Team/App:1', /lowercase/],
    ['a//b:1', /lowercase path components/],
    ['a/b:-bad', /tag "-bad"/],
    ['a/b@sha256:123', /digest "sha256:123"/],
    ['other.example.com/a/b:1', /names registry host "other.example.com"/],
    ['', /empty/],
  ])('refuses %s with a message naming the part', (input, message) => {
    expect(() => parseImageReference(input, '127.0.0.1:5000')).toThrow(message);
  });

  it('builds token scopes', () => {
    expect(repositoryScope('p/r', 'pull,push')).toBe('repository:p/r:pull,push');
  });
});
