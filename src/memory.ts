// Imported first by both entry points, before the bundle's other modules load. A sync is a long
// stream of small requests: it allocates fast and keeps little, and V8's defaults suit the
// opposite. Both flags are read each time V8 sizes a space, so setting them at run time works.
//
// Young generation: V8 doubles it whenever much survives a scavenge, then collects less often;
// blob streams allocate their buffers outside that heap, so between two collections tens of MB of
// spent buffers wait to be freed. Held at its starting size, collections are frequent and cheap
// (bench/results, 2026-11-29: medium corpus peak RSS 165–215 → 141–149 MB at the same speed).
// It costs a scavenge per megabyte allocated, a third of harbor-sync's CPU at catalog scale; grown
// to 4 MB and held there it took the 24,000-tag first sync to 1.09× its floor, but a 2 GiB layer
// then peaked at 167 MB instead of 130 and ran 1.23× its floor, and a .tar source peaked at 153 MB
// (bench/results/2026-12-07-scale.md, at 293feab): a larger young generation must not come back
// unless spent buffers are freed some other way (docs/performance.md).
//
// Old generation: after each full collection V8 lets the heap grow to up to 4× what survived
// before the next one (more, the faster the process allocates). With ~25 MB live the heap then
// swings to 65–115 MB and the process keeps those pages: 6,000 tags peaked at 163 MB, 24,000 at
// 235 MB and rising. Growing by 20% keeps the heap near what is live, for no measurable change
// in wall time (docs/performance.md).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--heap-growing-percent=20');
