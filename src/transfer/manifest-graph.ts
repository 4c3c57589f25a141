// A tag's manifests: its own and, for an index, the manifests it lists by digest, and theirs. A
// registry serves what it likes here: an index may list indexes, and two indexes may list the same
// children. That is a graph, not a tree: a diamond of 22 levels (each level's two indexes both
// listing the next level's two) is 44 manifests but 2^22 paths, and a walk per path made 24,208
// requests and held 350 MB before it was stopped. Here each digest is read once (level by level,
// a child seen before is linked, not read again), within bounds that real images stay far below;
// past one, the tag fails with an error naming it and the bound.
import pLimit from 'p-limit';
import { HarborSyncError } from '../errors/base.js';
import type { ErrorCode } from '../errors/codes.js';
import { isNotFound } from '../errors/registry.js';
import { MANIFEST_PUSH_LIMIT } from '../registry/limits.js';
import { isForeignLayer, parseManifest, type Descriptor, type ParsedManifest } from '../registry/media-types.js';
import { isDigest } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { filterIndex, type PlatformFilter } from './index-filter.js';
import { upstreamCall, upstreamRepository, type Upstream } from './upstream.js';

/** A manifest with the exact bytes to push back, and its children for an index. A child two
 * indexes list is one node, listed by both: walk the graph with manifestsOf. */
export interface ManifestNode {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  parsed: ParsedManifest;
  children: ManifestNode[];
}

export interface ManifestLimits {
  /** Manifests on the longest chain below the tag's own: an index of images is 1. */
  depth: number;
  /** Manifests read for one tag. */
  count: number;
  /** Bytes of a tag's manifests together, held until the tag is pushed. */
  bytes: number;
}

/**
 * - depth 8: a multi-platform image is an index of image manifests (1); an index of indexes (2)
 *   is rare. 8 is four times that, and keeps every walk over the graph 9 calls deep at most.
 * - count 10,000: the largest real indexes list some tens of platform manifests, each with an
 *   attestation manifest; an index of referrers one manifest per signature or SBOM, hundreds at
 *   most. 10,000 is a hundred times that, and caps a hostile tag at 10,000 requests.
 * - bytes 32 MiB: a 1,000-layer image manifest is about 200 kB; 32 MiB holds eight manifests of
 *   the 4 MiB a registry stores, and caps what one tag in flight holds in memory.
 */
export const MANIFEST_LIMITS: ManifestLimits = { depth: 8, count: 10_000, bytes: 32 * 1024 * 1024 };

/** Manifest reads of one tag in flight at once: past a bound, no more are started. */
const READS_IN_FLIGHT = 16;

export interface ManifestGraph {
  /** The tag's manifest (with a platform filter, the new index holding only the selected ones). */
  node: ManifestNode;
  /** Index children that answer 404 on the source (and are not on the upstream): each once. */
  missingChildren: string[];
  /** Index children read from the upstream instead: each once. */
  repairedChildren: string[];
  /** With a platform filter: the digest of the source's index. */
  sourceDigest?: string;
}

interface Reading {
  source: RegistryClient;
  upstream: Upstream | undefined;
}

/** Reads a tag's manifest and everything below it. A child that answers 404 is noted as missing
 * content rather than failing the tag, so the tag can be classified; with an upstream, it (and all
 * below it) comes from there. With a platform filter, the top index is rewritten to hold only the
 * matching children. */
export async function readManifestGraph(
  ctx: Reading,
  repository: string,
  reference: string,
  platforms?: PlatformFilter[],
  limits: ManifestLimits = MANIFEST_LIMITS,
): Promise<ManifestGraph> {
  const label = isDigest(reference) ? `${repository}@${reference}` : `${repository}:${reference}`;
  const upstreamRepo = ctx.upstream ? upstreamRepository(repository, ctx.upstream.client.host) : repository;
  const held = { count: 0, bytes: 0 };
  let stopped: unknown;

  const read = async (ref: string, fromUpstream: boolean, filter?: PlatformFilter[]) => {
    const res = fromUpstream
      ? await upstreamCall(ctx.upstream!, (c) => c.getManifest(upstreamRepo, ref))
      : await ctx.source.getManifest(repository, ref);
    const at = isDigest(ref) ? `${repository}@${ref}` : `${repository}:${ref}`;
    let parsed = parseManifest(res.bytes, res.mediaType);
    if (parsed.kind === 'invalid') throw manifestFailure('MANIFEST_INVALID', `manifest of ${at} ${parsed.problem}`);
    let { bytes, digest } = res;
    let sourceDigest: string | undefined;
    const filtered = filter && parsed.kind === 'index' ? filterIndex(res.bytes, parsed.mediaType, filter) : undefined;
    if (filtered) {
      ({ bytes, digest } = filtered);
      sourceDigest = res.digest;
      parsed = parseManifest(bytes, parsed.mediaType);
    }
    // Known now, not after its blobs went up: the registry would refuse the manifest at the end.
    if (bytes.length > MANIFEST_PUSH_LIMIT) {
      throw manifestFailure(
        'MANIFEST_TOO_LARGE',
        `manifest of ${at} is ${bytes.length} bytes, more than the ${MANIFEST_PUSH_LIMIT} bytes (${MANIFEST_PUSH_LIMIT / 1024 / 1024} MiB) a registry stores`,
      );
    }
    held.bytes += bytes.length;
    if (held.bytes > limits.bytes) throw tooLarge(label, `hold more than ${limits.bytes / 1024 / 1024} MiB together`);
    const node: ManifestNode = { digest, mediaType: parsed.mediaType, bytes, parsed, children: [] };
    return { node, sourceDigest };
  };

  /** A child by digest, fetched outright (a HEAD first would be one more request for every child
   * that is there, the common case); one that answers 404 comes from the upstream by digest
   * (verified), if it is there. */
  const readChild = async (
    digest: string,
    fromUpstream: boolean,
  ): Promise<{ node?: ManifestNode; fromUpstream: boolean; repaired?: true }> => {
    if (fromUpstream) return { node: (await read(digest, true)).node, fromUpstream };
    try {
      return { node: (await read(digest, false)).node, fromUpstream };
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const there = ctx.upstream
      ? await upstreamCall(ctx.upstream, (c) => c.headManifest(upstreamRepo, digest)).catch(() => undefined)
      : undefined;
    if (!there) return { fromUpstream };
    return { node: (await read(digest, true)).node, fromUpstream: true, repaired: true };
  };

  const top = await read(reference, false, platforms);
  held.count = 1;
  // Every digest met, once: its node, or undefined for a child missing everywhere.
  const seen = new Map<string, ManifestNode | undefined>([[top.node.digest, top.node]]);
  const missingChildren: string[] = [];
  const repairedChildren: string[] = [];
  // Level by level: a level's new children are read side by side, in the order the indexes list them.
  let level = [{ node: top.node, fromUpstream: false }];
  for (let depth = 1; level.length > 0; depth++) {
    const next = new Map<string, boolean>();
    for (const { node, fromUpstream } of level)
      for (const child of node.parsed.children)
        if (!seen.has(child.digest) && !next.has(child.digest)) next.set(child.digest, fromUpstream);
    if (next.size === 0) break;
    if (depth > limits.depth) throw tooLarge(label, tooDeep(limits.depth));
    if (held.count + next.size > limits.count) throw tooLarge(label, `number more than ${limits.count}`);
    held.count += next.size;
    const queue = pLimit(READS_IN_FLIGHT); // levels are read one after another
    // Past a bound (or any failure), the reads not yet started are not started.
    const answers = await Promise.all(
      [...next].map(([digest, fromUpstream]) =>
        queue(async () => {
          if (stopped) throw stopped;
          return await readChild(digest, fromUpstream).catch((error: unknown) => {
            stopped ??= error;
            throw error;
          });
        }),
      ),
    );
    level = [];
    for (const [i, digest] of [...next.keys()].entries()) {
      const { node, fromUpstream, repaired } = answers[i]!;
      seen.set(digest, node);
      if (!node) missingChildren.push(digest);
      else level.push({ node, fromUpstream });
      if (repaired) repairedChildren.push(digest);
    }
  }
  for (const node of seen.values())
    if (node) node.children = node.parsed.children.flatMap((c) => seen.get(c.digest) ?? []);
  checkChains(top.node, limits.depth, label);
  return {
    node: top.node,
    missingChildren,
    repairedChildren,
    ...(top.sourceDigest && { sourceDigest: top.sourceDigest }),
  };
}

/** Every manifest of the graph once, children before the indexes that list them (the order they
 * can be pushed in), the top one last. */
export function manifestsOf(top: ManifestNode): ManifestNode[] {
  const order: ManifestNode[] = [];
  const seen = new Set<string>();
  const visit = (node: ManifestNode): void => {
    if (seen.has(node.digest)) return;
    seen.add(node.digest);
    for (const child of node.children) visit(child);
    order.push(node);
  };
  visit(top);
  return order;
}

/** Every distributable blob of the graph, each once (children share base layers); foreign layers
 * are left out, as registries never hold them. */
export function blobsOf(top: ManifestNode): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  for (const node of manifestsOf(top))
    for (const blob of node.parsed.blobs)
      if (!isForeignLayer(blob) && !seen.has(blob.digest)) seen.set(blob.digest, blob);
  return [...seen.values()];
}

/** No chain longer than `limit` below the top (reading level by level measures the shortest way
 * to each manifest; a longer way may lead there too), and no cycle: content addressing rules one
 * out for sha256, but a registry's digests are only its word for other algorithms. Each manifest's
 * height is worked out once; the recursion is never deeper than `limit` + 1. */
function checkChains(top: ManifestNode, limit: number, label: string): void {
  const heights = new Map<ManifestNode, number>();
  const onPath = new Set<ManifestNode>();
  const height = (node: ManifestNode, depth: number): number => {
    if (onPath.has(node))
      throw manifestFailure('MANIFEST_INVALID', `the manifests of ${label} list ${node.digest} inside itself`);
    const known = heights.get(node);
    if ((known ?? 0) + depth > limit) throw tooLarge(label, tooDeep(limit));
    if (known !== undefined) return known;
    onPath.add(node);
    let h = 0;
    for (const child of node.children) h = Math.max(h, 1 + height(child, depth + 1));
    onPath.delete(node);
    heights.set(node, h);
    return h;
  };
  height(top, 0);
}

function tooDeep(limit: number): string {
  return `nest more than ${limit} levels deep below the tag's own`;
}

function tooLarge(label: string, what: string): HarborSyncError {
  return manifestFailure(
    'MANIFEST_GRAPH_TOO_LARGE',
    `the manifests of ${label} ${what}: past the bound harbor-sync reads for one tag (real images nest one or two levels)`,
  );
}

function manifestFailure(code: ErrorCode, message: string): HarborSyncError {
  return new HarborSyncError({ step: 'manifest', code, message });
}
