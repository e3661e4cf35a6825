/**
 * The portal's shell in a real browser (Debian Chromium) against the real platform, served by the gateway under its
 * Content-Security-Policy: a civil servant signs in through the development issuer's login page and sees a home page
 * of their own; the language switch is kept across a reload; a maintenance window announced for tomorrow shows in
 * the banner; an operator's page opened by a civil servant is refused and the gateway's audit records the attempt; an
 * expired or edited session shows no data, says "Phiên đăng nhập đã hết hạn" and, after signing in again, comes back
 * to the same page; signing out ends the session at the identity provider too; the layout on a phone's screen.
 * axe-core runs on each page (and fails on any CSP violation or page error), and each is photographed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { launchBrowser } from '../testing/browser.ts';
import { checkAccessibility, firstOf, openPortal, screenshot, signIn, signedIn, startPortalPlatform, type PortalPlatform } from '../testing/portal.ts';

let platform: PortalPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let operatorToken: string;

/** A GraphQL call as a signed-in person (a token of the portal's client), failing on errors. */
async function gql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await fetch(platform.platform.urls.gateway, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data!;
}

/** The key oidc-client-ts keeps the signed-in user under in sessionStorage. */
async function storedUserKey(page: Page): Promise<string> {
  const key = await page.evaluate(() => Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')));
  assert.ok(key, 'the portal keeps the session in sessionStorage');
  return key;
}

before(async () => {
  platform = await startPortalPlatform({ env: { MAINTENANCE_POLL_MS: '1000' } });
  browser = await launchBrowser();
  operatorToken = (await developmentPortalLogin(platform.platform.urls.issuer, 'lan.nguyen', 'Dev-VanPhong#2025', `${platform.origin}/portal/callback`))
    .accessToken;
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

describe('the portal shell', () => {
  let page: Page;
  after(async () => page?.context().close());

  test('the gateway leads to the portal, which asks to sign in (Vietnamese first) under its CSP', async () => {
    const root = await fetch(`${platform.origin}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/portal/');
    page = await openPortal(browser.browser, platform);
    const response = await page.reload();
    assert.match(response!.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    await page.getByRole('button', { name: /Đăng nhập \(cán bộ, công chức\)/ }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'vi');
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
    await checkAccessibility(page);
    await screenshot(page, 'shell-sign-in');
  });

  test('a civil servant signs in through the identity provider and sees a home page of their own', async () => {
    await signIn(page, 'hoa.vo');
    assert.equal(new URL(page.url()).pathname.replace(/\/$/, ''), '/portal');
    const h1 = page.getByRole('heading', { level: 1 });
    assert.equal(await h1.count(), 1);
    assert.match(await h1.innerText(), /^Xin chào, /);
    assert.match(await page.getByTestId('signed-in-user').innerText(), /000\.00\.20\.H41/);
    assert.match(await page.locator('main').innerText(), /Cán bộ, công chức/, 'the roles, in Vietnamese');
    assert.equal(await page.getByRole('banner').count(), 1);
    assert.equal(await page.getByRole('main').count(), 1);
    assert.equal(await page.getByRole('navigation').count(), 1);
    await checkAccessibility(page);
    await screenshot(page, 'shell-home-civil-servant');
  });

  test('the language switch: English, kept across a reload, and back to Vietnamese', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: /^Hello, / }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.reload();
    await signedIn(page, 'hoa.vo');
    await page.getByRole('heading', { level: 1, name: /^Hello, / }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await checkAccessibility(page);
    await screenshot(page, 'shell-home-english');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.getByRole('heading', { level: 1, name: /^Xin chào, / }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'vi');
  });

  test('a maintenance window announced for tomorrow shows in the banner to everyone signed in', async () => {
    const startsAt = new Date(Date.now() + 26 * 3_600_000);
    const endsAt = new Date(startsAt.getTime() + 2 * 3_600_000);
    const announced = await gql(operatorToken, 'mutation($input: AnnounceMaintenanceInput!) { announceMaintenance(input: $input) { id } }', {
      input: { startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), summary: 'Nâng cấp cơ sở dữ liệu', reason: 'Nâng cấp định kỳ' },
    });
    try {
      await page.reload();
      await signedIn(page, 'hoa.vo');
      const notice = page.getByTestId('notice-maintenance');
      await notice.waitFor({ timeout: 15_000 });
      const text = await notice.innerText();
      assert.match(text, /Bảo trì theo kế hoạch: Nâng cấp cơ sở dữ liệu/);
      const day = startsAt.toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
      assert.ok(text.includes(day), `the window's day ${day} in ${JSON.stringify(text)}`);
      assert.match(text, /Toàn bộ nền tảng tạm ngừng phục vụ/);
      await checkAccessibility(page);
      await screenshot(page, 'shell-notices');
    } finally {
      await gql(operatorToken, 'mutation($id: ID!) { cancelMaintenance(id: $id, reason: "Hết thử nghiệm") { id } }', { id: announced.announceMaintenance.id });
    }
  });

  test("an operator's page opened by a civil servant: access denied, and the gateway's audit records the refusal", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    await page.goto(`${platform.portalUrl}operator/audit`);
    await signedIn(page, 'hoa.vo');
    await page.getByRole('heading', { level: 1, name: 'Bạn không có quyền mở trang này' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /Tra cứu nhật ký|auditRecords/);
    await checkAccessibility(page);
    await screenshot(page, 'shell-access-denied');
    // The probe the shell sent was refused by the gateway, and the audit says who tried.
    const deadline = Date.now() + 15_000;
    let records: Array<{ user: string | null; outcome: string; errorCodes: string[] }> = [];
    while (Date.now() < deadline) {
      records = (
        await gql(
          operatorToken,
          'query($from: DateTime!, $to: DateTime!) { auditRecords(filter: { from: $from, to: $to, kind: GRAPHQL, agency: "000.00.20.H41" }) { nodes { user outcome errorCodes } } }',
          { from, to: new Date(Date.now() + 60_000).toISOString() },
        )
      ).auditRecords.nodes;
      if (records.some((r) => r.user === 'hoa.vo' && r.errorCodes.includes('FORBIDDEN'))) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const refused = records.find((r) => r.user === 'hoa.vo' && r.errorCodes.includes('FORBIDDEN'));
    assert.ok(refused, `a FORBIDDEN record for hoa.vo in ${JSON.stringify(records)}`);
    assert.notEqual(refused.outcome, 'SUCCESS');
  });

  test('an expired session shows no data, says so in Vietnamese, and signing in again comes back to the same page', async () => {
    const path = '/portal/no-such-page?tab=2';
    await page.goto(`${platform.origin}${path}`);
    await signedIn(page, 'hoa.vo');
    const key = await storedUserKey(page);
    await page.evaluate((k) => {
      const user = JSON.parse(sessionStorage.getItem(k)!) as { expires_at: number };
      user.expires_at = Math.floor(Date.now() / 1000) - 5;
      sessionStorage.setItem(k, JSON.stringify(user));
    }, key);
    await page.reload();
    const notice = page.getByTestId('sign-in-notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Phiên đăng nhập đã hết hạn/);
    assert.equal(await page.getByTestId('signed-in-user').count(), 0, 'nothing of the signed-in portal');
    await checkAccessibility(page);
    await screenshot(page, 'shell-session-expired');
    await signIn(page, 'hoa.vo');
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, path, 'back to the page the person was on');
    assert.equal(await page.getByTestId('sign-in-notice').count(), 0);
  });

  test('an edited access token in sessionStorage is refused by the gateway: no data, the sign-in page', async () => {
    await page.goto(platform.portalUrl);
    await signedIn(page, 'hoa.vo');
    const key = await storedUserKey(page);
    await page.evaluate((k) => {
      const user = JSON.parse(sessionStorage.getItem(k)!) as { access_token: string };
      const [header, payload] = user.access_token.split('.');
      const claims = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/'))) as { realm_access?: { roles: string[] } };
      claims.realm_access = { roles: ['lgsp-operator'] }; // the roles a curious person would want
      const edited = btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      user.access_token = `${header}.${edited}.${user.access_token.split('.')[2]}`;
      sessionStorage.setItem(k, JSON.stringify(user));
    }, key);
    await page.goto(`${platform.portalUrl}operator/audit`);
    await page.getByTestId('sign-in-notice').waitFor();
    assert.equal(await page.getByTestId('signed-in-user').count(), 0);
    assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), key), null, 'the edited session is forgotten');
    await signIn(page, 'hoa.vo');
    assert.equal(new URL(page.url()).pathname, '/portal/operator/audit');
  });

  test('signing out ends the session at the identity provider and comes back to the portal', async () => {
    await page.goto(platform.portalUrl);
    await signedIn(page, 'hoa.vo');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    // An identity provider may ask to confirm (the development issuer does without a usable ID token hint).
    const confirm = page.getByRole('button', { name: /^Đăng xuất/ });
    const portalSignIn = page.getByRole('button', { name: /Đăng nhập \(cán bộ, công chức\)/ });
    await firstOf(
      portalSignIn.waitFor({ timeout: 15_000 }),
      page.waitForURL((url) => url.origin !== platform.origin, { timeout: 15_000 }),
    );
    if (new URL(page.url()).origin !== platform.origin) await confirm.click();
    await page.waitForURL((url) => url.origin === platform.origin && url.pathname.startsWith('/portal'), { timeout: 15_000 });
    await page.getByRole('button', { name: /Đăng nhập \(cán bộ, công chức\)/ }).waitFor();
    assert.equal(await page.getByTestId('sign-in-notice').count(), 0, 'signing out is not an expiry');
    assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:')).length), 0);
    // The identity provider's session is over too: signing in asks for the password again.
    await page.getByRole('button', { name: /Đăng nhập \(cán bộ, công chức\)/ }).click();
    await page.getByLabel(/Tên đăng nhập/).waitFor({ timeout: 15_000 });
    await screenshot(page, 'shell-signed-out-login');
  });
});

test("on a phone's screen: the menu behind a button, nothing wider than the screen", async () => {
  const page = await openPortal(browser.browser, platform);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'lan.nguyen');
  const menu = page.getByRole('button', { name: 'Danh mục chức năng' });
  await menu.waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling');
  const title = (await page.getByRole('banner').getByRole('link').first().boundingBox())!;
  const user = (await page.getByTestId('signed-in-user').boundingBox())!;
  assert.ok(title.x + title.width <= user.x, `the portal's name (${JSON.stringify(title)}) and the person (${JSON.stringify(user)}) do not overlap`);
  await checkAccessibility(page);
  await screenshot(page, 'shell-phone-home');
  await menu.click();
  await page.getByRole('dialog').waitFor();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await checkAccessibility(page);
  await screenshot(page, 'shell-phone-menu');
  await page.context().close();
});
