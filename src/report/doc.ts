// The summary as a document: what is said, in what order, with what stress, said once for every
// format. verdict.ts, failure-causes.ts, tables.ts and summary.ts build it from the result; the Markdown
// summary (render-markdown.ts), the HTML page (html.ts) and the plain text of the JUnit report
// (plainText) only write it, each escaping every piece of text for its own format. Text in here is
// never escaped: a name is the name, a server's words are its words.

/** A run of text: words, a stressed part, a code span (names, digests, inputs), a line break (in a
 * table cell only). */
export type Inline = string | { strong: Inline[] } | { code: string } | { br: true };

export type AlertKind = 'NOTE' | 'WARNING' | 'CAUTION';

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export type Block =
  | { kind: 'heading'; level: 2 | 3 | 4; text: Inline[] }
  | { kind: 'paragraph'; text: Inline[] }
  /** What the reader must see first (the verdict), or Harbor's settings: a GitHub alert, a box. */
  | { kind: 'alert'; alert: AlertKind; blocks: Block[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'table'; columns: Column[]; rows: Inline[][][] }
  /** Lines to copy as they are (full digests, what was not started). */
  | { kind: 'lines'; lines: string[] }
  /** Closed until opened; the label is plain words. */
  | { kind: 'fold'; label: string; blocks: Block[] };

export const strong = (...text: Inline[]): Inline => ({ strong: text });
export const code = (text: string): Inline => ({ code: text });
export const br: Inline = { br: true };

export const heading = (level: 2 | 3 | 4, ...text: Inline[]): Block => ({ kind: 'heading', level, text });
export const paragraph = (...text: Inline[]): Block => ({ kind: 'paragraph', text });
export const alert = (kind: AlertKind, blocks: Block[]): Block => ({ kind: 'alert', alert: kind, blocks });
export const table = (columns: Column[], rows: Inline[][][]): Block => ({ kind: 'table', columns, rows });
export const lines = (text: string[]): Block => ({ kind: 'lines', lines: text });
export const fold = (label: string, blocks: Block[]): Block => ({ kind: 'fold', label, blocks });

/** Items joined with a separator, as one run of text (`a · b · c`). */
export function joined(parts: readonly Inline[][], separator: string): Inline[] {
  return parts.flatMap((part, i) => (i === 0 ? part : [separator, ...part]));
}

/** The words alone: stress dropped, code spans as their text, a line break as a space. */
export function plainText(text: readonly Inline[]): string {
  let out = '';
  for (const part of text) {
    if (typeof part === 'string') out += part;
    else if ('strong' in part) out += plainText(part.strong);
    else if ('code' in part) out += part.code;
    else out += ' ';
  }
  return out;
}
