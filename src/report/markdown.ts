// Markdown pieces for the job summary, as GitHub renders them: text escaped so nothing a registry
// said (or a placeholder such as <repo>) is taken for HTML or Markdown, numbers with thousands
// separators, sizes and durations whose number and unit never wrap apart, tables that say how
// each column aligns, and folds.
import { codeCell, markdownText } from './escape.js';
import * as words from './words.js';

export { duration, NBSP } from './words.js';

// The escaping is in escape.ts, one function per output format; these are the names the
// renderers use. `code` is for prose, `codeCell` for a table cell.
export {
  codeCell,
  codeSpan as code,
  fence,
  htmlText as html,
  markdownCell as cell,
  markdownText as text,
} from './escape.js';

// The summary itself is a document (doc.ts) that render-markdown.ts writes; these are for Markdown
// written directly, escaped: words.ts says numbers the same way for every format.

/** 12345 → 12,345. A count read back from a shard's report file may be anything: text then. */
export function num(n: number): string {
  return typeof n === 'number' ? words.num(n) : markdownText(String(n));
}

/** "1 tag", "1,200 tags". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
  return typeof n === 'number' ? words.bytes(n) : markdownText(String(n));
}

/** `sha256:0123456789ab` as code in a table cell: whatever a server put in a digest stays in its cell. */
export function shortDigest(digest: string | undefined): string {
  return digest ? codeCell(words.shortDigest(digest)) : '';
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A table; cells are Markdown already (made with cell(), codeCell(), num()). */
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
