// verify: blobs — a tag Harbor lists with the source's digest is checked whole in Harbor: a HEAD
// for every blob and manifest of it (src/transfer/harbor-gaps.ts), so a Harbor that lost content (a
// garbage collection that removed blobs of tagged images, goharbor/harbor#19308; a restore from an
// old backup) is found before a pull fails. The source's manifests are read (a GET of the top one
// instead of the digest's HEAD), and serve the copy when the digests differ after all.
import type { HarborMissing, TagResult } from '../model/result.js';
import type { HarborGaps } from '../transfer/harbor-gaps.js';
import { blobsOf, type ManifestGraph } from '../transfer/manifest-graph.js';
import type { RunContext } from './context.js';
import { failure, inStep } from './failure.js';
import type { TagJob } from './jobs.js';
import { describeGraph, jobOwner, notOnSource, readSourceGraph } from './source-tag.js';

const WHOLE_REASON = 'already in Harbor with the same digest, checked whole';

/** Harbor lists the source's digest but lacks some of it, which the source (or the upstream:
 * `fromUpstream`) has: the tag pipeline repairs it (repair.ts). */
export interface RepairCheck {
  kind: 'repair';
  result: TagResult;
  graph: ManifestGraph;
  gaps: HarborGaps;
  fromUpstream: ReadonlySet<string>;
}

/** What the audit decided: done (whole, or broken beyond repair), to read and copy as any tag
 * that moved (the manifests read already), or to repair. */
export type Audit =
  | { kind: 'done'; result: TagResult }
  | { kind: 'read'; result: TagResult; harborDigest: string; graph: ManifestGraph }
  | RepairCheck;

export async function auditTag(job: TagJob, ctx: RunContext, result: TagResult, harborDigest: string): Promise<Audit> {
  const graph = await readSourceGraph(job, ctx);
  if (!graph) return { kind: 'done', result: notOnSource(job, result) };
  describeGraph(result, graph);
  // Moved at the source: copied as any tag Harbor holds another digest for, from what was read.
  if (graph.node.digest !== harborDigest) {
    result.previousDigest = harborDigest;
    return { kind: 'read', result, harborDigest, graph };
  }
  const gaps = await inStep('verify', () => ctx.transfer.gaps(job.target.repository, graph, blobsOf(graph.node)));
  const checked: TagResult = { ...result, checkedWhole: true };
  if (gaps.blobs.length === 0 && gaps.manifests.length === 0 && gaps.lost.length === 0)
    return { kind: 'done', result: { ...checked, status: 'skipped', reason: WHOLE_REASON } };
  checked.harborMissing = harborMissing(gaps);
  // The manifests were just read from the source (or the upstream); the blobs are asked for there.
  const notOnSourceBlobs = await inStep('discover', async () => {
    const sizes = await ctx.transfer.sourceBlobSizes(jobOwner(job), job.sourceRepository, gaps.blobs, false);
    return gaps.blobs.filter((_, i) => sizes[i] === undefined);
  });
  const fromUpstream = await inStep('discover', () => ctx.transfer.upstreamHas(job.sourceRepository, notOnSourceBlobs));
  const lost = [...gaps.lost, ...notOnSourceBlobs.filter((b) => !fromUpstream.has(b.digest)).map((b) => b.digest)];
  if (lost.length > 0) {
    const elsewhere = ctx.transfer.upstreamHost ? 'the source and the upstream lack' : 'the source lacks';
    const all = gaps.blobs.length + gaps.manifests.length + gaps.lost.length;
    const which = lost.length < all ? `${lost.length} of them` : all === 1 ? 'it' : 'them';
    const message = `${job.targetLabel} in Harbor lacks ${lackedWords(gaps)}, and ${elsewhere} ${which} too: ${lost.join(', ')}`;
    return {
      kind: 'done',
      result: { ...checked, status: 'failed', error: failure('verify', 'BROKEN_UNREPAIRABLE', message) },
    };
  }
  return { kind: 'repair', result: checked, graph, gaps, fromUpstream };
}

/** "2 of 5 blobs and 1 of 3 manifests". */
export function lackedWords(gaps: HarborGaps): string {
  const manifests = gaps.manifests.length + gaps.lost.length;
  return [
    gaps.blobs.length > 0 && `${gaps.blobs.length} of ${gaps.checked.blobs} blobs`,
    manifests > 0 && `${manifests} of ${gaps.checked.manifests} manifests`,
  ]
    .filter(Boolean)
    .join(' and ');
}

/** What Harbor lacked, blobs first, each with its size where the manifests say it. */
function harborMissing(gaps: HarborGaps): HarborMissing[] {
  return [
    ...gaps.blobs.map((b): HarborMissing => ({ digest: b.digest, kind: 'blob', ...(b.size >= 0 && { size: b.size }) })),
    ...gaps.manifests.map((m): HarborMissing => ({ digest: m.digest, kind: 'manifest', size: m.bytes.length })),
    ...gaps.lost.map((digest): HarborMissing => ({ digest, kind: 'manifest' })),
  ];
}
