/**
 * What civil servants' single sign-on (BG:12) needs from the development issuer, as Keycloak does it: the gateway is an
 * audience only through the client's audience mapper (or roles of lgsp-gateway in scope), so an agency application's
 * token is refused by the gateway; the Admin REST API keeps `baseUrl`, `frontchannelLogout` and the front-channel logout
 * URL; and the front-channel logout URLs of a session's clients are built as Keycloak builds them. The browser journey
 * (two applications, one sign-out) is test/browser/frontchannel-logout.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@lgsp/kit';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { configSchema } from './config.ts';
import { developmentClientToken } from './dev-clients.ts';
import { frontchannelLogoutUrls } from './frontchannel-logout.ts';
import { clientSchema, loadRealmExport, type RealmExport } from './realm.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';

let issuer: RunningDevIssuer;
let adminToken: string;
let base: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;

async function clientCredentials(clientId: string, secret: string): Promise<string> {
  const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { access_token: string }).access_token;
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** An application's client as the registry makes it (packages/credentials/src/application-clients.ts), with a service account to get a token. */
const applicationClient = (clientId: string, withAudienceMapper: boolean) => ({
  clientId,
  name: 'Ứng dụng một cửa',
  enabled: true,
  publicClient: false,
  clientAuthenticatorType: 'client-secret',
  secret: `${clientId}-secret`,
  standardFlowEnabled: true,
  serviceAccountsEnabled: true,
  fullScopeAllowed: false,
  rootUrl: 'http://127.0.0.1:7001',
  baseUrl: '/home?lang=vi',
  redirectUris: ['http://127.0.0.1:7001/callback'],
  webOrigins: ['+'],
  frontchannelLogout: true,
  attributes: {
    'frontchannel.logout.url': 'http://127.0.0.1:7001/logout',
    'frontchannel.logout.session.required': 'true',
    'post.logout.redirect.uris': 'http://127.0.0.1:7001/home',
  },
  protocolMappers: withAudienceMapper
    ? [
        {
          name: 'audience lgsp-gateway',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-audience-mapper',
          config: { 'included.client.audience': 'lgsp-gateway', 'access.token.claim': 'true', 'id.token.claim': 'false' },
        },
      ]
    : [],
  defaultClientScopes: ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email'],
});

before(async () => {
  const realm = await loadRealmExport();
  issuer = await startDevIssuer(configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), {
    realm,
    logger: createLogger('sso-clients-test', 'silent'),
  });
  base = `${issuer.url}/admin/realms/lgsp`;
  jwks = createRemoteJWKSet(new URL(`${issuer.issuer}/protocol/openid-connect/certs`));
  adminToken = await clientCredentials('lgsp-registry', realm.clients.find((c) => c.clientId === 'lgsp-registry')?.secret ?? '');
});
after(async () => {
  await issuer.close();
});

describe('development issuer: the gateway audience comes from the client, as in Keycloak', () => {
  it('gives a client without audience mapper or gateway roles a token without aud, which the gateway refuses', async () => {
    assert.equal((await admin('POST', '/clients', applicationClient('sso-app-no-audience', false))).status, 201);
    const token = await clientCredentials('sso-app-no-audience', 'sso-app-no-audience-secret');
    const payload = decodeJwt(token);
    assert.equal(payload.aud, undefined, JSON.stringify(payload));
    assert.equal(payload.azp, 'sso-app-no-audience');
    // What the gateway checks: signature, issuer and audience lgsp-gateway.
    await assert.rejects(jwtVerify(token, jwks, { issuer: issuer.issuer, audience: 'lgsp-gateway', algorithms: ['RS256'] }), /aud/);
    // The token is still a valid token of the realm (signature and issuer).
    await jwtVerify(token, jwks, { issuer: issuer.issuer, algorithms: ['RS256'] });
  });

  it('gives the gateway audience to a client with the audience mapper', async () => {
    assert.equal((await admin('POST', '/clients', applicationClient('sso-app-audience', true))).status, 201);
    const token = await clientCredentials('sso-app-audience', 'sso-app-audience-secret');
    const { payload } = await jwtVerify(token, jwks, { issuer: issuer.issuer, audience: 'lgsp-gateway', algorithms: ['RS256'] });
    assert.equal(payload.aud, 'lgsp-gateway');
  });

  it("keeps the gateway audience in the realm's agency system tokens, and the registry's own audience from its roles", async () => {
    for (const client of issuer.realm.clients.filter((c) => c.serviceAccountsEnabled && /-h41-|truongvinh/.test(c.clientId))) {
      const token = await developmentClientToken(issuer.issuer, client.clientId, issuer.realm);
      const { payload } = await jwtVerify(token, jwks, { issuer: issuer.issuer, audience: 'lgsp-gateway' });
      assert.equal(payload.azp, client.clientId);
    }
    // lgsp-registry has no audience mapper: Keycloak's audience resolve names the clients whose roles it holds.
    const registry = decodeJwt(adminToken);
    assert.ok(registry.aud === 'realm-management' || (Array.isArray(registry.aud) && !registry.aud.includes('lgsp-gateway')), JSON.stringify(registry.aud));
  });
});

describe('development issuer: Admin REST API keeps the front-channel logout settings', () => {
  it('returns baseUrl, frontchannelLogout and frontchannel.logout.url as they were created and updated', async () => {
    const created = await admin('POST', '/clients', applicationClient('sso-app-settings', false));
    assert.equal(created.status, 201);
    const found = (await admin('GET', '/clients?clientId=sso-app-settings')).body as Array<Record<string, unknown>>;
    const rep = found[0];
    assert.ok(rep);
    assert.equal(rep.baseUrl, '/home?lang=vi');
    assert.equal(rep.frontchannelLogout, true);
    assert.equal((rep.attributes as Record<string, string>)['frontchannel.logout.url'], 'http://127.0.0.1:7001/logout');
    assert.equal((rep.attributes as Record<string, string>)['frontchannel.logout.session.required'], 'true');

    assert.equal((await admin('PUT', `/clients/${String(rep.id)}`, { frontchannelLogout: false, baseUrl: '/start' })).status, 204);
    const updated = (await admin('GET', `/clients/${String(rep.id)}`)).body as Record<string, unknown>;
    assert.equal(updated.frontchannelLogout, false);
    assert.equal(updated.baseUrl, '/start');
    assert.equal((updated.attributes as Record<string, string>)['frontchannel.logout.url'], 'http://127.0.0.1:7001/logout');
  });

  it('refuses a frontchannelLogout that is not a boolean', async () => {
    const response = await admin('POST', '/clients', { ...applicationClient('sso-app-bad', false), frontchannelLogout: 'yes' });
    assert.equal(response.status, 400);
  });
});

describe('front-channel logout URLs of a session, as Keycloak builds them', () => {
  const client = (clientId: string, extra: Record<string, unknown>) => clientSchema.parse({ clientId, frontchannelLogout: true, ...extra });
  const realm = {
    clients: [
      client('with-session', { attributes: { 'frontchannel.logout.url': 'https://a.example/logout?x=1', 'frontchannel.logout.session.required': 'true' } }),
      client('without-session', { attributes: { 'frontchannel.logout.url': 'https://b.example/logout' } }),
      client('switched-off', { frontchannelLogout: false, attributes: { 'frontchannel.logout.url': 'https://c.example/logout' } }),
      client('disabled', { enabled: false, attributes: { 'frontchannel.logout.url': 'https://d.example/logout' } }),
      client('no-url', {}),
    ],
  } as unknown as RealmExport;

  it('adds iss and sid only when the client requires the session, and skips clients without front-channel logout', () => {
    const urls = frontchannelLogoutUrls(realm, 'http://localhost:8080/realms/lgsp', {
      'with-session': { sid: 'sid-1' },
      'without-session': { sid: 'sid-2' },
      'switched-off': { sid: 'sid-3' },
      disabled: { sid: 'sid-4' },
      'no-url': { sid: 'sid-5' },
      'not-in-realm': { sid: 'sid-6' },
    });
    assert.deepEqual(urls, ['https://a.example/logout?x=1&iss=http%3A%2F%2Flocalhost%3A8080%2Frealms%2Flgsp&sid=sid-1', 'https://b.example/logout']);
  });
});
