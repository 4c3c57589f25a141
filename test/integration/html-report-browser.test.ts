// The HTML page (html-file) as Jenkins serves it: from a local node:http server that sends the
// Content-Security-Policy Jenkins sends for archived artifacts and the HTML Publisher's reports,
// opened in headless Chromium (as summary-browser.test.ts drives it). Under that policy the page's
// <style> is dropped, and the page must still read well: the verdict on the first screen of a
// 1280x800 window, every word of the job summary there, no table wider than the window at 1280
// and 1024 px with every fold open, nothing fetched, no script. The small mixed run's first
// screen is saved to .tmp/html-report.png.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../src/model/result.ts';
import { renderHtmlPage } from '../../src/report/html.ts';
import { renderSummary, type SummaryOptions } from '../../src/report/summary.ts';
import { launchBrowser, type HeadlessBrowser } from '../harness/browser.ts';
import { lostWords } from '../harness/github-markdown.ts';
import { CASES } from '../harness/summary-cases.ts';

/** What Jenkins sends with an archived file or an HTML Publisher report (its default
 * hudson.model.DirectoryBrowserSupport.CSP). */
const JENKINS_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'self';";
const SCREENSHOT = '.tmp/html-report.png';
const WINDOW = { width: 1280, height: 800 };
const OPTIONS: SummaryOptions = { reportFile: 'harbor-sync-report.json', failOn: 'stale', audience: 'cli' };

let chromium: HeadlessBrowser;
let page: Page;
let server: Server;
let base: string;
/** The page the server sends, set per test. */
let served = '';
const requests: string[] = [];
const refusals: string[] = [];

beforeAll(async () => {
  chromium = await launchBrowser();
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    // The same page without the policy: a browser opening the file itself.
    const policy = req.url === '/harbor-sync-report.html' ? { 'Content-Security-Policy': JENKINS_CSP } : undefined;
    if (!policy && req.url !== '/no-policy.html') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...policy });
    res.end(served);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  page = await chromium.browser.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refusals.push(message.text());
  });
  await mkdir('.tmp', { recursive: true });
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await new Promise((resolve) => server?.close(resolve));
});

interface Seen {
  verdictFirst: boolean;
  verdictBottom: number;
  verdictText: string;
  /** Whether the page's <style> applied (it must not, under Jenkins' policy). */
  styled: boolean;
  /** Tables and lists wider than the window, with every fold open; the page's own width. */
  overflowing: string[];
  pageWidth: number;
  text: string;
}

async function open(html: string, width: number, screenshot?: string): Promise<Seen> {
  served = html;
  requests.length = 0;
  refusals.length = 0;
  await page.setViewport({ width, height: WINDOW.height, deviceScaleFactor: 1 });
  await page.goto(`${base}/harbor-sync-report.html`, { waitUntil: 'load' });
  if (screenshot) await page.screenshot({ path: screenshot });
  return await page.evaluate(() => {
    const main = document.querySelector('main')!;
    const verdict = main.querySelector('section.alert');
    const closed = {
      verdictFirst: main.querySelector('h1')?.nextElementSibling === verdict,
      verdictBottom: verdict ? verdict.getBoundingClientRect().bottom : Number.POSITIVE_INFINITY,
      verdictText: verdict?.textContent ?? '',
      // The style sets the system's UI font; a browser's default is Times.
      styled: getComputedStyle(document.body).fontFamily.includes('system-ui'),
    };
    for (const fold of document.querySelectorAll('details')) fold.open = true;
    const overflowing = [...document.querySelectorAll<HTMLElement>('table, ul, p, h1, h2, h3, summary')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .map(
        (el) =>
          `${el.tagName} ${Math.round(el.getBoundingClientRect().right)}px: ${(el.textContent ?? '').slice(0, 80)}`,
      );
    return {
      ...closed,
      overflowing,
      pageWidth: document.documentElement.scrollWidth,
      // biome-ignore lint/performance/useDomNodeTextContent: rendered text is what is checked
      text: document.body.innerText,
    };
  });
}

/** The summary cases, and one with names as long as a registry allows. */
const RUNS: Record<string, () => SyncResult> = {
  ...CASES,
  'long-names': () => {
    const run = CASES['small-mixed']!();
    const long = `team-${'a'.repeat(60)}/${'nested-path-component/'.repeat(8)}image-${'b'.repeat(40)}`;
    run.items = run.items.map((item, i) => ({
      ...item,
      source: `${long}${i}:${'v'.repeat(100)}`,
      target: `p/${long}${i}:t`,
    }));
    return run;
  },
};

describe('the HTML page, as Jenkins serves it (its Content-Security-Policy applied)', () => {
  it.each(Object.keys(RUNS))(
    '%s: verdict first and on the first screen, every word of the job summary, fits 1280 and 1024 px',
    async (name) => {
      const result = RUNS[name]!();
      const html = renderHtmlPage(result, OPTIONS);
      const seen = await open(html, WINDOW.width, name === 'small-mixed' ? SCREENSHOT : undefined);
      expect(seen.styled, 'the <style> applied: the policy was not in force').toBe(false);
      expect(refusals.join('\n'), 'Chromium refused the inline style').toMatch(/style/i);
      // The browser's own favicon request is not the page's.
      expect(
        requests.filter((url) => url !== '/favicon.ico'),
        'nothing fetched but the page',
      ).toEqual(['/harbor-sync-report.html']);
      expect(seen.verdictFirst, 'the verdict is the first thing under the heading').toBe(true);
      expect(seen.verdictBottom, 'the verdict ends on the first screen').toBeLessThanOrEqual(WINDOW.height);
      expect(lostWords(renderSummary(result, OPTIONS), seen.text), 'words of the job summary missing').toEqual([]);
      expect(seen.overflowing, 'wider than the window at 1280 px').toEqual([]);
      expect(seen.pageWidth).toBeLessThanOrEqual(WINDOW.width);
      const narrow = await open(html, 1024);
      expect(narrow.overflowing, 'wider than the window at 1024 px').toEqual([]);
      expect(narrow.pageWidth).toBeLessThanOrEqual(1024);
    },
  );

  it('without the policy (a browser opening the file), the same page gets its styles', async () => {
    served = renderHtmlPage(CASES['small-mixed']!(), OPTIONS);
    await page.goto(`${base}/no-policy.html`, { waitUntil: 'load' });
    const family = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    expect(family).toMatch(/system-ui/);
  });
});
