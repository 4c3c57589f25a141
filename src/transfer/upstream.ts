// Repairing stale and incomplete tags from the registry a pull-through cache was mirroring: a blob
// (or an index child) that answers 404 on the source is looked up in the upstream repository of
// the same name. Manifests always come from the source: the tag the user had, never re-resolved.
import pLimit from 'p-limit';
import { isDockerHub } from '../registry/docker-hub.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { Descriptor } from '../registry/media-types.js';

export interface Upstream {
  client: RegistryClient;
  /** Upstream requests go through their own, lower limit (rate limits: Docker Hub's pulls). */
  limit: ReturnType<typeof pLimit>;
  /** How many requests the run sent upstream. */
  requests: number;
}

export function createUpstream(client: RegistryClient, concurrency: number): Upstream {
  return { client, limit: pLimit(concurrency), requests: 0 };
}

/** The upstream repository for a cached one: Docker Hub keeps official images under `library/`,
 * as `docker pull alpine` asks for `library/alpine`. */
export function upstreamRepository(repository: string, upstreamHost: string): string {
  return isDockerHub(upstreamHost) && !repository.includes('/') ? `library/${repository}` : repository;
}

export async function upstreamCall<T>(upstream: Upstream, call: (client: RegistryClient) => Promise<T>): Promise<T> {
  return await upstream.limit(() => {
    upstream.requests += 1;
    return call(upstream.client);
  });
}

/** Which of the missing digests the upstream has: blobs by HEAD (no download), children by manifest HEAD. */
export async function findUpstream(upstream: Upstream, repository: string, blobs: Descriptor[]): Promise<Set<string>> {
  const repo = upstreamRepository(repository, upstream.client.host);
  const found = new Set<string>();
  await Promise.all(
    blobs.map(async (blob) => {
      const size = await upstreamCall(upstream, (c) => c.headBlob(repo, blob.digest)).catch(() => undefined);
      if (size !== undefined) found.add(blob.digest);
    }),
  );
  return found;
}
