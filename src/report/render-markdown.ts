// The summary document (doc.ts) as GitHub-flavoured Markdown, the job summary: every piece of text
// escaped for where it stands (prose, a table cell, a fold's label, a code block), through
// escape.ts's Markdown functions.
import type { Block, Inline } from './doc.js';
import { codeCell, codeSpan, fence, htmlText, markdownCell, markdownText } from './escape.js';
import { details, table } from './markdown.js';

/** The blocks as Markdown lines, each block followed by a blank line. */
function markdownLines(blocks: readonly Block[]): string[] {
  return blocks.flatMap(block);
}

/** The document as one Markdown text, ending in one newline. */
export function toMarkdown(blocks: readonly Block[]): string {
  return `${markdownLines(blocks).join('\n').trimEnd()}\n`;
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return [`${'#'.repeat(b.level)} ${inline(b.text, 'prose')}`, ''];
    case 'paragraph':
      return [inline(b.text, 'prose'), ''];
    case 'list':
      return [...b.items.map((item) => `- ${inline(item, 'prose')}`), ''];
    case 'table':
      return [
        ...table(
          b.columns,
          b.rows.map((row) => row.map((cell) => inline(cell, 'cell'))),
        ),
        '',
      ];
    case 'lines':
      return [...fence(b.lines), ''];
    case 'fold':
      return details(htmlText(b.label), withoutLastBlank(markdownLines(b.blocks)));
    case 'alert': {
      // A GitHub alert: every line quoted, blocks apart by a quoted blank line.
      const quoted = b.blocks
        .map((inner) => withoutLastBlank(block(inner)))
        .filter((inner) => inner.some(Boolean))
        .flatMap((inner, i) => [...(i === 0 ? [] : ['>']), ...inner.map((line) => `> ${line}`)]);
      return [`> [!${b.alert}]`, ...quoted, ''];
    }
  }
}

function withoutLastBlank(lines: string[]): string[] {
  return lines.at(-1) === '' ? lines.slice(0, -1) : lines;
}

/** A run of text as Markdown: in prose one line; in a table cell `|` escaped and line breaks `<br>`. */
function inline(text: readonly Inline[], where: 'prose' | 'cell'): string {
  let out = '';
  for (const part of text) {
    if (typeof part === 'string') out += where === 'cell' ? markdownCell(part) : markdownText(part);
    else if ('strong' in part) out += `**${inline(part.strong, where)}**`;
    else if ('code' in part) out += where === 'cell' ? codeCell(part.code) : codeSpan(part.code);
    else out += '<br>';
  }
  return out;
}
