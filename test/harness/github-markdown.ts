// A job summary rendered the way GitHub shows it on a run's page: GitHub-flavoured Markdown with
// raw HTML (details, summary, br, code) and alerts, GitHub's own CSS, in a column as wide as the
// Actions page gives a step summary. And the words a reader must find in it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import MarkdownIt from 'markdown-it';
import alerts from 'markdown-it-github-alerts';

/** The content column of an Actions run page's summary (about 860–910 px). */
export const COLUMN_WIDTH = 880;

const require = createRequire(import.meta.url);
const css = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');

const markdown = new MarkdownIt({ html: true, linkify: true }).use(alerts);

/** A whole page: the summary in a column of COLUMN_WIDTH px, styled by github-markdown-css. */
export function summaryPage(md: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><style>${css}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: content-box; width: ${COLUMN_WIDTH}px; padding: 16px 24px; }
</style></head>
<body><article class="markdown-body" id="summary">${markdown.render(md)}</article></body></html>`;
}

/** The tags the summary writes on purpose; anything else in angle brackets would be eaten as HTML. */
const OUR_TAGS = /<\/?(?:details|summary|code|br)\b[^>]*>/g;

/** Every word of the Markdown a reader should see, lower-cased, with how often it occurs. */
export function markdownWords(md: string): Map<string, number> {
  const visible = md
    .replace(OUR_TAGS, ' ')
    .replace(/^```\w+$/gm, '```') // a fence's info string is not shown
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return countWords(visible);
}

export function countWords(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Words the Markdown has more often than the rendered text: text lost to HTML parsing. */
export function lostWords(md: string, rendered: string): string[] {
  const shown = countWords(rendered);
  return [...markdownWords(md)]
    .filter(([word, n]) => (shown.get(word) ?? 0) < n)
    .map(([word, n]) => `${word} (${n} in the Markdown, ${shown.get(word) ?? 0} shown)`);
}
