/**
 * The VDXP simulator over real HTTP: discovery, the sign-in page and its refusals, code + PKCE at the token endpoint
 * with both client authentication methods, the signed ID token, userinfo, and every bad input answered precisely.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startSimulator } from '../service.ts';
import { WELL_KNOWN } from '../well-known.ts';
import { DEV_VDXP_CITIZEN_PASSWORD, DEV_VDXP_CLIENT_ID, DEV_VDXP_CLIENT_SECRET } from '../config.ts';
import { assuranceLevelOf, createDirectory, subjectFor } from './identities.ts';
import { MAX_ATTEMPTS } from './provider.ts';

const redirectUri = 'http://localhost:65000/realms/lgsp/broker/vdxp/endpoint';
let sim: Awaited<ReturnType<typeof startSimulator>>;
let issuer: string;

before(async () => {
  sim = await startSimulator({ PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', VDXP_REDIRECT_URIS: [redirectUri] });
  issuer = sim.vdxp.issuer;
});
after(async () => sim?.close());

const basic = (id = DEV_VDXP_CLIENT_ID, secret = DEV_VDXP_CLIENT_SECRET) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(overrides: Record<string, string | null> = {}, challenge = pkce().challenge): string {
  const params: Record<string, string | null> = {
    client_id: DEV_VDXP_CLIENT_ID,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile',
    state: 's1',
    nonce: 'n1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const url = new URL(`${issuer}/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.href;
}

/** Opens the sign-in page and returns the pending request's id. */
async function openLogin(challenge: string): Promise<string> {
  const page = await fetch(authorizeUrl({}, challenge));
  assert.equal(page.status, 200);
  const html = await page.text();
  const id = /name="request" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(id, 'the page carries the pending request');
  return id;
}

async function submit(request: string, personalId: string, password: string, action = 'login'): Promise<Response> {
  return fetch(`${new URL(issuer).origin}/vdxp/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, personal_id: personalId, password, action }),
  });
}

async function codeFor(personalId: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const response = await submit(await openLogin(challenge), personalId, DEV_VDXP_CITIZEN_PASSWORD);
  assert.equal(response.status, 303);
  const location = new URL(response.headers.get('location')!);
  assert.equal(location.origin + location.pathname, redirectUri);
  assert.equal(location.searchParams.get('state'), 's1');
  assert.equal(location.searchParams.get('iss'), issuer);
  return { code: location.searchParams.get('code')!, verifier };
}

async function token(form: Record<string, string>, authorization: string | null = basic()): Promise<Response> {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === null ? {} : { authorization }) },
    body: new URLSearchParams(form),
  });
}

describe('VDXP simulator', () => {
  it('publishes its discovery document and keys under /vdxp', async () => {
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(discovery.issuer, issuer);
    assert.match(issuer, /^http:\/\/localhost:\d+\/vdxp$/);
    assert.equal(discovery.token_endpoint, `${issuer}/token`);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.d, undefined, 'no private part');
  });

  it('signs a citizen in: code + PKCE, client_secret_basic, a signed ID token with the claims, userinfo', async () => {
    const citizen = WELL_KNOWN.citizens.householdHead;
    const { code, verifier } = await codeFor(citizen);
    const response = await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { id_token: string; access_token: string; token_type: string };
    assert.equal(body.token_type, 'Bearer');
    const jwks = createLocalJWKSet((await (await fetch(`${issuer}/jwks`)).json()) as never);
    const { payload } = await jwtVerify(body.id_token, jwks, { issuer, audience: DEV_VDXP_CLIENT_ID });
    const record = sim.dataset.citizens.get(citizen)!;
    assert.equal(payload.personal_id, citizen);
    assert.notEqual(payload.sub, citizen, 'the subject is opaque');
    assert.ok(!String(payload.sub).includes(citizen));
    assert.equal(payload.nonce, 'n1');
    assert.equal(payload.acr, '2');
    assert.equal(payload.name, [record.HoVaTen.Ho, record.HoVaTen.ChuDem, record.HoVaTen.Ten].filter(Boolean).join(' '));
    const ymd = record.NgayThangNamSinh.NgayThangNam;
    assert.equal(payload.birthdate, `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6)}`);
    assert.equal(payload.enterprise_code, undefined);

    const info = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(info.status, 200);
    const claims = (await info.json()) as Record<string, unknown>;
    assert.equal(claims.sub, payload.sub);
    assert.equal(claims.personal_id, citizen);

    // The code is used once.
    const again = await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_grant');
  });

  it('accepts client_secret_post, and refuses a wrong verifier, another redirect URI, bad clients', async () => {
    const post = (extra: Record<string, string>) => ({ client_id: DEV_VDXP_CLIENT_ID, client_secret: DEV_VDXP_CLIENT_SECRET, ...extra });
    const a = await codeFor(WELL_KNOWN.citizens.spouse);
    const wrongVerifier = await token(
      post({ grant_type: 'authorization_code', code: a.code, redirect_uri: redirectUri, code_verifier: pkce().verifier }),
      null,
    );
    assert.deepEqual(await wrongVerifier.json(), { error: 'invalid_grant', error_description: 'PKCE verification failed' });

    const b = await codeFor(WELL_KNOWN.citizens.spouse);
    const otherRedirect = await token(
      post({ grant_type: 'authorization_code', code: b.code, redirect_uri: 'http://localhost:1/x', code_verifier: b.verifier }),
      null,
    );
    assert.equal(((await otherRedirect.json()) as { error_description: string }).error_description, 'redirect_uri differs from the authorization request');

    const c = await codeFor(WELL_KNOWN.citizens.spouse);
    const ok = await token(post({ grant_type: 'authorization_code', code: c.code, redirect_uri: redirectUri, code_verifier: c.verifier }), null);
    assert.equal(ok.status, 200);

    const wrongSecret = await token({ grant_type: 'authorization_code', code: 'x' }, basic(DEV_VDXP_CLIENT_ID, 'not-the-secret-at-all'));
    assert.equal(wrongSecret.status, 401);
    assert.equal(((await wrongSecret.json()) as { error: string }).error, 'invalid_client');
    const unknownClient = await token({ grant_type: 'authorization_code', code: 'x' }, basic('someone-else', DEV_VDXP_CLIENT_SECRET));
    assert.equal(unknownClient.status, 401);
    const none = await token({ grant_type: 'authorization_code', code: 'x' }, null);
    assert.equal(none.status, 401);
    const grant = await token({ grant_type: 'client_credentials' });
    assert.equal(((await grant.json()) as { error: string }).error, 'unsupported_grant_type');
    const userinfo = await fetch(`${issuer}/userinfo`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(userinfo.status, 401);
    assert.match(userinfo.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  it('explains on the page, in Vietnamese, an unknown client and an unregistered redirect URI (no redirect)', async () => {
    const unknown = await fetch(authorizeUrl({ client_id: 'nobody' }), { redirect: 'manual' });
    assert.equal(unknown.status, 400);
    const text = await unknown.text();
    assert.match(text, /chưa được đăng ký với hệ thống định danh điện tử/);
    assert.match(text, /invalid_client: unknown client_id/);
    const elsewhere = await fetch(authorizeUrl({ redirect_uri: 'http://evil.example/cb' }), { redirect: 'manual' });
    assert.equal(elsewhere.status, 400);
    assert.match(await elsewhere.text(), /Địa chỉ quay lại của ứng dụng không nằm trong các địa chỉ đã đăng ký/);
  });

  it('sends protocol errors back to the client once the redirect URI is known', async () => {
    const cases: Array<[Record<string, string | null>, string, RegExp]> = [
      [{ response_type: 'token' }, 'unsupported_response_type', /code/],
      [{ scope: 'profile' }, 'invalid_scope', /openid/],
      [{ code_challenge: null }, 'invalid_request', /code_challenge is required/],
      [{ code_challenge_method: 'plain' }, 'invalid_request', /S256/],
      [{ prompt: 'none' }, 'login_required', /session/],
    ];
    for (const [overrides, error, description] of cases) {
      const response = await fetch(authorizeUrl(overrides), { redirect: 'manual' });
      assert.equal(response.status, 303, JSON.stringify(overrides));
      const location = new URL(response.headers.get('location')!);
      assert.equal(location.searchParams.get('error'), error);
      assert.match(location.searchParams.get('error_description')!, description);
      assert.equal(location.searchParams.get('state'), 's1');
    }
  });

  it('refuses a wrong password, an unknown and a malformed personal ID on the page; cancel returns access_denied', async () => {
    const request = await openLogin(pkce().challenge);
    const wrong = await submit(request, WELL_KNOWN.citizens.householdHead, 'Wrong-password#1');
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /Mật khẩu không đúng/);
    const unknown = await submit(request, WELL_KNOWN.citizens.notFound, DEV_VDXP_CITIZEN_PASSWORD);
    assert.equal(unknown.status, 401);
    assert.match(await unknown.text(), /không có trong Cơ sở dữ liệu quốc gia về dân cư/);
    const malformed = await submit(request, '0400749886AB', DEV_VDXP_CITIZEN_PASSWORD);
    assert.equal(malformed.status, 400);
    assert.match(await malformed.text(), /phải gồm đúng 12 chữ số \(đã nhập 12 ký tự, có ký tự không phải chữ số\)/);
    const cancelled = await submit(request, '', '', 'cancel');
    assert.equal(cancelled.status, 303);
    assert.equal(new URL(cancelled.headers.get('location')!).searchParams.get('error'), 'access_denied');
    const expired = await submit(request, WELL_KNOWN.citizens.householdHead, DEV_VDXP_CITIZEN_PASSWORD);
    assert.equal(expired.status, 400, 'the request is gone once answered');
    assert.match(await expired.text(), /Phiên đăng nhập đã hết hạn/);
    const foreign = await fetch(`${new URL(issuer).origin}/vdxp/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: new URLSearchParams({ request, personal_id: WELL_KNOWN.citizens.householdHead, password: DEV_VDXP_CITIZEN_PASSWORD }),
    });
    assert.equal(foreign.status, 403);
  });
});

describe('VDXP sign-in attempts', () => {
  it(`ends a sign-in request after ${MAX_ATTEMPTS} failed attempts, with a page saying so`, async () => {
    const request = await openLogin(pkce().challenge);
    for (let i = 1; i < MAX_ATTEMPTS; i++) assert.equal((await submit(request, WELL_KNOWN.citizens.householdHead, `Wrong-${i}`)).status, 401);
    const last = await submit(request, WELL_KNOWN.citizens.householdHead, 'Wrong-last');
    assert.equal(last.status, 429);
    assert.match(await last.text(), new RegExp(`Bạn đã nhập sai ${MAX_ATTEMPTS} lần`));
    const after = await submit(request, WELL_KNOWN.citizens.householdHead, DEV_VDXP_CITIZEN_PASSWORD);
    assert.equal(after.status, 400, 'the right password no longer helps on that request');
  });
});

describe('VDXP identities', () => {
  it('a legal representative of an enterprise of the dataset signs in with its enterprise code', () => {
    const directory = createDirectory(sim.dataset, 'a-subject-key-for-tests');
    const enterprise = sim.dataset.enterprises.get(WELL_KNOWN.enterprises.oneMemberLlc)!;
    const representative = enterprise.LegalRepresentative[0]!.PERSONAL_ID;
    const identity = directory.find(representative)!;
    assert.ok(identity.enterprise_code !== undefined);
    assert.ok(sim.dataset.enterprises.get(identity.enterprise_code)!.LegalRepresentative.some((r) => r.PERSONAL_ID === representative));
    assert.equal(directory.find(WELL_KNOWN.citizens.notFound), undefined);
    // The accounts CONTRACT.md lists (default seed).
    assert.equal(directory.find('011173898166')?.enterprise_code, '0491470798');
    assert.equal(directory.find('001076470701')?.enterprise_code, '4204520678');
    assert.equal(directory.find(WELL_KNOWN.citizens.householdHead)?.enterprise_code, undefined);
    assert.equal(directory.find(WELL_KNOWN.citizens.livesElsewhere)?.acr, '1');
  });

  it('subjects are stable for a key, differ between keys; level 1 for personal IDs ending in 7', () => {
    assert.equal(subjectFor('040074988660', 'key-one-key-one-key'), subjectFor('040074988660', 'key-one-key-one-key'));
    assert.notEqual(subjectFor('040074988660', 'key-one-key-one-key'), subjectFor('040074988660', 'key-two-key-two-key'));
    assert.equal(assuranceLevelOf(WELL_KNOWN.citizens.livesElsewhere), '1');
    assert.equal(assuranceLevelOf(WELL_KNOWN.citizens.householdHead), '2');
  });
});
