// The summary as one self-contained HTML page (html-file), for Jenkins, cron and any CI that can
// keep a file: the same document as the job summary (summary.ts), in the same order. No script and
// nothing fetched from anywhere. Jenkins serves archived files and the HTML Publisher's reports
// with `Content-Security-Policy: sandbox; default-src 'none'; img-src 'self'; style-src 'self'`,
// which drops the <style> element: the page is plain semantic HTML that reads well without it
// (the verdict first, bold words, bordered tables, closed folds, long names that wrap), and the
// styles only make it nicer where a browser applies them.
import type { SyncResult } from '../model/result.js';
import { type Block, type Inline, plainText } from './doc.js';
import { pageText } from './escape.js';
import { LEVELS } from './fold.js';
import { type SummaryOptions, summaryDocument } from './summary.js';

/** A page a browser opens without effort; a run too large for it gets the shorter lists. */
const PAGE_LIMIT = 8 * 1024 * 1024;

/** The run's summary as an HTML page, at the most detailed level under PAGE_LIMIT. */
export function renderHtmlPage(result: SyncResult, options: SummaryOptions = {}): string {
  let page = '';
  for (const level of LEVELS) {
    page = htmlPage(summaryDocument(result, options, level));
    if (Buffer.byteLength(page) <= PAGE_LIMIT) break;
  }
  return page;
}

/** A document as a whole page; its title is the verdict's first words. */
function htmlPage(blocks: readonly Block[]): string {
  const verdict = blocks.find((b) => b.kind === 'alert');
  const first = verdict?.kind === 'alert' ? verdict.blocks[0] : undefined;
  const said = first?.kind === 'paragraph' ? plainText(first.text) : '';
  const title = `harbor-sync${said ? `: ${said.length > 120 ? `${said.slice(0, 119)}…` : said}` : ''}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${pageText(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...blocks.map(block),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const ALERT_TITLES = { NOTE: 'Note', WARNING: 'Warning', CAUTION: 'Caution' } as const;

function block(b: Block): string {
  switch (b.kind) {
    case 'heading': {
      // The summary's `##` is the page's title heading.
      const h = `h${b.level - 1}`;
      return `<${h}>${inline(b.text)}</${h}>`;
    }
    case 'paragraph':
      return b.text.length ? `<p>${inline(b.text)}</p>` : '';
    case 'list':
      return `<ul>\n${b.items.map((item) => `<li>${inline(item)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      // border and align are attributes, not styles: a Content-Security-Policy keeps them.
      const align = (i: number) => (b.columns[i]?.align === 'right' ? ' align="right"' : '');
      const head = b.columns.map((c, i) => `<th scope="col"${align(i)}>${inline([c.header])}</th>`).join('');
      const rows = b.rows.map((row) => `<tr>${row.map((c, i) => `<td${align(i)}>${inline(c)}</td>`).join('')}</tr>`);
      return `<table border="1">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
    }
    case 'lines':
      // A list, not <pre>: without styles a <pre> never wraps, and a long name would widen the page.
      return `<ul class="lines">\n${b.lines.map((line) => `<li><code>${breakable(line)}</code></li>`).join('\n')}\n</ul>`;
    case 'fold':
      return `<details>\n<summary>${breakable(b.label)}</summary>\n${b.blocks.map(block).join('\n')}\n</details>`;
    case 'alert': {
      const kind = b.alert.toLowerCase();
      return [
        `<section class="alert alert-${kind}" aria-label="${ALERT_TITLES[b.alert]}">`,
        `<p class="alert-title"><strong>${ALERT_TITLES[b.alert]}</strong></p>`,
        ...b.blocks.map(block),
        // Where the box ends, when no style draws it.
        '<hr>',
        '</section>',
      ].join('\n');
    }
  }
}

function inline(text: readonly Inline[]): string {
  let out = '';
  for (const part of text) {
    if (typeof part === 'string') out += breakable(part);
    else if ('strong' in part) out += `<strong>${inline(part.strong)}</strong>`;
    else if ('code' in part) out += `<code>${breakable(part.code)}</code>`;
    else out += '<br>';
  }
  return out;
}

/** A word longer than this gets places where a line may break (<wbr>): a repository path, a
 * digest, an upload URL would otherwise widen its table past the window, and without styles
 * nothing else breaks it. */
const LONG_WORD = 24;
const BREAK_AFTER = /[/:@._,?&=-]/;

/** Text escaped for the page, with break opportunities in long words: after a separator, and
 * at least every LONG_WORD characters. */
function breakable(text: string): string {
  if (text.length <= LONG_WORD) return pageText(text);
  let out = '';
  let piece = '';
  let run = 0;
  for (const c of text) {
    piece += c;
    run = /\s/.test(c) ? 0 : run + 1;
    if (run >= 8 && (BREAK_AFTER.test(c) || run >= LONG_WORD)) {
      out += `${pageText(piece)}<wbr>`;
      piece = '';
      run = 0;
    }
  }
  return out + pageText(piece);
}

/** For a browser that applies styles: GitHub's look, roughly. Under Jenkins' policy it is dropped,
 * and nothing above depends on it. */
const STYLE = [
  'body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;margin:0}',
  'main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}',
  'table{border-collapse:collapse;margin:.5rem 0 1rem;max-width:100%}',
  'th,td{border:1px solid #d1d9e0;padding:.25rem .6rem;vertical-align:top}',
  'th{background:#f6f8fa}',
  'code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eff1f3;padding:.1em .3em;border-radius:4px}',
  '.alert{border-left:.25rem solid #0969da;padding:.1rem 1rem;margin:1rem 0}',
  '.alert-warning{border-color:#9a6700}',
  '.alert-caution{border-color:#cf222e}',
  '.alert-title{margin:.5rem 0 .25rem}',
  '.alert hr{display:none}',
  'details{margin:.5rem 0}',
  'summary{cursor:pointer}',
  'ul.lines{list-style:none;padding-left:1rem}',
].join('');
