/**
 * A citizen signs in to the portal's client through the development issuer, brokered to the VDXP simulator (the
 * national e-ID), in a real browser: the login page's VNeID button or kc_idp_hint=vdxp, VDXP's Vietnamese sign-in
 * page (wrong password, unknown and malformed personal IDs explained), back with a code the portal exchanges from its
 * own origin (CORS), the tokens carrying personal_id, acr, enterprise_code and the citizen role; then signs out.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Page } from 'playwright-core';
import { freePort } from '../../scripts/platform.ts';
import { startDevIssuer } from '../../keycloak/src/service.ts';
import { startSimulator } from '../../simulator/src/service.ts';
import { WELL_KNOWN } from '../../simulator/src/well-known.ts';
import { DEV_VDXP_CITIZEN_PASSWORD } from '../../simulator/src/config.ts';
import { launchBrowser } from '../testing/browser.ts';

let simulator: Awaited<ReturnType<typeof startSimulator>>;
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const portalOrigin = 'http://localhost:4000';
const portal = `${portalOrigin}/portal/callback`;

before(async () => {
  const issuerPort = await freePort();
  simulator = await startSimulator({
    PORT: 0,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    VDXP_REDIRECT_URIS: [`http://localhost:${issuerPort}/realms/lgsp/broker/vdxp/endpoint`],
  });
  issuer = await startDevIssuer({
    DEV_ISSUER_PORT: issuerPort,
    HOST: '127.0.0.1',
    DEV_ISSUER_URL: `http://localhost:${issuerPort}/realms/lgsp`,
    VDXP_ISSUER_URL: simulator.vdxp.issuer,
    LOG_LEVEL: 'silent',
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await issuer?.close();
  await simulator?.close();
});

function authorizeUrl(extra: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const nonce = randomBytes(8).toString('hex');
  const url = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
  url.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: portal,
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url, verifier, state, nonce };
}

/** A page whose requests to the portal's origin are answered in the browser; `callback()` is the last one. */
async function portalPage(): Promise<{ page: Page; callback(): URL | undefined }> {
  const page = await browser.browser.newPage();
  let last: URL | undefined;
  await page.route(`${portalOrigin}/**`, async (route) => {
    last = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>portal</title>signed in' });
  });
  return { page, callback: () => last };
}

async function signInAtVdxp(page: Page, personalId: string, password: string): Promise<void> {
  await page.getByLabel(/Số định danh cá nhân/).fill(personalId);
  await page.getByLabel(/Mật khẩu/).fill(password);
  await page.getByRole('button', { name: /Đăng nhập/ }).click();
}

/** The portal's code exchange, from its origin as oidc-client-ts does it in the browser. */
async function exchange(code: string, verifier: string) {
  const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: portalOrigin },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'lgsp-portal', code, redirect_uri: portal, code_verifier: verifier }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('access-control-allow-origin'), portalOrigin, 'the token endpoint answers CORS for the portal');
  const tokens = (await response.json()) as { access_token: string; id_token: string; refresh_token: string };
  const jwks = createRemoteJWKSet(new URL(`${issuer.issuer}/protocol/openid-connect/certs`));
  const access = (await jwtVerify(tokens.access_token, jwks, { issuer: issuer.issuer, audience: 'lgsp-gateway' })).payload;
  const id = (await jwtVerify(tokens.id_token, jwks, { issuer: issuer.issuer, audience: 'lgsp-portal' })).payload;
  return { tokens, access, id };
}

test('a citizen signs in through the login page’s VNeID button; wrong password, unknown and malformed IDs are explained', async () => {
  const citizen = WELL_KNOWN.citizens.householdHead;
  const { url, verifier, state, nonce } = authorizeUrl();
  const { page, callback } = await portalPage();
  await page.goto(url.href);
  assert.match(await page.title(), /Đăng nhập/);
  await page.getByRole('link', { name: 'Đăng nhập bằng tài khoản định danh điện tử (VNeID/VDXP)' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${simulator.vdxp.issuer}/authorize`));
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');
  assert.match(await page.title(), /VNeID/);

  // A wrong password: said on the page, next to the field.
  await signInAtVdxp(page, citizen, 'Not-The-Password#1');
  const alert = page.getByRole('alert');
  assert.match(await alert.innerText(), /^Mật khẩu không đúng/);
  assert.equal(await page.getByLabel(/Mật khẩu/).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel(/Số định danh cá nhân/).inputValue(), citizen, 'the ID typed is kept');

  // A well-formed personal ID the national population database does not know: refused.
  await signInAtVdxp(page, WELL_KNOWN.citizens.notFound, DEV_VDXP_CITIZEN_PASSWORD);
  assert.match(await page.getByRole('alert').innerText(), /không có trong Cơ sở dữ liệu quốc gia về dân cư/);
  assert.equal(await page.getByLabel(/Số định danh cá nhân/).getAttribute('aria-invalid'), 'true');

  // Not a personal ID at all.
  await signInAtVdxp(page, '04007498', DEV_VDXP_CITIZEN_PASSWORD);
  assert.match(await page.getByRole('alert').innerText(), /phải gồm đúng 12 chữ số \(đã nhập 8 ký tự\)/);

  await signInAtVdxp(page, citizen, DEV_VDXP_CITIZEN_PASSWORD);
  await page.waitForURL((u) => u.href.startsWith(portal), { timeout: 15_000 });
  const back = callback();
  assert.ok(back);
  assert.equal(back.searchParams.get('state'), state);
  const code = back.searchParams.get('code');
  assert.ok(code, `a code, got ${back.href}`);

  const { tokens, access, id } = await exchange(code, verifier);
  assert.equal(access.personal_id, citizen);
  assert.equal(access.acr, '2');
  assert.equal(access.enterprise_code, undefined, 'not a business representative');
  assert.equal(access.agency_code, undefined);
  const roles = (access.realm_access as { roles: string[] }).roles;
  assert.ok(roles.includes('citizen'), `roles ${roles.join(', ')}`);
  for (const role of ['civil-servant', 'agency-admin', 'agency-developer', 'lgsp-operator']) assert.ok(!roles.includes(role), role);
  assert.equal(id.personal_id, citizen);
  assert.equal(id.acr, '2');
  assert.equal(id.nonce, nonce);
  const citizenRecord = simulator.dataset.citizens.get(citizen)!;
  assert.equal(id.family_name, citizenRecord.HoVaTen.Ho);
  assert.match(String(access.preferred_username), /^vdxp\./, 'the username template ${ALIAS}.${CLAIM.sub}');
  assert.ok(!String(access.preferred_username).includes(citizen), 'the username is not the personal ID');

  // userinfo from the portal's origin.
  const info = await fetch(`${issuer.issuer}/protocol/openid-connect/userinfo`, {
    headers: { authorization: `Bearer ${tokens.access_token}`, origin: portalOrigin },
  });
  assert.equal(info.status, 200);
  assert.equal(info.headers.get('access-control-allow-origin'), portalOrigin);
  assert.equal(((await info.json()) as { personal_id?: string }).personal_id, citizen);
  const preflight = await fetch(`${issuer.issuer}/protocol/openid-connect/userinfo`, {
    method: 'OPTIONS',
    headers: { origin: portalOrigin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(preflight.headers.get('access-control-allow-origin'), portalOrigin);
  const foreign = await fetch(`${issuer.issuer}/protocol/openid-connect/userinfo`, {
    headers: { authorization: `Bearer ${tokens.access_token}`, origin: 'http://evil.example' },
  });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'no CORS for an origin the realm does not know');
  for (const endpoint of ['token', 'logout']) {
    const answer = await fetch(`${issuer.issuer}/protocol/openid-connect/${endpoint}`, {
      method: 'OPTIONS',
      headers: { origin: portalOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(answer.headers.get('access-control-allow-origin'), portalOrigin, `${endpoint} preflight`);
  }
  const certs = await fetch(`${issuer.issuer}/protocol/openid-connect/certs`, { headers: { origin: portalOrigin } });
  assert.ok([portalOrigin, '*'].includes(certs.headers.get('access-control-allow-origin') ?? ''), 'JWKS readable from the portal');

  // Keycloak's events: REGISTER (first broker login) then LOGIN, both naming the identity provider.
  const user = issuer.realm.users.find(
    (u) => u.federatedIdentities?.some((f) => f.identityProvider === 'vdxp' && f.userId === access.sub) || u.id === access.sub,
  )!;
  assert.ok(user, 'the brokered user exists');
  assert.deepEqual(user.federatedIdentities?.[0]?.identityProvider, 'vdxp');
  const logins = issuer.events.queryLogin(new URLSearchParams({ type: 'LOGIN', user: user.id }));
  assert.equal(logins.length, 1);
  assert.equal(logins[0]!.details.identity_provider, 'vdxp');
  assert.equal(logins[0]!.clientId, 'lgsp-portal');
  assert.equal(issuer.events.queryLogin(new URLSearchParams({ type: 'REGISTER', user: user.id })).length, 1);

  // Signing out from the portal: end_session with id_token_hint returns to the portal without a question.
  const logout = new URL(`${issuer.issuer}/protocol/openid-connect/logout`);
  logout.search = new URLSearchParams({
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: `${portalOrigin}/portal/`,
    client_id: 'lgsp-portal',
  }).toString();
  await page.goto(logout.href);
  await page.waitForURL((u) => u.href.startsWith(`${portalOrigin}/portal/`), { timeout: 15_000 });
  assert.equal(issuer.events.queryLogin(new URLSearchParams({ type: 'LOGOUT', user: user.id })).length, 1);
  await page.close();
});

test('kc_idp_hint=vdxp goes straight to VDXP; a business representative gets enterprise_code; the same citizen is the same user', async () => {
  const representative = simulator.dataset.enterprises.get(WELL_KNOWN.enterprises.oneMemberLlc)!.LegalRepresentative[0]!.PERSONAL_ID;
  const firstSub: string[] = [];
  for (let round = 0; round < 2; round++) {
    const { url, verifier } = authorizeUrl({ kc_idp_hint: 'vdxp' });
    const { page, callback } = await portalPage();
    await page.goto(url.href);
    await page.waitForURL((u) => u.href.startsWith(`${simulator.vdxp.issuer}/authorize`));
    await signInAtVdxp(page, representative, DEV_VDXP_CITIZEN_PASSWORD);
    await page.waitForURL((u) => u.href.startsWith(portal), { timeout: 15_000 });
    const { access, id } = await exchange(callback()!.searchParams.get('code')!, verifier);
    assert.equal(access.personal_id, representative);
    assert.ok(typeof access.enterprise_code === 'string' && /^\d{10}$/.test(access.enterprise_code), `enterprise_code ${String(access.enterprise_code)}`);
    assert.equal(id.enterprise_code, access.enterprise_code);
    firstSub.push(String(access.sub));
    await page.close();
  }
  assert.equal(firstSub[0], firstSub[1], 'the second login finds the linked user');
  assert.equal(issuer.events.queryLogin(new URLSearchParams({ type: 'REGISTER', user: firstSub[0]! })).length, 1);
});

test('cancelling at VDXP comes back to the login page with the reason; a forged broker answer is refused', async () => {
  const { url } = authorizeUrl({ kc_idp_hint: 'vdxp' });
  const { page } = await portalPage();
  await page.goto(url.href);
  await page.waitForURL((u) => u.href.startsWith(`${simulator.vdxp.issuer}/authorize`));
  await page.getByRole('button', { name: /Hủy/ }).click();
  await page.waitForURL((u) => u.href.startsWith(issuer.issuer));
  assert.match(await page.getByRole('alert').innerText(), /Bạn đã hủy đăng nhập bằng tài khoản định danh điện tử/);
  const errors = issuer.events.queryLogin(new URLSearchParams({ type: 'IDENTITY_PROVIDER_LOGIN_ERROR' }));
  assert.equal(errors[0]?.error, 'consent_denied');

  // A broker endpoint call with a state this browser never started: a page, nothing signed in.
  const forged = await page.goto(`${issuer.issuer}/broker/vdxp/endpoint?code=abc&state=not-a-state`);
  assert.equal(forged?.status(), 400);
  assert.match(await page.title(), /Phiên đăng nhập đã hết hạn/);
  await page.close();
});
