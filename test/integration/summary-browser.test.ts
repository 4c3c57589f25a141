// The job summary as a reader meets it on GitHub: rendered like GitHub renders a step summary
// (test/harness/github-markdown.ts) and opened in headless Chromium at the Actions page's width.
// What a reader must get: the verdict on the first screen, every word of the Markdown (nothing
// eaten as HTML), tables that fit the column with names on one line, a page a few screens long
// with folds closed, and under GitHub's 1 MiB. First-screen screenshots go to .tmp/summary-screenshots/ (CI keeps them).
//
// The browser comes from HARBOR_SYNC_CHROMIUM (default /usr/bin/chromium, Debian's package, which
// .ci/run installs; on GitHub's runners the preinstalled Chrome). The README's picture,
// docs/images/summary.png, is the small mixed run's screenshot (`npm run summary-image`).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfigError, renderSummary } from '../../src/report/summary.ts';
import { launchBrowser, type HeadlessBrowser } from '../harness/browser.ts';
import { COLUMN_WIDTH, lostWords, summaryPage } from '../harness/github-markdown.ts';
import { CASES } from '../harness/summary-cases.ts';

const SHOTS = '.tmp/summary-screenshots';
const REPORT_FILE = '/home/runner/work/_temp/harbor-sync-report.json';
/** GitHub refuses a step summary over 1 MiB. */
const GITHUB_LIMIT = 1024 * 1024;
/** The part of the summary a reader sees before scrolling. */
const FIRST_SCREEN = 700;
/** "A few screens", with every fold closed. */
const MAX_PAGE_HEIGHT = 4 * 800;
const PAGE_WIDTH = COLUMN_WIDTH + 48;

let chromium: HeadlessBrowser;
let page: Page;

beforeAll(async () => {
  chromium = await launchBrowser();
  page = await chromium.browser.newPage();
  await page.setViewport({ width: PAGE_WIDTH, height: FIRST_SCREEN, deviceScaleFactor: 1 });
  await mkdir(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await chromium?.close();
});

interface Seen {
  /** Height of the summary with every fold closed. */
  height: number;
  /** Where the verdict (the first alert) ends, from the top of the summary. */
  verdictBottom: number;
  /** Whether the first thing after the heading is the verdict. */
  verdictFirst: boolean;
  verdictText: string;
  /** Tables and code blocks wider than the column (scrolling sideways), with every fold open. */
  overflowing: string[];
  /** Names (a table's first column) that wrap onto a second line, with every fold open. */
  wrappedNames: string[];
  /** The summary's text with every fold open. */
  text: string;
}

async function open(md: string, screenshot: string): Promise<Seen> {
  await page.setContent(summaryPage(md), { waitUntil: 'load' });
  await page.screenshot({ path: screenshot, clip: { x: 0, y: 0, width: PAGE_WIDTH, height: FIRST_SCREEN } });
  return await page.evaluate(() => {
    const body = document.getElementById('summary')!;
    const top = body.getBoundingClientRect().top;
    const verdict = body.querySelector('.markdown-alert');
    const closed = {
      height: body.getBoundingClientRect().height,
      verdictBottom: verdict ? verdict.getBoundingClientRect().bottom - top : Number.POSITIVE_INFINITY,
      verdictFirst: body.querySelector('h2')?.nextElementSibling === verdict,
      verdictText: verdict?.textContent ?? '',
    };
    for (const fold of body.querySelectorAll('details')) fold.open = true;
    const overflowing = [...body.querySelectorAll<HTMLElement>('table, pre')]
      .filter(
        (el) =>
          el.scrollWidth > el.clientWidth + 1 ||
          el.getBoundingClientRect().right > body.getBoundingClientRect().right + 1,
      )
      .map(
        (el) => `${el.tagName} ${el.scrollWidth}px wide in ${el.clientWidth}px: ${(el.textContent ?? '').slice(0, 80)}`,
      );
    // A tag or repository name broken over two lines (at a hyphen) is hard to read and to copy.
    const wrappedNames = [...body.querySelectorAll('tbody tr > td:first-child')]
      .filter((td) => {
        // The name is the cell's first text; a Harbor name or a note may follow on lines of their own.
        const range = document.createRange();
        range.selectNodeContents(td.firstChild ?? td);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
      })
      .map((td) => td.firstChild?.textContent ?? '');
    // The text as laid out (what a reader sees), not the DOM's: the point of this test.
    // biome-ignore lint/performance/useDomNodeTextContent: rendered text is what is checked
    return { ...closed, overflowing, wrappedNames, text: body.innerText };
  });
}

/** What each kind of run's verdict must say. */
const VERDICTS: Record<string, RegExp> = {
  'small-mixed': /3 tags failed.*2 more need action: 1 stale, 1 incomplete.*The step failed/s,
  'five-thousand-failures': /5,000 tags failed \(3 causes below/,
  fatal: /stopped before any tag was copied: Harbor rejected the credentials.*unauthorized to access <repository>/s,
  interrupted: /Interrupted\. 120 tags and 1 whole repository were not started/,
  'dry-run': /30 tags would migrate.*nothing was written/s,
  'retained-and-notes': /60 tags and 1 repository only Harbor has now/,
  'config-error': /Configuration error: nothing was done\. images line 1/,
};

describe('the job summary in a browser, as GitHub shows it', () => {
  const cases = Object.entries(CASES).map(([name, make]) => ({
    name,
    md: renderSummary(make(), { reportFile: REPORT_FILE, failOn: 'failed' }),
  }));
  cases.push({
    name: 'config-error',
    md: renderConfigError('images line 1: "Team/App:1": repository "Team/App" must be lowercase'),
  });

  it.each(cases)(
    '$name: the verdict first, every word shown, tables that fit, a few screens, under 1 MiB',
    async ({ name, md }) => {
      expect(Buffer.byteLength(md)).toBeLessThan(GITHUB_LIMIT);
      const seen = await open(md, join(SHOTS, `${name}.png`));
      expect(seen.verdictFirst, 'the verdict is the first thing under the heading').toBe(true);
      expect(seen.verdictText).toMatch(VERDICTS[name]!);
      expect(seen.verdictBottom, 'the verdict ends on the first screen').toBeLessThanOrEqual(FIRST_SCREEN);
      expect(lostWords(md, seen.text), 'words of the Markdown missing from the page').toEqual([]);
      expect(seen.overflowing, 'tables and code blocks wider than the column').toEqual([]);
      expect(seen.wrappedNames, 'names broken over two lines').toEqual([]);
      expect(seen.height, 'page height with every fold closed').toBeLessThanOrEqual(MAX_PAGE_HEIGHT);
    },
  );
});
