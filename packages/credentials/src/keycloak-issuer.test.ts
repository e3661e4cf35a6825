/**
 * The Keycloak CredentialIssuer against the real development issuer over HTTP (its Admin REST API subset), with real
 * tokens obtained with the credentials it creates and verified against the issuer's JWKS; and Keycloak failing
 * midway, through a real HTTP proxy that fails the Nth Admin REST API call, leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningDevIssuer } from '@lgsp/keycloak';
import { ConfigError, createLogger, ErrorCode, LgspError, loadConfig, Role } from '@lgsp/kit';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, jwtVerify, type JWTPayload } from 'jose';
import { credentialIssuerFromConfig, credentialsConfigSchema } from './config.ts';
import { acceptPublicKey } from './keys.ts';
import { createKeycloakCredentialIssuer } from './keycloak-issuer.ts';
import { startCredentialsForTest, startFaultyProxy, tokenWithCredential, type CredentialsForTest, type FaultyProxy } from './testing.ts';
import type { ClientSpec, CredentialIssuer } from './types.ts';

const logger = createLogger('credentials-test', 'silent');
let issuer: RunningDevIssuer;
let credentials: CredentialIssuer;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let adminSecret: string;
let run = 0;

let running: CredentialsForTest;

before(async () => {
  running = await startCredentialsForTest(logger);
  ({ issuer, credentials, adminSecret } = running);
  jwks = createRemoteJWKSet(new URL(`${issuer.issuer}/protocol/openid-connect/certs`));
});
after(async () => {
  await running.close();
});

const rsaKeyPair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};

const spec = (overrides: Partial<ClientSpec> = {}): ClientSpec => ({
  clientId: `test-system-${process.pid}-${++run}`,
  agencyCode: '000.00.04.H41',
  systemId: '000.00.04.H41:he-thong-ho-tich',
  environment: 'test',
  method: 'client-secret-jwt',
  ...overrides,
});

async function verified(accessToken: unknown): Promise<JWTPayload> {
  assert.equal(typeof accessToken, 'string');
  const { payload } = await jwtVerify(String(accessToken), jwks, { issuer: issuer.issuer, audience: 'lgsp-gateway' });
  return payload;
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LgspError, `expected an LgspError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** Nothing of the client is left in the identity provider: no client, no service-account user. */
function assertNothingLeft(clientId: string): void {
  assert.equal(
    issuer.realm.clients.some((c) => c.clientId === clientId),
    false,
    `client ${clientId} left behind`,
  );
  assert.equal(
    issuer.realm.users.some((u) => u.serviceAccountClientId === clientId || u.username === `service-account-${clientId}`),
    false,
    `service account of ${clientId} left behind`,
  );
}

describe('credentials: Keycloak clients through the Admin REST API (development issuer)', () => {
  it('creates a client-secret-jwt test credential whose secret gets a token at once, with agency_code, system_id, lgsp_environment', async () => {
    const wanted = spec();
    const issued = await credentials.create(wanted);
    assert.equal(issued.clientId, wanted.clientId);
    assert.equal(issued.method, 'client-secret-jwt');
    assert.equal(issued.environment, 'test');
    assert.ok(issued.secret && issued.secret.length >= 32, 'the secret is shown once');
    const { status, body } = await tokenWithCredential(issuer.issuer, wanted.clientId, { secret: issued.secret });
    assert.equal(status, 200, JSON.stringify(body));
    const claims = await verified(body.access_token);
    assert.equal(claims.agency_code, '000.00.04.H41');
    assert.equal(claims.system_id, '000.00.04.H41:he-thong-ho-tich');
    assert.equal(claims.lgsp_environment, 'test');
    assert.equal(claims.azp, wanted.clientId);
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes(Role.agencySystem));
    assert.deepEqual((claims.resource_access as Record<string, { roles: string[] }>)['lgsp-gateway']?.roles, [Role.dataConsumer]);
    assert.deepEqual(await credentials.get(wanted.clientId), {
      clientId: wanted.clientId,
      enabled: true,
      method: 'client-secret-jwt',
      environment: 'test',
      agencyCode: '000.00.04.H41',
      systemId: '000.00.04.H41:he-thong-ho-tich',
    });
    // A wrong secret is refused.
    assert.equal((await tokenWithCredential(issuer.issuer, wanted.clientId, { secret: 'x'.repeat(32) })).status, 401);
  });

  it("gives a test credential the portal's origins as web origins (the try-out's CORS), a production one none", async () => {
    const test = spec();
    const production = spec({ environment: 'production' });
    await credentials.create(test);
    await credentials.create(production);
    const portal = issuer.realm.clients.find((c) => c.clientId === 'lgsp-portal');
    const portalOrigin = new URL(portal?.redirectUris[0] ?? '').origin;
    assert.deepEqual(issuer.realm.clients.find((c) => c.clientId === test.clientId)?.webOrigins, [portalOrigin]);
    assert.deepEqual(issuer.realm.clients.find((c) => c.clientId === production.clientId)?.webOrigins, []);
    await credentials.remove(test.clientId);
    await credentials.remove(production.clientId);
  });

  it('creates a client-jwt production credential from a public key: RS256 assertions with its kid get a token without lgsp_environment', async () => {
    const keys = rsaKeyPair();
    const wanted = spec({ method: 'client-jwt', environment: 'production', publicKeyPem: keys.publicKeyPem, agencyCode: '000.01.05.H41', systemId: 'his' });
    const issued = await credentials.create(wanted);
    assert.equal(issued.secret, undefined);
    const { kid } = acceptPublicKey(keys.publicKeyPem);
    assert.equal(kid, await calculateJwkThumbprint(await exportJWK(createPublicKey(keys.publicKeyPem))), 'the kid is the RFC 7638 thumbprint');
    const { status, body } = await tokenWithCredential(issuer.issuer, wanted.clientId, { privateKeyPem: keys.privateKeyPem, kid });
    assert.equal(status, 200, JSON.stringify(body));
    const claims = await verified(body.access_token);
    assert.equal(claims.agency_code, '000.01.05.H41');
    assert.equal(claims.system_id, 'his');
    assert.equal('lgsp_environment' in claims, false, 'production tokens carry no lgsp_environment');
    // Another key pair is refused.
    assert.equal((await tokenWithCredential(issuer.issuer, wanted.clientId, { privateKeyPem: rsaKeyPair().privateKeyPem })).status, 401);
  });

  it('creates a client-jwt credential from a JWKS URL, fetched from the system when it asks for a token', async () => {
    const keys = rsaKeyPair();
    const jwk = { ...(await exportJWK(createPublicKey(keys.publicKeyPem))), use: 'sig', alg: 'RS256' };
    const kid = await calculateJwkThumbprint(jwk);
    let served = 0;
    const jwksServer: Server = createServer((_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...jwk, kid }] }));
    });
    jwksServer.listen(0, '127.0.0.1');
    await once(jwksServer, 'listening');
    try {
      const wanted = spec({ method: 'client-jwt', jwksUrl: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json` });
      await credentials.create(wanted);
      const { status, body } = await tokenWithCredential(issuer.issuer, wanted.clientId, { privateKeyPem: keys.privateKeyPem, kid });
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal((await verified(body.access_token)).lgsp_environment, 'test');
      assert.ok(served >= 1, 'the JWKS was fetched from the system');
    } finally {
      jwksServer.closeAllConnections();
      jwksServer.close();
    }
  });

  it('refuses a duplicate client id (ALREADY_EXISTS), keys that are not public keys (INVALID_PUBLIC_KEY) and malformed specs', async () => {
    const wanted = spec();
    await credentials.create(wanted);
    await rejectsWith(credentials.create({ ...wanted }), ErrorCode.ALREADY_EXISTS);
    await rejectsWith(credentials.create({ ...wanted, clientId: 'vpubnd-h41-motcua' }), ErrorCode.ALREADY_EXISTS);
    const jwt = (extra: Partial<ClientSpec>) => spec({ method: 'client-jwt', ...extra });
    await rejectsWith(
      credentials.create(jwt({ publicKeyPem: '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n' })),
      ErrorCode.INVALID_PUBLIC_KEY,
    );
    await rejectsWith(credentials.create(jwt({ publicKeyPem: 'hello' })), ErrorCode.INVALID_PUBLIC_KEY);
    await rejectsWith(credentials.create(jwt({ publicKeyPem: rsaKeyPair().privateKeyPem })), ErrorCode.INVALID_PUBLIC_KEY);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await rejectsWith(credentials.create(jwt({ publicKeyPem: weak })), ErrorCode.INVALID_PUBLIC_KEY);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await rejectsWith(credentials.create(jwt({ publicKeyPem: ed })), ErrorCode.INVALID_PUBLIC_KEY);
    await rejectsWith(credentials.create(jwt({})), ErrorCode.INVALID_PUBLIC_KEY);
    await rejectsWith(
      credentials.create(jwt({ publicKeyPem: rsaKeyPair().publicKeyPem, jwksUrl: 'https://example.gov.vn/jwks' })),
      ErrorCode.INVALID_PUBLIC_KEY,
    );
    await rejectsWith(credentials.create(jwt({ jwksUrl: 'not a url' })), ErrorCode.INVALID_PUBLIC_KEY);
    await rejectsWith(credentials.create(jwt({ jwksUrl: 'http://example.gov.vn/jwks' })), ErrorCode.INVALID_PUBLIC_KEY);
    await rejectsWith(credentials.create(spec({ agencyCode: '000.00.4.H41' })), ErrorCode.INVALID_AGENCY_CODE);
    await rejectsWith(credentials.create(spec({ clientId: 'Bad Id' })), ErrorCode.BAD_USER_INPUT);
    await rejectsWith(credentials.create(spec({ publicKeyPem: rsaKeyPair().publicKeyPem })), ErrorCode.BAD_USER_INPUT);
    // Keycloak reads a PEM public key as RSA: an EC key is refused before anything is sent.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await rejectsWith(credentials.create(jwt({ publicKeyPem: ec })), ErrorCode.INVALID_PUBLIC_KEY);
  });

  it('disables (token refused at once), enables again, rotates a secret (the old one refused) and a key, removes', async () => {
    const wanted = spec();
    const { secret = '' } = await credentials.create(wanted);
    await credentials.setEnabled(wanted.clientId, false);
    assert.equal((await credentials.get(wanted.clientId))?.enabled, false);
    const refused = await tokenWithCredential(issuer.issuer, wanted.clientId, { secret });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    await credentials.setEnabled(wanted.clientId, true);
    assert.equal((await tokenWithCredential(issuer.issuer, wanted.clientId, { secret })).status, 200);

    const rotated = await credentials.rotate(wanted.clientId);
    assert.ok(rotated.secret && rotated.secret !== secret);
    assert.equal((await tokenWithCredential(issuer.issuer, wanted.clientId, { secret })).status, 401, 'the old secret no longer works');
    assert.equal((await tokenWithCredential(issuer.issuer, wanted.clientId, { secret: rotated.secret })).status, 200);
    await rejectsWith(credentials.rotate(wanted.clientId, { publicKeyPem: rsaKeyPair().publicKeyPem }), ErrorCode.BAD_USER_INPUT);

    const first = rsaKeyPair();
    const second = rsaKeyPair();
    const keyed = spec({ method: 'client-jwt', publicKeyPem: first.publicKeyPem });
    await credentials.create(keyed);
    await rejectsWith(credentials.rotate(keyed.clientId, { publicKeyPem: 'nope' }), ErrorCode.INVALID_PUBLIC_KEY);
    assert.equal(
      (await tokenWithCredential(issuer.issuer, keyed.clientId, { privateKeyPem: first.privateKeyPem })).status,
      200,
      'a refused rotation changed nothing',
    );
    await credentials.rotate(keyed.clientId, { publicKeyPem: second.publicKeyPem });
    assert.equal((await tokenWithCredential(issuer.issuer, keyed.clientId, { privateKeyPem: first.privateKeyPem })).status, 401);
    assert.equal((await tokenWithCredential(issuer.issuer, keyed.clientId, { privateKeyPem: second.privateKeyPem })).status, 200);

    await credentials.remove(wanted.clientId);
    assert.equal(await credentials.get(wanted.clientId), null);
    assert.equal((await tokenWithCredential(issuer.issuer, wanted.clientId, { secret: rotated.secret })).status, 401);
    assertNothingLeft(wanted.clientId);
    await credentials.remove(wanted.clientId); // nothing to remove: no error
    await rejectsWith(credentials.setEnabled(wanted.clientId, true), ErrorCode.NOT_FOUND);
    await rejectsWith(credentials.rotate(wanted.clientId), ErrorCode.NOT_FOUND);
  });
});

describe('credentials: configuration', () => {
  it("reads KEYCLOAK_ADMIN_URL, KEYCLOAK_REALM, KEYCLOAK_ADMIN_CLIENT_ID and the secret file, and reads the realm's clients with it", async () => {
    const secretFile = new URL('../../../keycloak/dev-credentials/lgsp-registry.secret', import.meta.url).pathname;
    const config = loadConfig('credentials-test', credentialsConfigSchema, { KEYCLOAK_ADMIN_URL: issuer.url, KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: secretFile });
    assert.equal(config.KEYCLOAK_REALM, 'lgsp');
    assert.equal(config.KEYCLOAK_ADMIN_CLIENT_ID, 'lgsp-registry');
    const fromConfig = await credentialIssuerFromConfig(config, logger);
    assert.deepEqual(await fromConfig.get('congan-h41-dancu'), {
      clientId: 'congan-h41-dancu',
      enabled: true,
      method: 'client-jwt',
      environment: 'production',
      agencyCode: '000.00.02.H41',
      systemId: (await credentials.get('congan-h41-dancu'))?.systemId,
    });
    assert.throws(
      () =>
        loadConfig('credentials-test', credentialsConfigSchema, {
          KEYCLOAK_ADMIN_URL: `${issuer.url}/realms/lgsp`,
          KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: secretFile,
        }),
      ConfigError,
    );
    await assert.rejects(
      credentialIssuerFromConfig({ ...config, KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: '/nonexistent/secret' }),
      /KEYCLOAK_ADMIN_CLIENT_SECRET_FILE/,
    );
  });
});

describe('credentials: Keycloak failing midway leaves nothing behind', () => {
  let proxy: FaultyProxy;
  let throughProxy: CredentialIssuer;
  before(async () => {
    proxy = await startFaultyProxy(issuer.url);
    throughProxy = createKeycloakCredentialIssuer({ adminUrl: proxy.url, realm: 'lgsp', clientId: 'lgsp-registry', clientSecret: adminSecret, logger });
  });
  after(async () => {
    await proxy.close();
  });

  for (const how of ['status', 'reset'] as const) {
    it(`fails every Admin REST API call of a create in turn (${how === 'status' ? 'a 503 answer' : 'the connection cut after Keycloak did the work'}): IDENTITY_PROVIDER_UNAVAILABLE, nothing left`, async () => {
      let failed = 0;
      for (let n = 1; n < 20; n++) {
        const wanted = spec({ method: n % 2 === 0 ? 'client-jwt' : 'client-secret-jwt', ...(n % 2 === 0 ? { publicKeyPem: rsaKeyPair().publicKeyPem } : {}) });
        proxy.failCall(n, how);
        const before = proxy.calls.length;
        try {
          await throughProxy.create(wanted);
        } catch (error) {
          assert.ok(error instanceof LgspError && error.code === ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, `call ${n}: ${String(error)}`);
          assert.ok(
            proxy.calls.slice(before).some((c) => c.failed),
            `call ${n} was failed`,
          );
          assertNothingLeft(wanted.clientId);
          assert.equal(await credentials.get(wanted.clientId), null);
          failed++;
          continue;
        }
        // No call failed: n is past the last call of a create, and the create succeeded whole.
        assert.equal(
          proxy.calls.slice(before).some((c) => c.failed),
          false,
        );
        assert.ok((await credentials.get(wanted.clientId))?.enabled);
        break;
      }
      proxy.failCall(undefined);
      assert.ok(failed >= 7, `a create makes at least 7 Admin REST API calls, each failed once (${failed})`);
    });
  }

  it('fails rotate, disable and remove whole when Keycloak fails: the credential is as it was', async () => {
    const wanted = spec();
    const { secret = '' } = await credentials.create(wanted);
    proxy.failCall(2); // after the lookup, the change itself
    await rejectsWith(throughProxy.rotate(wanted.clientId), ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE);
    proxy.failCall(2);
    await rejectsWith(throughProxy.setEnabled(wanted.clientId, false), ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE);
    proxy.failCall(2);
    await rejectsWith(throughProxy.remove(wanted.clientId), ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE);
    proxy.failCall(undefined);
    assert.equal((await credentials.get(wanted.clientId))?.enabled, true);
    assert.equal((await tokenWithCredential(issuer.issuer, wanted.clientId, { secret })).status, 200, 'the secret still works');
  });

  it('gives up on a call Keycloak never answers (KEYCLOAK_ADMIN_TIMEOUT_MS): IDENTITY_PROVIDER_UNAVAILABLE, nothing left', async () => {
    const impatient = createKeycloakCredentialIssuer({
      adminUrl: proxy.url,
      realm: 'lgsp',
      clientId: 'lgsp-registry',
      clientSecret: adminSecret,
      logger,
      timeoutMs: 300,
    });
    const wanted = spec();
    proxy.failCall(3, 'hang'); // the service-account user, after the client was created
    const started = Date.now();
    await rejectsWith(impatient.create(wanted), ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE);
    proxy.failCall(undefined);
    assert.ok(Date.now() - started < 5000, 'it did not wait for ever');
    assertNothingLeft(wanted.clientId);
  });

  it('answers IDENTITY_PROVIDER_UNAVAILABLE when Keycloak cannot be reached or refuses the admin client', async () => {
    const closed = await startFaultyProxy(issuer.url);
    await closed.close();
    const unreachable = createKeycloakCredentialIssuer({
      adminUrl: closed.url,
      realm: 'lgsp',
      clientId: 'lgsp-registry',
      clientSecret: adminSecret,
      logger,
      timeoutMs: 2000,
    });
    await rejectsWith(unreachable.create(spec()), ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE);
    await rejectsWith(unreachable.get('anything'), ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE);
    const wrongSecret = createKeycloakCredentialIssuer({ adminUrl: issuer.url, realm: 'lgsp', clientId: 'lgsp-registry', clientSecret: 'wrong', logger });
    await rejectsWith(wrongSecret.get('anything'), ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE);
  });
});
