import { describe, it, expect } from 'vitest';
import { upstreamRepository } from '../../src/transfer/upstream.js';

describe('upstream repository names (as the distribution proxy asks Docker Hub)', () => {
  it.each([
    ['alpine', 'registry-1.docker.io', 'library/alpine'],
    ['alpine', 'docker.io', 'library/alpine'],
    ['bitnami/redis', 'registry-1.docker.io', 'bitnami/redis'],
    ['alpine', 'quay.io', 'alpine'],
    ['cache/app', '127.0.0.1:5000', 'cache/app'],
  ])('%s on %s → %s', (repo, host, expected) => {
    expect(upstreamRepository(repo, host)).toBe(expected);
  });
});
