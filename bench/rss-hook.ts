// Preloaded into the harbor-sync process with `node --import ./bench/rss-hook.ts`: at exit it writes
// the process's own peak resident set size (getrusage ru_maxrss, in KiB) to $BENCH_RSS_FILE.
// Exact and independent of polling; the hook itself adds nothing measurable.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
