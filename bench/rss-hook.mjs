// Preloaded into the harbor-sync process with `node --import ./bench/rss-hook.mjs`: at exit it writes
// the process's own peak resident set size (getrusage ru_maxrss, in KiB) to $BENCH_RSS_FILE.
// Exact and independent of polling. Plain JavaScript on purpose: a `.ts` preload makes Node load
// its TypeScript stripper, which added ~20 MB to every harbor-sync figure until 2026-12-02.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
