/**
 * A civil servant signs in through the development issuer's login page in a real browser (authorization code +
 * PKCE, as the portal will), and the token carries their agency. Wrong passwords are explained on the page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { freePort } from '../../scripts/platform.ts';
import { startDevIssuer } from '../../keycloak/src/service.ts';
import { launchBrowser } from '../testing/browser.ts';

let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const portal = 'http://localhost:4000/portal/callback'; // a redirect URI the realm allows for lgsp-portal

before(async () => {
  const port = await freePort();
  issuer = await startDevIssuer({ DEV_ISSUER_PORT: port, HOST: '127.0.0.1', DEV_ISSUER_URL: `http://localhost:${port}/realms/lgsp`, LOG_LEVEL: 'silent' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await issuer?.close();
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

test('a civil servant signs in with the login page and gets a token for their agency', async () => {
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: portal,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const page = await browser.browser.newPage();
  // The portal is not running in this test: answer its callback in the browser and keep the URL.
  let callback: URL | undefined;
  await page.route('http://localhost:4000/**', async (route) => {
    callback = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>portal</title>signed in' });
  });
  await page.goto(authorize.href);
  assert.match(await page.title(), /Đăng nhập|Sign in/i);

  // A wrong password: the page says so, next to the fields it concerns.
  await page.getByLabel(/Tên đăng nhập/).fill('hoa.vo');
  await page.getByLabel(/Mật khẩu/).fill('Not-The-Password#1');
  await page.getByRole('button', { name: /Đăng nhập/ }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.ok((await alert.textContent())!.length > 5);
  assert.equal(await page.getByLabel(/Mật khẩu/).getAttribute('aria-invalid'), 'true');

  await page.getByLabel(/Tên đăng nhập/).fill('hoa.vo');
  await page.getByLabel(/Mật khẩu/).fill('Dev-TruongVinh#2025');
  await page.getByRole('button', { name: /Đăng nhập/ }).click();
  await page.waitForURL((url) => url.href.startsWith(portal), { timeout: 15_000 });
  assert.ok(callback !== undefined);
  assert.equal(callback.searchParams.get('state'), state);
  const code = callback.searchParams.get('code');
  assert.ok(code);

  const tokenResponse = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'lgsp-portal', code, redirect_uri: portal, code_verifier: verifier }),
  });
  assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const { payload } = await jwtVerify(access_token, createRemoteJWKSet(new URL(`${issuer.issuer}/protocol/openid-connect/certs`)), {
    issuer: issuer.issuer,
    audience: 'lgsp-gateway',
  });
  assert.equal(payload.typ, 'Bearer');
  assert.equal(payload.agency_code, '000.00.20.H41');
  assert.equal(payload.preferred_username, 'hoa.vo');
  await page.close();
});

test('a sign-in that cannot go on is explained on a page in Vietnamese first, like the login page, with the error code', async () => {
  const page = await browser.browser.newPage();
  const authorize = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: 'http://elsewhere.example/callback',
    state: 'x',
    ...(({ challenge }) => ({ code_challenge: challenge, code_challenge_method: 'S256' }))(pkce()),
  }).toString();
  const response = await page.goto(authorize.href);
  assert.equal(response?.status(), 400);
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');
  assert.match(await page.title(), /^Lỗi đăng nhập/);
  assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /^Lỗi đăng nhập/);
  const alert = (await page.getByRole('alert').innerText()).split('\n').filter(Boolean);
  assert.match(alert[0]!, /^Địa chỉ quay lại của ứng dụng không nằm trong các địa chỉ đã đăng ký.*Hãy quay lại ứng dụng và thử lại/);
  assert.equal(await page.locator('[role=alert] p[lang=en]').count(), 1, 'English second, marked as such for screen readers');
  assert.match(await page.locator('code').innerText(), /^invalid_redirect_uri/);

  // An unknown client: the same page, its own explanation.
  authorize.searchParams.set('client_id', 'no-such-client');
  await page.goto(authorize.href);
  assert.match(await page.getByRole('alert').innerText(), /^Ứng dụng này chưa được đăng ký với máy chủ xác thực\./);
  assert.match(await page.locator('code').innerText(), /^invalid_client/);
  await page.close();
});
