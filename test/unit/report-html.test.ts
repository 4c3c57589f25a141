// The HTML page (html-file) as text: one self-contained page (no script, no style attribute, no
// URL to fetch), made from the same document as the job summary (the same headings in the same
// order, the same folds), every string from outside escaped. The browser test
// (test/integration/html-report-browser.test.ts) opens it under Jenkins' Content-Security-Policy.
import { describe, expect, it } from 'vitest';
import type { TagResult } from '../../src/model/result.js';
import { renderHtmlPage } from '../../src/report/html.js';
import { renderSummary } from '../../src/report/summary.js';
import { baseResult, CASES, digest } from '../harness/summary-cases.ts';

/** The tags the page is made of; anything else would be markup that came from outside. */
const OUR_TAGS = new Set(
  'html head meta title style body main h1 h2 h3 p strong code br wbr hr ul li table thead tbody tr th td details summary section'.split(
    ' ',
  ),
);

/** The attributes the page's tags use: presentational and ARIA ones only, no URL, no handler. */
const OUR_ATTRIBUTES = new Set([
  'lang',
  'charset',
  'name',
  'content',
  'class',
  'aria-label',
  'scope',
  'align',
  'border',
]);

function attributesOf(html: string): Set<string> {
  const found = new Set<string>();
  for (const tag of html.matchAll(/<[a-zA-Z][\w-]*(\s[^>]*)?>/g))
    for (const attribute of (tag[1] ?? '').matchAll(/\s([\w-]+)="[^"]*"/g)) found.add(attribute[1]!.toLowerCase());
  return found;
}

function tagsOf(html: string): string[] {
  const body = html.replace(/<style>[^<]*<\/style>/, '');
  return [...body.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase());
}

/** Text as a reader sees it: tags gone, references resolved. */
function visible(html: string): string {
  return html
    .replace(/<wbr>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('the HTML page', () => {
  it.each(Object.keys(CASES))('%s: one page, no script, no style attribute, nothing to fetch', (name) => {
    const html = renderHtmlPage(CASES[name as keyof typeof CASES](), { failOn: 'failed', audience: 'cli' });
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(tagsOf(html).filter((tag) => !OUR_TAGS.has(tag))).toEqual([]);
    expect([...attributesOf(html)].filter((name) => !OUR_ATTRIBUTES.has(name))).toEqual([]);
  });

  it('the same headings as the job summary, in the same order, and the same folds', () => {
    for (const make of Object.values(CASES)) {
      const result = make();
      const md = renderSummary(result, { failOn: 'stale' });
      const html = renderHtmlPage(result, { failOn: 'stale' });
      const mdHeadings = [...md.matchAll(/^#{2,4} (.*)$/gm)].map((m) => m[1]!.replace(/\\/g, ''));
      const htmlHeadings = [...html.matchAll(/<h[1-3]>(.*?)<\/h[1-3]>/g)].map((m) => visible(m[1]!));
      expect(htmlHeadings).toEqual(mdHeadings);
      const mdFolds = [...md.matchAll(/<summary>(.*?)<\/summary>/g)].map((m) => visible(m[1]!));
      const htmlFolds = [...html.matchAll(/<summary>(.*?)<\/summary>/g)].map((m) => visible(m[1]!));
      expect(htmlFolds).toEqual(mdFolds);
      // The verdict is the first thing under the title.
      expect(html).toMatch(/<main>\n<h1>[^<]*(<wbr>[^<]*)*<\/h1>\n<section class="alert alert-(note|warning|caution)"/);
    }
  });

  it('every string from outside is escaped: names, messages, reasons, digests', () => {
    const evil = '<img src=x onerror=alert(1)>"\'&amp;';
    const items: TagResult[] = [
      {
        source: `team/${evil}:1`,
        target: `p/${evil}:1`,
        status: 'failed',
        error: { step: 'manifest', errorCode: 'HTTP_ERROR', status: 500, message: `boom ${evil}`, hint: `do ${evil}` },
      },
      { source: `team/a:${evil}`, target: `team/a:${evil}`, status: 'skipped', reason: `filtered out: ${evil}` },
      {
        source: 'team/b:1',
        target: 'team/b:1',
        status: 'stale',
        digest: digest(1),
        missing: [`sha256:${evil}`],
        reason: evil,
      },
    ];
    const html = renderHtmlPage(
      baseResult({
        items,
        source: `https://x/${evil}`,
        harborNotes: [{ project: 'p', kind: 'retention', message: evil }],
      }),
      { failOn: 'failed' },
    );
    expect(tagsOf(html).filter((tag) => !OUR_TAGS.has(tag))).toEqual([]);
    expect([...attributesOf(html)].filter((name) => !OUR_ATTRIBUTES.has(name))).toEqual([]);
    // Shown as the text it is, wherever it came in: name, message, hint, reason, note, source.
    expect(visible(html)).toContain(`boom ${evil}`);
    expect(visible(html)).toContain(`do ${evil}`);
    expect(visible(html).split(evil).length - 1).toBeGreaterThanOrEqual(6);
  });

  it('the title says the verdict, for a browser tab or a Jenkins link', () => {
    const html = renderHtmlPage(CASES['small-mixed'](), { failOn: 'failed' });
    expect(html).toMatch(/<title>harbor-sync: 3 tags failed \(2 causes below, each with what to do\)/);
  });
});
