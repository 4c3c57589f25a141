// Numbers, sizes and durations as a person reads them, the same in every format: thousands
// separators, units that never wrap apart from their number (a no-break space), short digests.
// Plain text: whoever writes it escapes it for the format.
import { formatBytes } from '../units.js';

/** Keeps a number and its unit on one line. */
export const NBSP = '\u00a0';

/** 12345 → 12,345. A count read back from a shard's report file may be anything: its text then. */
export function num(n: number): string {
  if (typeof n !== 'number') return String(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 tag", "1,200 tags". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
  if (typeof n !== 'number') return String(n);
  return formatBytes(n).replace(' ', NBSP);
}

/** 4.2 s, 42 s, 41 min 7 s, 2 h 3 min: what a person reads, not 2467.3 s. */
export function duration(seconds: number): string {
  const unit = (value: number, name: string) => `${value}${NBSP}${name}`;
  if (seconds < 10) return unit(Number(seconds.toFixed(1)), 's');
  const whole = Math.round(seconds);
  if (whole < 60) return unit(whole, 's');
  if (whole < 3600)
    return [unit(Math.floor(whole / 60), 'min'), whole % 60 ? unit(whole % 60, 's') : ''].join(' ').trim();
  const minutes = Math.round(whole / 60);
  return [unit(Math.floor(minutes / 60), 'h'), minutes % 60 ? unit(minutes % 60, 'min') : ''].join(' ').trim();
}

/** `sha256:0123456789ab`: enough to tell digests apart in a table; the full one is in the report. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest];
  return `${algorithm ? `${algorithm}:` : ''}${(hex ?? '').slice(0, 12)}`;
}

/** "a", "a and b", "a, b and c" (or "a, b or c"). */
export function wordList(words: readonly string[], last: 'and' | 'or' = 'and'): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`;
}
