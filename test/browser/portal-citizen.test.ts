/**
 * Citizens and businesses in the portal, in a real browser against the real platform: an agency system reads a
 * citizen's data with a declared purpose; that citizen signs in through the VDXP simulator (the portal's VNeID button,
 * brokered by the development issuer) and sees which agency read what and why, and their own record; a crafted link
 * naming someone else's personal ID gets the Vietnamese refusal; a business representative sees their enterprise.
 * axe-core on each screen; screenshots into .tmp/screenshots/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser } from '../testing/browser.ts';
import { checkAccessibility, openPortal, screenshot, signedIn, startPortalPlatform, type PortalPlatform } from '../testing/portal.ts';

/** The VDXP simulator's development password of every citizen (simulator/src/config.ts). */
const VNEID_PASSWORD = 'VNeID-Dev#2025';
const PURPOSE = 'residence-management:HS-2026-004711';

let platform: PortalPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

/** Waits for the locator; a timeout fails with what the page shows (main area), to tell why. */
async function shown(page: Page, locator: Locator, timeout = 45_000): Promise<void> {
  await locator.waitFor({ timeout }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nthe page shows at ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 1500)}`);
  });
}

/** axe-core once the page has settled: no button still loading, no spinner, transitions over. */
async function axe(page: Page): Promise<void> {
  await page.locator('.ant-btn-loading, .ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 20_000 });
  await page.waitForTimeout(400);
  await checkAccessibility(page);
}

before(async () => {
  platform = await startPortalPlatform({ env: { REGISTRY_SEED: 'development' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

/** From the portal's sign-in page through the VNeID button and the VDXP simulator's login form. */
async function signInWithVneid(page: Page, personalId: string): Promise<void> {
  await page.getByRole('button', { name: /Đăng nhập bằng định danh điện tử \(VNeID\)/ }).click();
  const idField = page.getByLabel(/Số định danh cá nhân/);
  await idField.waitFor({ timeout: 20_000 });
  await idField.fill(personalId);
  await page.getByLabel(/Mật khẩu/).fill(VNEID_PASSWORD);
  await page.getByRole('button', { name: /^Đăng nhập/ }).click();
  await signedIn(page);
}

async function go(page: Page, linkName: RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: linkName }).click();
  await page.getByRole('heading', { level: 1, name: linkName }).waitFor();
}

test('a citizen signs in through VDXP and sees who read their data, why, and their own record', { timeout: 300_000 }, async () => {
  const { citizens } = await platform.simulator.samples(5);
  const [personalId, someoneElse] = citizens as [string, string];
  // Công an tỉnh's population system reads the citizen, declaring a residence-management case.
  const read = await platform.query(
    'query($id: String!) { citizen(personalId: $id) { fullName dateOfBirth permanentAddress { fullText } } }',
    { id: personalId },
    { purpose: PURPOSE },
  );
  assert.equal(read.body.errors, undefined, JSON.stringify(read.body.errors));
  const fullName = (read.body.data as { citizen: { fullName: string } }).citizen.fullName;
  const police = await platform.query('{ agency(code: "000.00.02.H41") { name } }');
  const policeName = (police.body.data as { agency: { name: string } }).agency.name;

  const page = await openPortal(browser.browser, platform);
  await signInWithVneid(page, personalId);
  await axe(page);
  await screenshot(page, 'citizen-home');

  await go(page, /^Ai đã xem dữ liệu của tôi$/);
  const history = page.getByTestId('my-data-accesses');
  const entry = history.getByRole('listitem').filter({ hasText: 'HS-2026-004711' });
  await shown(page, entry.first());
  const text = await entry.first().innerText();
  assert.match(text, new RegExp(`${policeName} đã xem`), text);
  assert.match(text, /ngày sinh/, text);
  assert.match(text, /nơi thường trú/, text);
  assert.match(text, /Mục đích: Quản lý cư trú \(hồ sơ HS-2026-004711\)/, text);
  assert.match(text, /congan-h41-dancu|000\.00\.02\.H41/, text);
  await axe(page);
  await screenshot(page, 'citizen-data-accesses');

  await go(page, /^Thông tin của tôi$/);
  const record = page.getByTestId('my-record');
  await shown(page, record);
  assert.match(await record.innerText(), new RegExp(personalId));
  assert.match(await record.innerText(), new RegExp(fullName));
  await axe(page);
  await screenshot(page, 'citizen-record');

  // Nobody else's record is offered; a crafted link naming another personal ID is refused by the gateway.
  await page.goto(new URL(`me/record?personalId=${someoneElse}`, platform.portalUrl).href);
  const refusal = page.getByRole('alert').filter({ hasText: 'Bạn chỉ được xem thông tin của chính mình' });
  await shown(page, refusal);
  assert.match(await refusal.innerText(), /FORBIDDEN|UNAUTHORIZED_FIELD_OR_TYPE/);
  await screenshot(page, 'citizen-crafted-attempt');
  await page.context().close();
});

test('a business representative signs in through VDXP and sees their enterprise and who read it', { timeout: 300_000 }, async () => {
  const { enterprises } = await platform.simulator.samples(5);
  const code = enterprises[0]!;
  // Sở Tài chính's business-registration system reads the enterprise with its representative.
  const read = await platform.query(
    'query($code: String!) { enterprise(code: $code) { name legalRepresentative { fullName personalId } } }',
    { code },
    { as: 'sotaichinh-h41-dkkd', purpose: 'business-registration:DKKD-2026-0042' },
  );
  assert.equal(read.body.errors, undefined, JSON.stringify(read.body.errors));
  const enterprise = (read.body.data as { enterprise: { name: string; legalRepresentative: { personalId: string } } }).enterprise;

  const page = await openPortal(browser.browser, platform);
  await signInWithVneid(page, enterprise.legalRepresentative.personalId);
  await go(page, /^Thông tin của tôi$/);
  const card = page.getByTestId('my-enterprise');
  await shown(page, card);
  assert.match(await card.innerText(), new RegExp(code));
  assert.match(await card.innerText(), new RegExp(enterprise.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await axe(page);
  await screenshot(page, 'business-record');

  await go(page, /^Ai đã xem dữ liệu của tôi$/);
  const entry = page.getByTestId('my-data-accesses').getByRole('listitem').filter({ hasText: 'DKKD-2026-0042' });
  await shown(page, entry.first());
  assert.match(await entry.first().innerText(), /Mục đích: Đăng ký kinh doanh \(hồ sơ DKKD-2026-0042\)/);
  await axe(page);
  await screenshot(page, 'business-data-accesses');
  await page.context().close();
});
