/**
 * Civil servants' single sign-on (BG:12) in a real browser: an agency registers two applications the way the registry
 * does (`@lgsp/credentials`' application clients, through the development issuer's Admin REST API), a civil servant
 * signs in to both with one login, and one sign-out at the issuer reaches both applications' front-channel logout URLs
 * (with `iss` and the `sid` of each application's ID token), as Keycloak's logout page does, before the browser goes
 * back to the application that asked. The applications are small loopback HTTP servers acting as relying parties.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createKeycloakApplicationClients } from '@lgsp/credentials';
import { freePortForTest } from '@lgsp/kit/testing';
import { startDevIssuer } from '../../keycloak/src/service.ts';
import { launchBrowser } from '../testing/browser.ts';

let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const apps: RelyingParty[] = [];

/** One agency application: home page, login, callback, sign-out, and the front-channel logout URL it registered. */
interface RelyingParty {
  name: string;
  origin: string;
  clientId: string;
  secret: string;
  server: Server;
  /** Sessions by the issuer's `sid` (from the ID token): who is signed in. */
  sessions: Map<string, { username: string; agencyCode: string; idToken: string; accessToken: string }>;
  /** Every call to the logout URL, with its query. */
  logoutCalls: Array<{ iss: string | null; sid: string | null }>;
}

async function startRelyingParty(name: string): Promise<RelyingParty> {
  const port = await freePortForTest();
  const origin = `http://127.0.0.1:${port}`;
  const cookie = `${name}_session`; // cookies do not tell ports apart: one name per application
  const pending = new Map<string, true>();
  const app: RelyingParty = { name, origin, clientId: '', secret: '', server: createServer(), sessions: new Map(), logoutCalls: [] };
  const jwks = (): ReturnType<typeof createRemoteJWKSet> => createRemoteJWKSet(new URL(`${issuer.issuer}/protocol/openid-connect/certs`));
  const sidOf = (req: IncomingMessage): string | undefined => new RegExp(`(?:^|; )${cookie}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
  const html = (res: ServerResponse, body: string, status = 200): void => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><html lang="vi"><head><title>${name}</title></head><body>${body}</body></html>`);
  };
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/') {
        const session = app.sessions.get(sidOf(req) ?? '');
        html(res, session ? `<p id="who">Xin chào ${session.username}</p>` : '<p id="who">Chưa đăng nhập</p>');
        return;
      }
      if (url.pathname === '/login') {
        const state = randomBytes(12).toString('hex');
        pending.set(state, true);
        const authorize = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
        authorize.search = new URLSearchParams({
          client_id: app.clientId,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: `${origin}/callback`,
          state,
        }).toString();
        res.writeHead(302, { location: authorize.href });
        res.end();
        return;
      }
      if (url.pathname === '/callback') {
        const state = url.searchParams.get('state') ?? '';
        if (!pending.delete(state)) return html(res, 'unknown state', 400);
        const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}`,
          },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: url.searchParams.get('code') ?? '', redirect_uri: `${origin}/callback` }),
        });
        if (response.status !== 200) return html(res, `token: ${response.status} ${await response.text()}`, 502);
        const tokens = (await response.json()) as { id_token: string; access_token: string };
        const { payload } = await jwtVerify(tokens.id_token, jwks(), { issuer: issuer.issuer, audience: app.clientId });
        const sid = String(payload.sid);
        app.sessions.set(sid, {
          username: String(payload.preferred_username),
          agencyCode: String(payload.agency_code),
          idToken: tokens.id_token,
          accessToken: tokens.access_token,
        });
        res.writeHead(302, { location: '/', 'set-cookie': `${cookie}=${sid}; Path=/; HttpOnly; SameSite=Lax` });
        res.end();
        return;
      }
      if (url.pathname === '/signout') {
        // RP-initiated logout at the issuer, back to this application's home afterwards.
        const session = app.sessions.get(sidOf(req) ?? '');
        const logout = new URL(`${issuer.issuer}/protocol/openid-connect/logout`);
        logout.search = new URLSearchParams({
          ...(session ? { id_token_hint: session.idToken } : { client_id: app.clientId }),
          post_logout_redirect_uri: `${origin}/`,
        }).toString();
        res.writeHead(302, { location: logout.href });
        res.end();
        return;
      }
      if (url.pathname === '/frontchannel-logout') {
        // Front-channel logout (loaded in an iframe of the issuer's page): end the session the issuer names.
        const iss = url.searchParams.get('iss');
        const sid = url.searchParams.get('sid');
        app.logoutCalls.push({ iss, sid });
        if (iss === issuer.issuer && sid !== null) app.sessions.delete(sid);
        html(res, 'signed out');
        return;
      }
      html(res, 'not found', 404);
    })().catch((error: unknown) => html(res, String(error), 500));
  });
  app.server.listen(port, '127.0.0.1');
  await once(app.server, 'listening');
  return app;
}

before(async () => {
  const port = await freePortForTest();
  issuer = await startDevIssuer({ DEV_ISSUER_PORT: port, HOST: '127.0.0.1', DEV_ISSUER_URL: `http://localhost:${port}/realms/lgsp`, LOG_LEVEL: 'silent' });
  browser = await launchBrowser();
  // The registry's way of registering an application (registerAgencyApplication): one confidential client each.
  const clients = createKeycloakApplicationClients({
    adminUrl: `http://localhost:${port}`,
    realm: 'lgsp',
    clientId: 'lgsp-registry',
    clientSecret: issuer.realm.clients.find((c) => c.clientId === 'lgsp-registry')?.secret ?? '',
  });
  for (const name of ['hotich', 'vanthu']) {
    const app = await startRelyingParty(name);
    const created = await clients.create({
      clientId: `truongvinh-${name}-${randomBytes(3).toString('hex')}`,
      agencyCode: '000.00.20.H41',
      name: `Ứng dụng ${name}`,
      loginUrl: `${app.origin}/login`,
      logoutUrl: `${app.origin}/frontchannel-logout`,
      redirectUris: [`${app.origin}/callback`, `${app.origin}/`],
    });
    app.clientId = created.clientId;
    app.secret = created.secret;
    apps.push(app);
  }
});

after(async () => {
  await browser?.close();
  for (const app of apps) app.server.close();
  await issuer?.close();
});

test('one sign-out at the issuer reaches the logout URLs of both applications the civil servant signed in to', async () => {
  const [first, second] = apps;
  assert.ok(first && second);
  const page = await browser.browser.newPage();

  // Sign in to the first application with the login page.
  await page.goto(`${first.origin}/login`);
  await page.getByLabel(/Tên đăng nhập/).fill('hoa.vo');
  await page.getByLabel(/Mật khẩu/).fill('Dev-TruongVinh#2025');
  await page.getByRole('button', { name: /Đăng nhập/ }).click();
  await page.waitForURL(`${first.origin}/`);
  assert.equal(await page.locator('#who').textContent(), 'Xin chào hoa.vo');

  // Single sign-on: the second application signs in without a login page.
  await page.goto(`${second.origin}/login`);
  await page.waitForURL(`${second.origin}/`);
  assert.equal(await page.locator('#who').textContent(), 'Xin chào hoa.vo');

  const firstSession = [...first.sessions.values()][0];
  const secondSession = [...second.sessions.values()][0];
  assert.ok(firstSession && secondSession);
  assert.equal(firstSession.agencyCode, '000.00.20.H41', 'the application can check the agency');
  // An agency application's token is not for the gateway: no audience (no audience mapper, no roles in scope).
  for (const session of [firstSession, secondSession]) {
    const access = decodeJwt(session.accessToken);
    assert.equal(access.aud, undefined, `access token of an SSO application: ${JSON.stringify(access)}`);
    assert.equal(access.realm_access, undefined);
    assert.equal(access.resource_access, undefined);
  }
  const firstSid = [...first.sessions.keys()][0];
  const secondSid = [...second.sessions.keys()][0];

  // One sign-out, started from the first application.
  await page.goto(`${first.origin}/signout`);
  await page.waitForURL(`${first.origin}/`, { timeout: 15_000 });
  assert.equal(await page.locator('#who').textContent(), 'Chưa đăng nhập');

  assert.deepEqual(first.logoutCalls, [{ iss: issuer.issuer, sid: firstSid }]);
  assert.deepEqual(second.logoutCalls, [{ iss: issuer.issuer, sid: secondSid }]);
  assert.equal(second.sessions.size, 0, 'the second application ended its session');
  await page.goto(`${second.origin}/`);
  assert.equal(await page.locator('#who').textContent(), 'Chưa đăng nhập');

  // The issuer's session is over too: signing in again asks for the password.
  await page.goto(`${second.origin}/login`);
  await page.getByLabel(/Mật khẩu/).waitFor();
  await page.close();
});
