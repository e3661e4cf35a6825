/**
 * The development issuer's identity brokering refuses what Keycloak refuses: an ID token signed by another key, for
 * another audience, from another issuer, with another nonce; a code the provider will not exchange; a state this
 * browser did not start. The identity provider here is a stand-in OpenID provider on loopback whose answers each
 * test chooses (the real VDXP simulator is exercised end to end in test/browser/vdxp-login.test.ts).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { configSchema } from './config.ts';
import { loadRealmExport } from './realm.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';

type Mode = 'ok' | 'wrong-key' | 'wrong-audience' | 'wrong-issuer' | 'wrong-nonce' | 'refuse-code';

let idp: Server;
let idpIssuer: string;
let issuer: RunningDevIssuer;
let signing: { privateKey: CryptoKey; jwk: JWK };
let rogue: CryptoKey;
/** What the stand-in provider answers next, and the nonce it was given (tests pass the dev issuer's). */
const next: { mode: Mode; nonce: string; sub: string; lastTokenRequest?: { authorization: string | undefined; body: URLSearchParams } } = {
  mode: 'ok',
  nonce: '',
  sub: 'stand-in-subject-1',
};

before(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signing = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' } };
  rogue = (await generateKeyPair('RS256')).privateKey;
  idp = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/vdxp/jwks') return json(200, { keys: [signing.jwk] });
    if (url.pathname === '/vdxp/userinfo') return json(200, { sub: next.sub, personal_id: '040074988660', acr: '2' });
    if (url.pathname === '/vdxp/token') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        next.lastTokenRequest = { authorization: req.headers.authorization, body: new URLSearchParams(Buffer.concat(chunks).toString()) };
        if (next.mode === 'refuse-code') return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        const now = Math.floor(Date.now() / 1000);
        void new SignJWT({
          nonce: next.mode === 'wrong-nonce' ? 'another-nonce' : next.nonce,
          personal_id: '040074988660',
          acr: '2',
          given_name: 'Quốc Hòa',
          family_name: 'Trần',
        })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer(next.mode === 'wrong-issuer' ? 'http://elsewhere.example/vdxp' : idpIssuer)
          .setAudience(next.mode === 'wrong-audience' ? 'another-client' : 'lgsp-keycloak-broker')
          .setSubject(next.sub)
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(next.mode === 'wrong-key' ? rogue : signing.privateKey)
          .then((idToken) => json(200, { access_token: 'at-' + randomBytes(8).toString('hex'), token_type: 'Bearer', id_token: idToken }));
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  idp.listen(0, '127.0.0.1');
  await once(idp, 'listening');
  idpIssuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/vdxp`;
  issuer = await startDevIssuer(
    configSchema.parse({
      DEV_ISSUER_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      VDXP_ISSUER_URL: idpIssuer,
      VDXP_CLIENT_SECRET: 'a-test-secret-of-the-broker',
    }),
    { realm: await loadRealmExport() },
  );
});
after(async () => {
  await issuer?.close();
  idp?.closeAllConnections();
  await new Promise<void>((resolve) => idp?.close(() => resolve()));
});

/** A cookie jar of one browser: `name=value` pairs from Set-Cookie, sent back on every request to the issuer. */
class Browser {
  private readonly cookies = new Map<string, string>();
  async get(url: string): Promise<Response> {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return response;
  }
  drop(prefix: string): void {
    for (const name of [...this.cookies.keys()]) if (name.startsWith(prefix)) this.cookies.delete(name);
  }
}

/** Starts a portal login with kc_idp_hint=vdxp and follows it to the provider: the provider's authorization URL. */
async function toProvider(browser: Browser): Promise<URL> {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: 'http://localhost:4000/portal/callback',
    state: 'portal-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    kc_idp_hint: 'vdxp',
  }).toString();
  let response = await browser.get(authorize.href);
  for (let hops = 0; hops < 5 && response.status >= 300 && response.status < 400; hops++) {
    const location = new URL(response.headers.get('location')!, issuer.issuer);
    if (location.href.startsWith(idpIssuer)) return location;
    response = await browser.get(location.href);
  }
  throw new Error(`did not reach the identity provider (status ${response.status})`);
}

/** The provider answers with a code: the broker endpoint, then the login-actions page it sends the browser to. */
async function backFromProvider(browser: Browser, providerUrl: URL, mode: Mode): Promise<Response> {
  next.mode = mode;
  next.nonce = providerUrl.searchParams.get('nonce')!;
  const endpoint = new URL(providerUrl.searchParams.get('redirect_uri')!);
  endpoint.searchParams.set('code', 'code-' + randomBytes(6).toString('hex'));
  endpoint.searchParams.set('state', providerUrl.searchParams.get('state')!);
  const answer = await browser.get(endpoint.href);
  assert.equal(answer.status, 303, await answer.clone().text());
  return browser.get(new URL(answer.headers.get('location')!, issuer.issuer).href);
}

const errorsSince = (count: number) => issuer.events.queryLogin(new URLSearchParams({ type: 'IDENTITY_PROVIDER_LOGIN_ERROR', direction: 'asc' })).slice(count);

describe('identity brokering (vdxp)', () => {
  it('sends the browser to the provider with PKCE S256, state, nonce and its broker endpoint; exchanges with client_secret_basic', async () => {
    const browser = new Browser();
    const providerUrl = await toProvider(browser);
    assert.equal(providerUrl.origin + providerUrl.pathname, `${idpIssuer}/authorize`);
    assert.equal(providerUrl.searchParams.get('client_id'), 'lgsp-keycloak-broker');
    assert.equal(providerUrl.searchParams.get('redirect_uri'), `${issuer.issuer}/broker/vdxp/endpoint`);
    assert.equal(providerUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.match(providerUrl.searchParams.get('scope')!, /\bopenid\b/);
    const done = await backFromProvider(browser, providerUrl, 'ok');
    // Signed in: the interaction resumes towards the portal.
    assert.equal(done.status, 303);
    assert.match(done.headers.get('location')!, /\/protocol\/openid-connect\/auth\//);
    const sent = next.lastTokenRequest!;
    assert.equal(sent.authorization, `Basic ${Buffer.from('lgsp-keycloak-broker:a-test-secret-of-the-broker').toString('base64')}`, 'VDXP_CLIENT_SECRET');
    const challenge = providerUrl.searchParams.get('code_challenge');
    assert.equal(createHash('sha256').update(sent.body.get('code_verifier')!).digest('base64url'), challenge, 'the verifier of the challenge');
    const user = issuer.realm.users.find((u) => u.federatedIdentities?.some((f) => f.identityProvider === 'vdxp' && f.userId === next.sub));
    assert.ok(user);
    assert.deepEqual(user.attributes.personal_id, ['040074988660']);
    assert.ok(user.realmRoles.includes('citizen'));
    assert.equal(user.firstName, 'Quốc Hòa');
  });

  for (const [mode, what] of [
    ['wrong-key', 'an ID token signed by another key'],
    ['wrong-audience', 'an ID token for another client'],
    ['wrong-issuer', 'an ID token from another issuer'],
    ['wrong-nonce', 'an ID token with another nonce'],
    ['refuse-code', 'a code the provider refuses'],
  ] as const) {
    it(`refuses ${what}: back on the login page with the reason, an IDENTITY_PROVIDER_LOGIN_ERROR event, no user`, async () => {
      const before = errorsSince(0).length;
      const usersBefore = issuer.realm.users.length;
      next.sub = `stand-in-${mode}`;
      const browser = new Browser();
      const page = await backFromProvider(browser, await toProvider(browser), mode);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /role="alert"/);
      assert.match(html, mode === 'refuse-code' ? /không chấp nhận mã đăng nhập/ : /Không xác minh được thông tin đăng nhập/);
      const [event] = errorsSince(before);
      assert.equal(event?.error, mode === 'refuse-code' ? 'invalid_code' : 'invalid_token');
      assert.equal(event?.details.identity_provider, 'vdxp');
      assert.equal(issuer.realm.users.length, usersBefore, 'nobody created');
      next.sub = 'stand-in-subject-1';
    });
  }

  it('refuses the provider’s answer in a browser that did not start the login, and a state used twice (the starting browser still finishes)', async () => {
    const browser = new Browser();
    const providerUrl = await toProvider(browser);
    const endpoint = new URL(providerUrl.searchParams.get('redirect_uri')!);
    endpoint.searchParams.set('code', 'c');
    endpoint.searchParams.set('state', providerUrl.searchParams.get('state')!);
    const other = await new Browser().get(endpoint.href);
    assert.equal(other.status, 400, 'another browser (no state cookie)');
    assert.match(await other.text(), /Phiên đăng nhập đã hết hạn/);
    // The foreign attempt does not spend the state: the browser that started the login still finishes it, once.
    next.mode = 'ok';
    next.nonce = providerUrl.searchParams.get('nonce')!;
    assert.equal((await browser.get(endpoint.href)).status, 303);
    const replay = await browser.get(endpoint.href);
    assert.equal(replay.status, 400, 'a state is used once');
  });

  it('the login page links to the provider; an unknown kc_idp_hint shows the login page; an unknown alias is 404', async () => {
    const browser = new Browser();
    const authorize = new URL(`${issuer.issuer}/protocol/openid-connect/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'lgsp-portal',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://localhost:4000/portal/callback',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
      kc_idp_hint: 'no-such-provider',
    }).toString();
    const redirect = await browser.get(authorize.href);
    const page = await browser.get(new URL(redirect.headers.get('location')!, issuer.issuer).href);
    assert.equal(page.status, 200);
    const html = await page.text();
    const href = /href="([^"]*\/broker\/vdxp\/login[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(href, 'a link to /broker/vdxp/login');
    assert.match(html, /Đăng nhập bằng tài khoản định danh điện tử \(VNeID\/VDXP\)/);
    const viaButton = await browser.get(new URL(href, issuer.issuer).href);
    assert.equal(viaButton.status, 303);
    const atProvider = await browser.get(new URL(viaButton.headers.get('location')!, issuer.issuer).href);
    assert.ok(atProvider.headers.get('location')!.startsWith(`${idpIssuer}/authorize`), 'the button leads to the provider');
    const unknown = await fetch(`${issuer.issuer}/broker/nobody/login?session_code=x`);
    assert.equal(unknown.status, 404);
  });
});
