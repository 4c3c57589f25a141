// Preloaded into the harbor-sync process with `node --import ./bench/rss-hook.mjs`: at exit it writes
// the process's own peak resident set size (getrusage ru_maxrss, in KiB) and its CPU time to
// $BENCH_RSS_FILE.
// Exact and independent of polling. Plain JavaScript on purpose: a `.ts` preload makes Node load
// its TypeScript stripper, which added ~20 MB to every harbor-sync figure until 2026-12-02.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    // Peak RSS in KiB, then the CPU time spent (user + system), in microseconds.
    writeFileSync(file, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
  });
}
