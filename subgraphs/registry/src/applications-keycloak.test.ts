/**
 * Civil servants' single sign-on (BG:12) with the real `@lgsp/credentials` on the development issuer's Admin REST
 * API: an application registered through the registry's GraphQL is a confidential Keycloak client that signs a civil
 * servant in with the authorization code flow (its secret, its redirect URI) and whose ID token carries the user's
 * agency; removing it deletes the client (the issuer refuses it at once); and a registration whose record cannot be
 * written leaves no client behind.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, ErrorCode, LgspError, type Principal } from '@lgsp/kit';
import { createMemoryChangeLog, createMemoryCredentialRevocations, createMemoryGrantStore } from '@lgsp/access';
import { startCredentialsForTest } from '@lgsp/credentials/testing';
import { developmentPassword, loadRealmExport } from '@lgsp/keycloak/realm';
import { decodeJwt } from 'jose';
import { loadRegistryConfig } from './config.ts';
import { readDevelopmentSeed } from './data/seed.ts';
import { loadWorkingCalendar } from './data/calendar/index.ts';
import { Registry } from './domain/registry.ts';
import { callerFrom } from './domain/caller.ts';
import { createMemoryCredentialIssuer } from './ports/credentials.ts';
import { createMemoryRegistryEvents } from './ports/events.ts';
import type { ApplicationClients, ApplicationClientSpec } from './ports/application-clients.ts';
import { startRegistry, type RunningRegistry } from './service.ts';
import { createMemoryRegistryStore } from './store/memory-registry-store.ts';
import { seedRegistry } from './data/seed.ts';
import { adminOf, JUSTICE, OPERATOR } from './testing.ts';

const ORIGIN = 'https://motcua.stp.nghean.gov.vn';
const REDIRECT = `${ORIGIN}/oidc/callback`;

/** Signs `username` in to the application `clientId` as a browser would (login form), then exchanges the code with the client secret. */
async function signIn(issuerUrl: string, clientId: string, secret: string, username: string, password: string) {
  const cookies = new Map<string, string>();
  const keep = (r: Response) => {
    for (const line of r.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return r;
  };
  const cookie = () => [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  const get = async (url: string) => keep(await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } }));
  const authorize = new URL(`${issuerUrl}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: randomUUID(),
  }).toString();
  const start = await get(authorize.href);
  if (start.status !== 303) return { refused: start.status };
  const loginUrl = new URL(start.headers.get('location') ?? '', authorize).href;
  const html = await (await get(loginUrl)).text();
  const action = new URL((/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&'), loginUrl).href;
  const csrf = /name="csrf_token" value="([^"]*)"/.exec(html)?.[1] ?? '';
  const posted = keep(
    await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
      body: new URLSearchParams({ csrf_token: csrf, username, password, action: 'login' }),
    }),
  );
  assert.equal(posted.status, 303, `login of ${username}`);
  let location = posted.headers.get('location') ?? '';
  for (let hops = 0; !location.startsWith(REDIRECT) && hops < 5; hops++) location = (await get(new URL(location, action).href)).headers.get('location') ?? '';
  const code = new URL(location).searchParams.get('code');
  assert.ok(code, `an authorization code at the redirect URI (${location})`);
  const token = await fetch(`${issuerUrl}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
  });
  return { status: token.status, body: (await token.json()) as Record<string, unknown> };
}

describe('single sign-on applications on the development issuer', () => {
  let registry: RunningRegistry;
  let creds: Awaited<ReturnType<typeof startCredentialsForTest>>;
  const changes = createMemoryChangeLog();
  let gql: (p: Principal, q: string, v?: Record<string, unknown>) => Promise<any>;
  before(async () => {
    creds = await startCredentialsForTest();
    const tokens = await createInternalTokenIssuer({ ttlSeconds: 60 });
    registry = await startRegistry(loadRegistryConfig({ PORT: '0', LOG_LEVEL: 'silent', REGISTRY_SWEEP_MS: '0' }), {
      verifier: createInternalTokenVerifier({ jwks: tokens.jwks() }),
      logger: createLogger('registry', 'silent'),
      grants: createMemoryGrantStore(),
      changes,
      revocations: createMemoryCredentialRevocations(),
      issuer: creds.credentials,
      applicationClients: creds.applications,
      seed: { ...readDevelopmentSeed(), relayParticipants: { systems: [] } },
    });
    gql = async (p, q, v = {}) =>
      await (
        await fetch(registry.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens.tokenFor(p)}` },
          body: JSON.stringify({ query: q, variables: v }),
        })
      ).json();
  });
  after(async () => {
    await registry.close();
    await creds.close();
  });

  it('registers an application as a Keycloak client that signs a civil servant of the agency in, then removes it', async () => {
    const registered = await gql(
      adminOf(JUSTICE),
      `mutation($input: AgencyApplicationInput!) {
        registerAgencyApplication(input: $input) { clientSecret application { id agencyCode name clientId loginUrl logoutUrl redirectUris enabled createdAt } }
      }`,
      {
        input: {
          agencyCode: JUSTICE,
          name: 'Một cửa điện tử Sở Tư pháp',
          description: 'Hệ thống một cửa',
          loginUrl: `${ORIGIN}/dang-nhap`,
          logoutUrl: `${ORIGIN}/oidc/logout`,
          redirectUris: [REDIRECT],
        },
      },
    );
    assert.equal(registered.errors, undefined, JSON.stringify(registered.errors));
    const { application, clientSecret } = registered.data.registerAgencyApplication;
    assert.match(application.clientId, /^000\.00\.04\.h41\.sso\.[0-9a-f]{8}$/);
    assert.equal(typeof clientSecret, 'string');

    // The client as Keycloak has it: its redirect URI, root URL, front-channel logout URL and the agency.
    const client = await creds.applications.get(application.clientId);
    assert.deepEqual(client, {
      clientId: application.clientId,
      enabled: true,
      redirectUris: [REDIRECT],
      rootUrl: ORIGIN,
      frontchannelLogoutUrl: `${ORIGIN}/oidc/logout`,
      postLogoutRedirectUris: [`${ORIGIN}/dang-nhap`, REDIRECT],
      agencyCode: JUSTICE,
    });

    // A civil servant of Sở Tư pháp signs in: the ID token is the application's, with the user's agency.
    const realm = await loadRealmExport();
    const tuan = realm.users.find((u) => u.username === 'tuan.pham')!;
    const login = await signIn(creds.issuer.issuer, application.clientId, clientSecret, 'tuan.pham', developmentPassword(tuan) ?? '');
    assert.equal(login.status, 200, JSON.stringify(login));
    const idToken = decodeJwt(String(login.body!.id_token));
    assert.equal(idToken.aud, application.clientId);
    assert.equal(idToken.agency_code, JUSTICE);
    assert.equal(idToken.preferred_username, 'tuan.pham');
    const accessToken = decodeJwt(String(login.body!.access_token));
    assert.equal(accessToken.agency_code, JUSTICE);
    // No role scope: no roles, so Keycloak's audience resolve does not make the gateway an audience. (The development
    // issuer still writes `aud: lgsp-gateway` into every access token, whatever the client: NOTES-registry.md.)
    assert.equal(accessToken.resource_access, undefined, 'no roles of the gateway in it');
    assert.equal(accessToken.realm_access, undefined, 'no realm roles in it');
    // A wrong secret is refused.
    const wrong = await signIn(creds.issuer.issuer, application.clientId, 'not-the-secret', 'tuan.pham', developmentPassword(tuan) ?? '');
    assert.equal(wrong.status, 401);

    // The launcher of Sở Tư pháp's civil servants lists it.
    const mine = await gql(
      { kind: 'user', userId: 'u', username: 'tuan.pham', agencyCode: JUSTICE, roles: ['civil-servant'], scopes: [] },
      '{ myApplications { id loginUrl } }',
    );
    assert.deepEqual(mine.data.myApplications, [{ id: application.id, loginUrl: `${ORIGIN}/dang-nhap` }]);

    const removed = await gql(adminOf(JUSTICE), `mutation { removeAgencyApplication(id: "${application.id}", reason: "thay hệ thống mới") { id enabled } }`);
    assert.equal(removed.errors, undefined, JSON.stringify(removed.errors));
    assert.deepEqual(removed.data.removeAgencyApplication, { id: application.id, enabled: false });
    assert.equal(await creds.applications.get(application.clientId), null, 'the Keycloak client is deleted');
    const after = await signIn(creds.issuer.issuer, application.clientId, clientSecret, 'tuan.pham', developmentPassword(tuan) ?? '');
    assert.ok('refused' in after && (after.refused ?? 0) >= 400, `the issuer refuses the removed client at once (${JSON.stringify(after)})`);
    const log = await changes.list({ entity: 'AgencyApplication', id: application.id, limit: 10 });
    assert.deepEqual(log.map((r) => r.action).sort(), ['REGISTER', 'REMOVE']);
    assert.doesNotMatch(JSON.stringify(log), new RegExp(clientSecret), 'the secret is in no change record');
  });

  it('deletes the client again when the record cannot be written, and leaves the client disabled when only its deletion fails', async () => {
    const store = createMemoryRegistryStore();
    await seedRegistry(store, readDevelopmentSeed(), new Date());
    let failCommits = 0;
    const failing = {
      ...store,
      async commit(writes: Parameters<typeof store.commit>[0]) {
        if (failCommits > 0) {
          failCommits -= 1;
          throw new Error('the store is unreachable (test fault)');
        }
        return store.commit(writes);
      },
    };
    const created: string[] = [];
    let failRemove = false;
    // The real clients, watched: which client ids a registration asked for; a deletion made to fail once.
    const watched: ApplicationClients = {
      ...creds.applications,
      create: async (spec: ApplicationClientSpec) => {
        created.push(spec.clientId);
        return creds.applications.create(spec);
      },
      remove: async (clientId: string) => {
        if (failRemove) throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'identity provider failed (test fault)');
        return creds.applications.remove(clientId);
      },
    };
    const domain = new Registry({
      store: failing,
      grants: createMemoryGrantStore(),
      changes: createMemoryChangeLog(),
      issuer: createMemoryCredentialIssuer(),
      revocations: createMemoryCredentialRevocations(),
      events: createMemoryRegistryEvents(),
      calendar: await loadWorkingCalendar(undefined),
      logger: createLogger('registry', 'silent'),
      applicationClients: watched,
    });
    const input = {
      agencyCode: JUSTICE,
      name: 'Quản lý văn bản',
      loginUrl: 'https://qlvb.stp.nghean.gov.vn/',
      logoutUrl: 'https://qlvb.stp.nghean.gov.vn/logout',
      redirectUris: ['https://qlvb.stp.nghean.gov.vn/callback'],
    };
    failCommits = 1;
    await assert.rejects(domain.applications.register(callerFrom(OPERATOR), input), /unreachable/);
    assert.equal(created.length, 1);
    assert.equal(await creds.applications.get(created[0]!), null, 'the client made before the failed write is deleted');
    assert.deepEqual(await domain.applications.list(callerFrom(OPERATOR), JUSTICE), []);

    const { application } = await domain.applications.register(callerFrom(OPERATOR), input);
    failCommits = 1;
    await assert.rejects(domain.applications.remove(callerFrom(OPERATOR), application.id, 'thử'), /unreachable/);
    assert.equal((await creds.applications.get(application.clientId))?.enabled, true, 'a removal whose record was not written enables the client again');

    failRemove = true;
    const removed = await domain.applications.remove(callerFrom(OPERATOR), application.id, 'thử');
    assert.equal(removed.enabled, false);
    assert.equal((await creds.applications.get(application.clientId))?.enabled, false, 'left disabled when its deletion failed (logged for the operator)');
    failRemove = false;
    await creds.applications.remove(application.clientId);
  });
});
