// Imported first by both entry points, before the bundle's other modules load. A sync is a long
// stream of small requests: it allocates fast and keeps little, and V8's defaults suit the
// opposite (docs/performance.md, "Memory").
//
// Young generation: V8 doubles it (up to 64 MB a semi-space) whenever much survives a scavenge.
// Let grow freely, blob streams' spent buffers (outside the heap) wait tens of MB for the next
// scavenge (medium corpus peak RSS 165–215 MB). Held at its 1 MB start, it cost a scavenge per
// megabyte allocated: 30 % of harbor-sync's CPU in a first sync at catalog scale. It is let grow
// to 4 MB a semi-space and held there: a quarter of the scavenges and 3 CPU-s fewer per 2,000
// repositories. Large blobs then ask for their own scavenges as they stream
// (transfer/spent-buffers.ts); without that, a 2 GiB layer peaked at 167 MB and ran 1.23× its
// floor. The starting size is fixed when the process starts (`--min-semi-space-size` set from
// inside does nothing), so the growth factor is switched after each collection instead: 2 below
// the size, 1 at it.
//
// Old generation: after each full collection V8 lets the heap grow to up to 4× what survived
// before the next one (more, the faster the process allocates). With ~25 MB live the heap then
// swings to 65–115 MB and the process keeps those pages: 6,000 tags peaked at 163 MB, 24,000 at
// 235 MB and rising. Growing by 20% keeps the heap near what is live, for no measurable change
// in wall time (docs/performance.md). This flag is read each time V8 sizes the space.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation held: two semi-spaces of 4 MB, as V8 reports new space's size. */
export const YOUNG_GENERATION_BYTES = 8 * 1024 * 1024;

setFlagsFromString('--heap-growing-percent=20');

let growthFactor = 0;
function holdYoungGeneration(): void {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  const factor = young >= YOUNG_GENERATION_BYTES ? 1 : 2;
  if (factor === growthFactor) return;
  setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  growthFactor = factor;
}
holdYoungGeneration();
new PerformanceObserver(holdYoungGeneration).observe({ entryTypes: ['gc'] });
