// Imported first by both entry points, before the bundle's other modules load. A sync is a long
// stream of small requests: it allocates fast and keeps little, and V8's defaults suit the
// opposite. Both flags are read each time V8 sizes a space, so setting them at run time works.
//
// Young generation: V8 doubles it whenever much survives a scavenge, then collects less often;
// blob streams allocate their buffers outside that heap, so between two collections tens of MB of
// spent buffers wait to be freed. Held at its starting size, collections are frequent and cheap
// (bench/results, 2026-11-29: medium corpus peak RSS 165–215 → 141–149 MB at the same speed).
//
// Old generation: after each full collection V8 lets the heap grow to up to 4× what survived
// before the next one (more, the faster the process allocates). With ~25 MB live the heap then
// swings to 65–115 MB and the process keeps those pages: 6,000 tags peaked at 163 MB, 24,000 at
// 235 MB and rising. Growing by 20% keeps the heap near what is live, for no measurable change
// in wall time (docs/performance.md).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--heap-growing-percent=20');
