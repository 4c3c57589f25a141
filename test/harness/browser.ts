// Headless Chromium, for the tests that look at a page as a reader does. The browser comes from
// HARBOR_SYNC_CHROMIUM (default /usr/bin/chromium, Debian's package, which .ci/run installs; on
// GitHub's runners the preinstalled Chrome); each launch has a profile of its own, removed on close.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

const CHROMIUM = process.env.HARBOR_SYNC_CHROMIUM || '/usr/bin/chromium';

export interface HeadlessBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<HeadlessBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no browser at ${CHROMIUM}: install Debian's chromium (.ci/run does), or set HARBOR_SYNC_CHROMIUM to a Chrome or Chromium`,
    );
  const profile = await mkdtemp(join(tmpdir(), 'hs-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox', // as root (CI containers)
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
