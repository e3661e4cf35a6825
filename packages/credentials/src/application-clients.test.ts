/**
 * Agencies' single sign-on clients (BG:12) against the real development issuer's Admin REST API: the client as
 * Keycloak stores it (standard flow, exact redirect URIs, root URL from the login URL, front-channel logout URL,
 * post-logout redirect URIs, the agency_code mapper, no role scope), disabled and removed; and Keycloak failing each
 * call of a create in turn, through a real HTTP proxy, leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger, ErrorCode, LgspError } from '@lgsp/kit';
import { createKeycloakApplicationClients, type ApplicationClients, type ApplicationClientSpec } from './application-clients.ts';
import { startCredentialsForTest, startFaultyProxy, type CredentialsForTest, type FaultyProxy } from './testing.ts';

const logger = createLogger('credentials-test', 'silent');
let running: CredentialsForTest;
let run = 0;

before(async () => {
  running = await startCredentialsForTest(logger);
});
after(async () => {
  await running.close();
});

const spec = (overrides: Partial<ApplicationClientSpec> = {}): ApplicationClientSpec => ({
  clientId: `000.00.04.h41.sso.${process.pid.toString(16)}${++run}`,
  agencyCode: '000.00.04.H41',
  name: 'Một cửa điện tử Sở Tư pháp',
  description: 'Tiếp nhận hồ sơ',
  loginUrl: 'https://motcua.stp.nghean.gov.vn/dang-nhap?lang=vi',
  logoutUrl: 'https://motcua.stp.nghean.gov.vn/oidc/logout',
  redirectUris: ['https://motcua.stp.nghean.gov.vn/oidc/callback'],
  ...overrides,
});

const realmClient = (clientId: string) => running.issuer.realm.clients.find((c) => c.clientId === clientId);

describe('credentials: single sign-on application clients (development issuer)', () => {
  it('creates a confidential standard-flow client with its URLs and the agency_code mapper; the secret once', async () => {
    const wanted = spec();
    const { clientId, secret } = await running.applications.create(wanted);
    assert.equal(clientId, wanted.clientId);
    assert.match(secret, /^[A-Za-z0-9]{32}$/);
    const client = realmClient(clientId)!;
    assert.equal(client.secret, secret);
    assert.deepEqual(
      {
        publicClient: client.publicClient,
        standardFlowEnabled: client.standardFlowEnabled,
        directAccessGrantsEnabled: client.directAccessGrantsEnabled,
        serviceAccountsEnabled: client.serviceAccountsEnabled,
        fullScopeAllowed: client.fullScopeAllowed,
        clientAuthenticatorType: client.clientAuthenticatorType,
        rootUrl: client.rootUrl,
        redirectUris: client.redirectUris,
        logout: client.attributes['frontchannel.logout.url'],
        postLogout: client.attributes['post.logout.redirect.uris'],
        mappers: client.protocolMappers.map((m) => [m.protocolMapper, m.config['user.attribute'], m.config['id.token.claim']]),
      },
      {
        publicClient: false,
        standardFlowEnabled: true,
        directAccessGrantsEnabled: false,
        serviceAccountsEnabled: false,
        fullScopeAllowed: false,
        clientAuthenticatorType: 'client-secret',
        rootUrl: 'https://motcua.stp.nghean.gov.vn',
        redirectUris: ['https://motcua.stp.nghean.gov.vn/oidc/callback'],
        logout: 'https://motcua.stp.nghean.gov.vn/oidc/logout',
        postLogout: 'https://motcua.stp.nghean.gov.vn/dang-nhap?lang=vi##https://motcua.stp.nghean.gov.vn/oidc/callback',
        mappers: [['oidc-usermodel-attribute-mapper', 'agency_code', 'true']],
      },
    );
    assert.equal(
      running.issuer.realm.users.some((u) => u.serviceAccountClientId === clientId),
      false,
      'no service account',
    );
    assert.equal((await running.applications.get(clientId))?.agencyCode, '000.00.04.H41');

    await assert.rejects(running.applications.create(wanted), (e: unknown) => e instanceof LgspError && e.code === ErrorCode.ALREADY_EXISTS);
    await running.applications.setEnabled(clientId, false);
    assert.equal((await running.applications.get(clientId))?.enabled, false);
    await running.applications.remove(clientId);
    assert.equal(await running.applications.get(clientId), null);
    await running.applications.remove(clientId); // nothing to remove: no error
    await assert.rejects(running.applications.setEnabled(clientId, true), (e: unknown) => e instanceof LgspError && e.code === ErrorCode.NOT_FOUND);
  });

  it('refuses a malformed client id or no redirect URI before calling Keycloak', async () => {
    await assert.rejects(
      running.applications.create(spec({ clientId: 'Không hợp lệ' })),
      (e: unknown) => e instanceof LgspError && e.code === ErrorCode.BAD_USER_INPUT,
    );
    await assert.rejects(
      running.applications.create(spec({ redirectUris: [] })),
      (e: unknown) => e instanceof LgspError && e.code === ErrorCode.BAD_USER_INPUT,
    );
  });
});

describe('credentials: Keycloak failing midway through an application client leaves nothing behind', () => {
  let proxy: FaultyProxy;
  let throughProxy: ApplicationClients;
  before(async () => {
    proxy = await startFaultyProxy(running.issuer.url);
    throughProxy = createKeycloakApplicationClients({
      adminUrl: proxy.url,
      realm: 'lgsp',
      clientId: 'lgsp-registry',
      clientSecret: running.adminSecret,
      logger,
    });
  });
  after(async () => {
    await proxy.close();
  });

  for (const how of ['status', 'reset'] as const) {
    it(`fails each Admin REST API call of a create in turn (${how === 'status' ? 'a 503 answer' : 'the connection cut after Keycloak did the work'})`, async () => {
      let failed = 0;
      for (let n = 1; n < 10; n++) {
        const wanted = spec();
        proxy.failCall(n, how);
        const before = proxy.calls.length;
        try {
          await throughProxy.create(wanted);
        } catch (error) {
          assert.ok(error instanceof LgspError && error.code === ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, `call ${n}: ${String(error)}`);
          assert.ok(proxy.calls.slice(before).some((c) => c.failed));
          assert.equal(realmClient(wanted.clientId), undefined, `call ${n}: client ${wanted.clientId} left behind`);
          failed++;
          continue;
        }
        assert.equal(
          proxy.calls.slice(before).some((c) => c.failed),
          false,
        );
        assert.ok(realmClient(wanted.clientId));
        break;
      }
      proxy.failCall(undefined);
      assert.ok(failed >= 3, `a create makes at least 3 Admin REST API calls, each failed once (${failed})`);
    });
  }
});
