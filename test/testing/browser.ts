/**
 * A real browser for tests of the web pages: Debian's Chromium driven by playwright-core. When Chromium is not
 * installed the test fails with what to install; it is never skipped.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => p !== undefined);

export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const executablePath = candidates.find((p) => existsSync(p));
  if (executablePath === undefined) {
    throw new Error('Chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM_PATH)');
  }
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // The machine has no network but loopback: keep Chromium from trying to reach Google's services.
    // playwright gives each launch a new, empty profile of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
