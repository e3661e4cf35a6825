/**
 * The development issuer over real HTTP, with real tokens verified by `jose` against its JWKS, the way the
 * gateway and agency systems use Keycloak.
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Role } from '@lgsp/kit';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { configSchema } from './config.ts';
import {
  keycloakAccessTokenClaims,
  keycloakAccessTokenHeader,
  keycloakDiscoveryIncludes,
  keycloakEndpointPaths,
  keycloakServiceAccountAbsentClaims,
  keycloakServiceAccountClaims,
  keycloakTokenResponse,
  keycloakUserClaims,
  shapeMismatches,
} from './keycloak-shapes.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';
import { developmentPassword } from './realm.ts';

let issuer: RunningDevIssuer;
let discovery: Record<string, unknown>;
let jwks: ReturnType<typeof createRemoteJWKSet>;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

before(async () => {
  issuer = await startDevIssuer(configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  jwks = createRemoteJWKSet(new URL(String(discovery.jwks_uri)));
});
after(async () => {
  await issuer.close();
});

const tokenEndpoint = (): string => String(discovery.token_endpoint);

function client(clientId: string) {
  const found = issuer.realm.clients.find((c) => c.clientId === clientId);
  assert.ok(found, clientId);
  return found;
}

/** A client assertion as an agency system builds it (RFC 7523; Keycloak wants iss = sub = client_id). */
async function assertion(clientId: string, options: { secret?: string; pem?: string; kid?: string; expiresIn?: number; jti?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint())
    .setIssuedAt(now - (options.expiresIn !== undefined && options.expiresIn < 0 ? 120 : 0))
    .setExpirationTime(now + (options.expiresIn ?? 60))
    .setJti(options.jti ?? randomUUID());
  if (options.pem !== undefined) return jwt.setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid }).sign(createPrivateKey(options.pem));
  return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(options.secret ?? client(clientId).secret));
}

async function devPrivateKey(clientId: string): Promise<string> {
  return readFile(new URL(`../dev-credentials/${clientId}.private.pem`, import.meta.url), 'utf8');
}

async function clientCredentials(clientId: string, clientAssertion: string, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(tokenEndpoint(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: clientAssertion,
      ...extra,
    }),
  });
}

/** Verifies like the gateway does: signature from the JWKS, issuer, audience lgsp-gateway, RS256 only. */
async function verifyAccessToken(token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, jwks, { issuer: issuer.issuer, audience: 'lgsp-gateway', algorithms: ['RS256'], requiredClaims: ['exp'] });
  return payload;
}

describe('development issuer: discovery and keys', () => {
  it("serves Keycloak's discovery document at Keycloak's paths", () => {
    assert.equal(discovery.issuer, issuer.issuer);
    assert.match(issuer.issuer, /^http:\/\/localhost:\d+\/realms\/lgsp$/);
    for (const [field, path] of Object.entries(keycloakEndpointPaths)) assert.equal(discovery[field], `${issuer.issuer}${path}`, field);
    for (const [field, values] of Object.entries(keycloakDiscoveryIncludes)) {
      const listed = discovery[field];
      assert.ok(Array.isArray(listed), `${field} is a list`);
      for (const value of values) assert.ok(listed.includes(value), `${field} includes ${value}`);
    }
  });

  it('publishes RS256 public keys only at the certs endpoint', async () => {
    const response = await fetch(String(discovery.jwks_uri));
    assert.equal(response.status, 200);
    const body = (await response.json()) as { keys: Array<Record<string, unknown>> };
    assert.ok(body.keys.length >= 1);
    for (const key of body.keys) {
      assert.equal(key.kty, 'RSA');
      assert.equal(key.alg, 'RS256');
      assert.equal(key.use, 'sig');
      assert.equal(typeof key.kid, 'string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secret], undefined, `no private member ${secret}`);
    }
  });

  it("answers the realm's public information like Keycloak", async () => {
    const body = (await (await fetch(issuer.issuer)).json()) as Record<string, unknown>;
    assert.equal(body.realm, 'lgsp');
    assert.equal(body['token-service'], `${issuer.issuer}/protocol/openid-connect`);
    assert.equal(typeof body.public_key, 'string');
  });
});

describe('development issuer: client credentials with client assertions', () => {
  it('issues a Keycloak-shaped token for an HS256 assertion (client-secret-jwt: access key + secret key)', async () => {
    const response = await clientCredentials('sotaichinh-h41-dkkd', await assertion('sotaichinh-h41-dkkd'));
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(shapeMismatches(body, keycloakTokenResponse), []);
    assert.equal(body.refresh_token, undefined, 'no refresh token for client credentials');
    const token = String(body.access_token);
    assert.deepEqual(shapeMismatches(decodeProtectedHeader(token), keycloakAccessTokenHeader), []);
    const claims = await verifyAccessToken(token);
    assert.deepEqual(shapeMismatches(claims, keycloakAccessTokenClaims), []);
    assert.deepEqual(shapeMismatches(claims, keycloakServiceAccountClaims), []);
    for (const absent of keycloakServiceAccountAbsentClaims) assert.equal(claims[absent], undefined, `${absent} is absent`);
    const account = issuer.realm.users.find((u) => u.serviceAccountClientId === 'sotaichinh-h41-dkkd');
    assert.equal(claims.sub, account?.id);
    assert.equal(claims.azp, 'sotaichinh-h41-dkkd');
    assert.equal(claims.client_id, 'sotaichinh-h41-dkkd');
    assert.equal(claims.preferred_username, 'service-account-sotaichinh-h41-dkkd');
    assert.equal(claims.agency_code, '000.00.03.H41');
    assert.equal(claims.system_id, '000.00.03.H41:dang-ky-kinh-doanh');
    assert.equal(claims.aud, 'lgsp-gateway');
    assert.equal(claims.scope, 'profile email');
    assert.equal(body.scope, 'profile email');
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes(Role.agencySystem));
    assert.deepEqual((claims.resource_access as Record<string, { roles: string[] }>)['lgsp-gateway']?.roles, [Role.dataConsumer, Role.dataProvider]);
  });

  it('issues a token for an RS256 assertion signed with the agency system private key (client-jwt)', async () => {
    const { kid } = { kid: client('congan-h41-dancu').attributes['jwt.credential.kid'] };
    const response = await clientCredentials('congan-h41-dancu', await assertion('congan-h41-dancu', { pem: await devPrivateKey('congan-h41-dancu'), kid }));
    assert.equal(response.status, 200);
    const claims = await verifyAccessToken(String(((await response.json()) as { access_token: string }).access_token));
    assert.deepEqual(shapeMismatches(claims, keycloakAccessTokenClaims), []);
    assert.equal(claims.azp, 'congan-h41-dancu');
    assert.equal(claims.agency_code, '000.00.02.H41');
    assert.equal(claims.system_id, '000.00.02.H41:csdl-dan-cu-tinh');
  });

  it('adds a requested optional scope and refuses a scope the client does not have', async () => {
    const ok = await clientCredentials('ubnd-truongvinh-motcua', await assertion('ubnd-truongvinh-motcua'), { scope: 'phone' });
    assert.equal(ok.status, 200);
    const claims = await verifyAccessToken(String(((await ok.json()) as { access_token: string }).access_token));
    assert.equal(claims.scope, 'profile email phone');
    const refused = await clientCredentials('ubnd-truongvinh-motcua', await assertion('ubnd-truongvinh-motcua'), { scope: 'national-data:everything' });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'invalid_scope');
  });

  const rejected: Array<[string, () => Promise<Response>]> = [
    [
      'a wrong secret',
      async () =>
        clientCredentials('sotaichinh-h41-dkkd', await assertion('sotaichinh-h41-dkkd', { secret: `dev-only-${randomBytes(24).toString('base64url')}` })),
    ],
    ['an expired assertion', async () => clientCredentials('sotaichinh-h41-dkkd', await assertion('sotaichinh-h41-dkkd', { expiresIn: -60 }))],
    [
      'an HS256 assertion from a client-jwt client',
      async () => clientCredentials('congan-h41-dancu', await assertion('congan-h41-dancu', { secret: 'x'.repeat(48) })),
    ],
    [
      'an RS256 assertion signed with a key not registered',
      async () => {
        const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        return clientCredentials(
          'congan-h41-dancu',
          await assertion('congan-h41-dancu', { pem, kid: client('congan-h41-dancu').attributes['jwt.credential.kid'] }),
        );
      },
    ],
    [
      'an RS256 assertion signed with another client key',
      async () =>
        clientCredentials(
          'sotuphap-h41-hotich',
          await assertion('sotuphap-h41-hotich', {
            pem: await devPrivateKey('congan-h41-dancu'),
            kid: client('sotuphap-h41-hotich').attributes['jwt.credential.kid'],
          }),
        ),
    ],
    [
      'an assertion without sub (Keycloak requires sub = client_id)',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const jwt = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('sotaichinh-h41-dkkd')
          .setAudience(tokenEndpoint())
          .setExpirationTime(now + 60)
          .setJti(randomUUID())
          .sign(new TextEncoder().encode(client('sotaichinh-h41-dkkd').secret));
        return clientCredentials('sotaichinh-h41-dkkd', jwt);
      },
    ],
  ];
  for (const [name, call] of rejected) {
    it(`rejects ${name} with 401 invalid_client`, async () => {
      const response = await call();
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
    });
  }

  it('rejects an assertion that names another client than client_id', async () => {
    const response = await clientCredentials('vpubnd-h41-motcua', await assertion('sotaichinh-h41-dkkd'));
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: 'client_id mismatch' });
  });

  it('rejects a replayed assertion (same jti)', async () => {
    const once = await assertion('vpubnd-h41-motcua');
    assert.equal((await clientCredentials('vpubnd-h41-motcua', once)).status, 200);
    const replay = await clientCredentials('vpubnd-h41-motcua', once);
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_client');
  });

  it("introspects its JWT access tokens like Keycloak for an authenticated client, and not someone else's", async () => {
    const issued = await clientCredentials(
      'bvhndk-h41-his',
      await assertion('bvhndk-h41-his', { pem: await devPrivateKey('bvhndk-h41-his'), kid: client('bvhndk-h41-his').attributes['jwt.credential.kid'] }),
    );
    const token = String(((await issued.json()) as { access_token: string }).access_token);
    const introspect = async (candidate: string): Promise<Response> =>
      fetch(String(discovery.introspection_endpoint), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: candidate,
          client_id: 'vpubnd-h41-motcua',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await assertion('vpubnd-h41-motcua'),
        }),
      });
    const active = (await (await introspect(token)).json()) as Record<string, unknown>;
    assert.equal(active.active, true);
    assert.equal(active.client_id, 'bvhndk-h41-his');
    assert.equal(active.agency_code, '000.01.05.H41');
    assert.equal(active.token_type, 'Bearer');
    const [h, p] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), agency_code: '000.00.02.H41' })).toString('base64url')}.${token.split('.')[2]}`;
    assert.deepEqual(await (await introspect(tampered)).json(), { active: false });
    const anonymous = await fetch(String(discovery.introspection_endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    assert.equal(anonymous.status, 400);
  });
});

/** A minimal cookie jar, by hand: name → value, whatever the path (cookie names here are distinct). */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function get(url: string, jar: CookieJar): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(response);
  return response;
}

function formField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(match, `form field ${name}`);
  return match[1] ?? '';
}

describe('development issuer: authorization code + PKCE for a civil servant', () => {
  const redirectUri = 'http://localhost:4000/portal/callback';

  /** Drives the browser flow up to the login form; returns the form page and where it posts. */
  async function openLoginForm(jar: CookieJar, challenge: string, state: string): Promise<{ action: string; csrf: string; html: string }> {
    const authorize = new URL(String(discovery.authorization_endpoint));
    authorize.search = new URLSearchParams({
      client_id: 'lgsp-portal',
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const start = await get(authorize.href, jar);
    assert.equal(start.status, 303);
    const loginUrl = new URL(start.headers.get('location') ?? '', authorize).href;
    assert.match(new URL(loginUrl).pathname, /^\/realms\/lgsp\/login-actions\/authenticate\//);
    const page = await get(loginUrl, jar);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await page.text();
    assert.match(html, /<html lang="vi">/);
    assert.match(html, /<label for="username">Tên đăng nhập/);
    assert.match(html, /<label for="password">Mật khẩu/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!localhost)/, 'no scripts, no external assets');
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action);
    return { action: new URL(action.replace(/&amp;/g, '&'), loginUrl).href, csrf: formField(html, 'csrf_token'), html };
  }

  async function post(url: string, jar: CookieJar, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(), ...headers },
      body: new URLSearchParams(form),
    });
    jar.store(response);
    return response;
  }

  it('logs in through the form and gets an access token with agency_code, usable at userinfo', async () => {
    const user = issuer.realm.users.find((u) => u.username === 'hoa.vo');
    assert.ok(user);
    const jar = new CookieJar();
    const { challenge } = pkcePair();
    const state = randomUUID();
    const form = await openLoginForm(jar, challenge, state);

    const wrong = await post(form.action, jar, { csrf_token: form.csrf, username: 'hoa.vo', password: 'Wrong-Pass#2025', action: 'login' });
    assert.equal(wrong.status, 200);
    assert.match(await wrong.text(), /role="alert"[^>]*>Tên đăng nhập hoặc mật khẩu không đúng/);

    const ok = await post(form.action, jar, { csrf_token: form.csrf, username: 'hoa.vo', password: developmentPassword(user) ?? '', action: 'login' });
    assert.equal(ok.status, 303);
    let location = ok.headers.get('location') ?? '';
    // Back to the authorization endpoint (resume), which redirects to the portal with the code.
    for (let hops = 0; !location.startsWith(redirectUri) && hops < 5; hops++) {
      const next = await get(new URL(location, form.action).href, jar);
      assert.equal(next.status, 303, `hop ${hops} to ${location}`);
      location = next.headers.get('location') ?? '';
    }
    const callback = new URL(location);
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('iss'), issuer.issuer);
    const code = callback.searchParams.get('code');
    assert.ok(code);

    const withoutVerifier = await fetch(tokenEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: 'lgsp-portal',
        code_verifier: pkcePair().verifier,
      }),
    });
    assert.equal(withoutVerifier.status, 400, 'a wrong code_verifier is refused');

    // The code was consumed by the failed attempt above? No: PKCE failure does not consume it in oidc-provider,
    // but Keycloak would; start a fresh login to stay faithful to single use.
    const jar2 = new CookieJar();
    const pair = pkcePair();
    const form2 = await openLoginForm(jar2, pair.challenge, state);
    const ok2 = await post(form2.action, jar2, {
      csrf_token: form2.csrf,
      username: 'hoa.vo@nghean.gov.vn',
      password: developmentPassword(user) ?? '',
      action: 'login',
    });
    let location2 = ok2.headers.get('location') ?? '';
    for (let hops = 0; !location2.startsWith(redirectUri) && hops < 5; hops++)
      location2 = (await get(new URL(location2, form2.action).href, jar2)).headers.get('location') ?? '';
    const code2 = new URL(location2).searchParams.get('code') ?? '';

    const tokenResponse = await fetch(tokenEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code2,
        redirect_uri: redirectUri,
        client_id: 'lgsp-portal',
        code_verifier: pair.verifier,
      }),
    });
    assert.equal(tokenResponse.status, 200);
    const tokens = (await tokenResponse.json()) as Record<string, unknown>;
    assert.deepEqual(shapeMismatches(tokens, keycloakTokenResponse), []);
    assert.equal(typeof tokens.id_token, 'string');
    assert.equal(typeof tokens.refresh_token, 'string');
    const accessToken = String(tokens.access_token);
    assert.deepEqual(shapeMismatches(decodeProtectedHeader(accessToken), keycloakAccessTokenHeader), []);
    const claims = await verifyAccessToken(accessToken);
    assert.deepEqual(shapeMismatches(claims, keycloakAccessTokenClaims), []);
    assert.deepEqual(shapeMismatches(claims, keycloakUserClaims), []);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.azp, 'lgsp-portal');
    assert.equal(claims.preferred_username, 'hoa.vo');
    assert.equal(claims.agency_code, '000.00.20.H41');
    assert.equal(claims.system_id, '000.00.01.H41:lgsp-portal');
    assert.equal(claims.scope, 'openid profile email');
    assert.equal(claims.aud, 'lgsp-gateway');
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes(Role.civilServant));
    assert.deepEqual((claims.resource_access as Record<string, { roles: string[] }>)['lgsp-gateway']?.roles, [Role.dataConsumer]);

    const { payload: idToken } = await jwtVerify(String(tokens.id_token), jwks, { issuer: issuer.issuer, audience: 'lgsp-portal' });
    assert.equal(idToken.agency_code, '000.00.20.H41');
    assert.equal(idToken.preferred_username, 'hoa.vo');

    const userinfo = await fetch(String(discovery.userinfo_endpoint), { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(userinfo.status, 200);
    const info = (await userinfo.json()) as Record<string, unknown>;
    assert.equal(info.sub, user.id);
    assert.equal(info.agency_code, '000.00.20.H41');
    assert.equal(info.preferred_username, 'hoa.vo');
    const refused = await fetch(String(discovery.userinfo_endpoint), { headers: { authorization: `Bearer ${accessToken.slice(0, -4)}AAAA` } });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('refuses a login form posted without the page token or from another origin', async () => {
    const jar = new CookieJar();
    const { challenge } = pkcePair();
    const form = await openLoginForm(jar, challenge, randomUUID());
    const user = issuer.realm.users.find((u) => u.username === 'hung.tran');
    const credentials = { username: 'hung.tran', password: developmentPassword(user!) ?? '', action: 'login' };
    assert.equal((await post(form.action, jar, { ...credentials, csrf_token: 'forged' })).status, 403);
    assert.equal((await post(form.action, jar, { ...credentials, csrf_token: form.csrf }, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await post(form.action, new CookieJar(), { ...credentials, csrf_token: form.csrf })).status, 400, 'no interaction cookie');
  });

  it('refuses an authorization request without PKCE or with a redirect URI outside the client', async () => {
    const base = { client_id: 'lgsp-portal', response_type: 'code', scope: 'openid', state: 's' };
    const noPkce = new URL(String(discovery.authorization_endpoint));
    noPkce.search = new URLSearchParams({ ...base, redirect_uri: redirectUri }).toString();
    const response = await fetch(noPkce, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(new URL(response.headers.get('location') ?? '').searchParams.get('error'), 'invalid_request');
    const elsewhere = new URL(String(discovery.authorization_endpoint));
    elsewhere.search = new URLSearchParams({
      ...base,
      redirect_uri: 'http://evil.example/cb',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    }).toString();
    const refused = await fetch(elsewhere, { redirect: 'manual' });
    assert.equal(refused.status, 400, 'no redirect to an unregistered URI');
  });
});

describe('the portal follows the gateway: GATEWAY_PUBLIC_URL is the root of its redirect URIs', () => {
  let moved: RunningDevIssuer;
  before(async () => {
    moved = await startDevIssuer(
      configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', GATEWAY_PUBLIC_URL: 'https://lgsp.example.gov.vn' }),
    );
  });
  after(async () => moved?.close());

  const authorize = (redirect: string) => {
    const url = new URL(`${moved.issuer}/protocol/openid-connect/auth`);
    url.search = new URLSearchParams({
      client_id: 'lgsp-portal',
      response_type: 'code',
      scope: 'openid',
      state: 's',
      redirect_uri: redirect,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    }).toString();
    return fetch(url, { redirect: 'manual' });
  };

  it('sends the login to a redirect URI under the public origin, and refuses the realm export default', async () => {
    const accepted = await authorize('https://lgsp.example.gov.vn/portal/callback');
    assert.equal(accepted.status, 303);
    assert.match(accepted.headers.get('location') ?? '', /\/login-actions\/authenticate\//, 'on to the login page');
    assert.equal((await authorize('http://localhost:4000/portal/callback')).status, 400, 'the old origin is no longer the portal');
  });

  it('refuses an origin that is not a bare origin', () => {
    const parsed = configSchema.safeParse({ GATEWAY_PUBLIC_URL: 'https://lgsp.example.gov.vn/portal' });
    assert.equal(parsed.success, false);
    assert.match(JSON.stringify(parsed.error?.issues), /must be an origin/);
  });
});
