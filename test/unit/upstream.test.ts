import { describe, it, expect } from 'vitest';
import { upstreamRepository } from '../../src/sync/upstream.js';
import { parseShard, shardOf } from '../../src/sync/shard.js';
import { filterIndex, parsePlatforms, platformMatches } from '../../src/sync/platforms.js';

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

describe('shards', () => {
  it('parses i/n and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/shard must be i\/n/);
  });

  it('puts a repository in the same shard every time and spreads many over all shards', () => {
    expect(shardOf('team-a/app', 4)).toBe(shardOf('team-a/app', 4));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[shardOf(`team-${i % 7}/svc-${i}`, 4) - 1]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(60);
  });
});

describe('platform filter', () => {
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
    ],
  }));

  it('a filter without a variant takes every variant', () => {
    expect(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatforms('linux/arm64'))).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatforms('linux/arm64/v7'))).toBe(false);
    expect(() => parsePlatforms('linux')).toThrow(/os\/architecture/);
  });

  it('writes a smaller index with a new, stable digest; keeping everything changes nothing', () => {
    const once = filterIndex(index, 'application/vnd.oci.image.index.v1+json', parsePlatforms('linux/amd64,linux/arm64'))!;
    expect(JSON.parse(once.bytes.toString()).manifests).toHaveLength(2);
    expect(filterIndex(index, 'application/vnd.oci.image.index.v1+json', parsePlatforms('linux/amd64,linux/arm64'))!.digest).toBe(once.digest);
    const all = Buffer.from(JSON.stringify({ ...JSON.parse(index.toString()), manifests: JSON.parse(index.toString()).manifests.slice(0, 2) }));
    expect(filterIndex(all, 'application/vnd.oci.image.index.v1+json', parsePlatforms('linux/amd64,linux/arm64'))).toBeUndefined();
  });
});
