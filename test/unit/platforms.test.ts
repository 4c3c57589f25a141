import { describe, it, expect } from 'vitest';
import { parsePlatforms } from '../../src/config/platforms.js';
import { filterIndex, platformMatches } from '../../src/transfer/index-filter.js';

describe('platform filter', () => {
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${'a'.repeat(64)}`,
          size: 1,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${'b'.repeat(64)}`,
          size: 1,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${'c'.repeat(64)}`,
          size: 1,
          platform: { os: 'unknown', architecture: 'unknown' },
        },
      ],
    }),
  );

  it('a filter without a variant takes every variant', () => {
    expect(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatforms('linux/arm64'))).toBe(
      true,
    );
    expect(
      platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatforms('linux/arm64/v7')),
    ).toBe(false);
    expect(() => parsePlatforms('linux')).toThrow(/os\/architecture/);
  });

  it('writes a smaller index with a new, stable digest; keeping everything changes nothing', () => {
    const once = filterIndex(
      index,
      'application/vnd.oci.image.index.v1+json',
      parsePlatforms('linux/amd64,linux/arm64'),
    )!;
    expect(JSON.parse(once.bytes.toString()).manifests).toHaveLength(2);
    expect(
      filterIndex(index, 'application/vnd.oci.image.index.v1+json', parsePlatforms('linux/amd64,linux/arm64'))!.digest,
    ).toBe(once.digest);
    const all = Buffer.from(
      JSON.stringify({
        ...JSON.parse(index.toString()),
        manifests: JSON.parse(index.toString()).manifests.slice(0, 2),
      }),
    );
    expect(
      filterIndex(all, 'application/vnd.oci.image.index.v1+json', parsePlatforms('linux/amd64,linux/arm64')),
    ).toBeUndefined();
  });
});
