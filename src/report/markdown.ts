// Markdown pieces for the job summary, as GitHub renders them: text escaped so nothing a registry
// said (or a placeholder such as <repo>) is taken for HTML or Markdown, numbers with thousands
// separators, sizes and durations whose number and unit never wrap apart, tables that say how
// each column aligns, and folds.
import { formatBytes } from '../model/units.js';

/** Keeps a number and its unit on one line. */
export const NBSP = '\u00a0';

/** Text from anywhere (a server's message, a name) as Markdown that renders as that text. */
export function text(value: string): string {
  return (
    value
      .replace(/\\/g, '\\\\')
      .replace(/&(?=#?\w+;)/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[`*[\]~|]/g, '\\$&')
      // An underscore inside a word is never emphasis; at a word's edge it may be.
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
      .replace(/\r?\n/g, ' ')
  );
}

/** Text inside a table cell: newlines become line breaks instead of ending the row. */
export function cell(value: string): string {
  return value
    .split(/\r?\n/)
    .map((line) => text(line))
    .join('<br>');
}

/** A code span that holds any text (backticks inside get a longer fence). Pipes are not escaped:
 * in a table, pass only names and digests, which have none. */
export function code(value: string): string {
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** Text for raw HTML element content (a <summary> label): no Markdown is parsed there. Never for
 * an attribute value, so quotes stay as they are, readable in a terminal too. */
export function html(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 12345 → 12,345. */
export function num(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 tag", "1,200 tags". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
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
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '';
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest];
  return code(`${algorithm ? `${algorithm}:` : ''}${(hex ?? '').slice(0, 12)}`);
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A table; cells are Markdown already (made with cell(), code(), num()). */
export function table(columns: Column[], rows: string[][]): string[] {
  return [
    `| ${columns.map((c) => c.header).join(' | ')} |`,
    `| ${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** A fold: closed, with a plain-text label (Markdown is not parsed inside <summary>). */
export function details(label: string, body: string[]): string[] {
  return [`<details><summary>${label}</summary>`, '', ...body, '', '</details>', ''];
}

export type AlertKind = 'NOTE' | 'TIP' | 'IMPORTANT' | 'WARNING' | 'CAUTION';

/** A GitHub alert: paragraphs of Markdown, quoted. */
export function alert(kind: AlertKind, paragraphs: string[]): string[] {
  const body = paragraphs.filter(Boolean).flatMap((p, i) => (i === 0 ? [`> ${p}`] : ['>', `> ${p}`]));
  return [`> [!${kind}]`, ...body, ''];
}
