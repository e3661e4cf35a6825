/**
 * The development issuer's Admin REST API subset over plain HTTP: Keycloak's paths, status codes and
 * representations, the admin token of `lgsp-registry` (client credentials), and clients that work at the token
 * endpoint as soon as they are created and stop when disabled or deleted.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLogger, Role } from '@lgsp/kit';
import { SignJWT } from 'jose';
import { configSchema } from './config.ts';
import { developmentClientToken } from './dev-clients.ts';
import { loadRealmExport } from './realm.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';

let issuer: RunningDevIssuer;
let adminToken: string;
let base: string;

before(async () => {
  const realm = await loadRealmExport();
  issuer = await startDevIssuer(configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), {
    realm,
    logger: createLogger('admin-api-test', 'silent'),
  });
  base = `${issuer.url}/admin/realms/lgsp`;
  const secret = realm.clients.find((c) => c.clientId === 'lgsp-registry')?.secret ?? '';
  // What @keycloak/keycloak-admin-client sends: client credentials with HTTP Basic.
  const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`lgsp-registry:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(response.status, 200);
  adminToken = ((await response.json()) as { access_token: string }).access_token;
});
after(async () => {
  await issuer.close();
});

async function admin(method: string, path: string, body?: unknown, token = adminToken): Promise<{ status: number; body: unknown; location: string | null }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), location: response.headers.get('location') };
}

async function secretToken(clientId: string, secret: string): Promise<number> {
  const tokenEndpoint = `${issuer.issuer}/protocol/openid-connect/token`;
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  return response.status;
}

const newClient = (clientId: string) => ({
  clientId,
  enabled: true,
  publicClient: false,
  standardFlowEnabled: false,
  serviceAccountsEnabled: true,
  clientAuthenticatorType: 'client-secret-jwt',
  attributes: { 'token.endpoint.auth.signing.alg': 'HS256' },
  protocolMappers: [
    {
      name: 'agency_code',
      protocol: 'openid-connect',
      protocolMapper: 'oidc-hardcoded-claim-mapper',
      config: { 'claim.name': 'agency_code', 'claim.value': '000.00.03.H41', 'access.token.claim': 'true' },
    },
  ],
  defaultClientScopes: ['roles', 'profile', 'basic'],
});

describe('development issuer: Admin REST API (the subset the registry uses)', () => {
  it('refuses a request without a token (401) and a token without realm-management roles (403)', async () => {
    assert.equal((await admin('GET', '/clients', undefined, 'not-a-token')).status, 401);
    const response = await fetch(`${base}/clients`);
    assert.equal(response.status, 401);
    const agencyToken = await developmentClientToken(issuer.issuer, 'vpubnd-h41-motcua', issuer.realm);
    assert.equal((await admin('GET', '/clients', undefined, agencyToken)).status, 403);
    assert.equal((await admin('POST', '/clients', newClient('x-forbidden'), agencyToken)).status, 403);
    assert.equal((await fetch(`${issuer.url}/admin/realms/other/clients`, { headers: { authorization: `Bearer ${adminToken}` } })).status, 404);
  });

  it('creates a client (201, Location), finds it by clientId, refuses a duplicate (409), and the client gets a token at once', async () => {
    const created = await admin('POST', '/clients', newClient('adm-test-a'));
    assert.equal(created.status, 201);
    const id = created.location?.split('/').pop() ?? '';
    assert.match(created.location ?? '', new RegExp(`/admin/realms/lgsp/clients/${id}$`));
    const found = await admin('GET', '/clients?clientId=adm-test-a');
    assert.equal(found.status, 200);
    assert.deepEqual(
      (found.body as Array<{ id: string }>).map((c) => c.id),
      [id],
    );
    assert.deepEqual((await admin('GET', '/clients?clientId=adm-test')).body, [], 'clientId matches exactly');
    const duplicate = await admin('POST', '/clients', newClient('adm-test-a'));
    assert.equal(duplicate.status, 409);
    assert.deepEqual(duplicate.body, { errorMessage: 'Client adm-test-a already exists' });
    const one = (await admin('GET', `/clients/${id}`)).body as { clientId: string; protocolMappers: Array<{ id?: string }>; secret?: string };
    assert.equal(one.clientId, 'adm-test-a');
    assert.ok(
      one.protocolMappers.every((m) => typeof m.id === 'string'),
      'mappers get ids',
    );
    const secret = (await admin('GET', `/clients/${id}/client-secret`)).body as { type: string; value: string };
    assert.equal(secret.type, 'secret');
    assert.equal(secret.value, one.secret);
    assert.equal(await secretToken('adm-test-a', secret.value), 200);
    assert.equal((await admin('GET', `/clients/${randomUUID()}`)).status, 404);
    assert.equal(
      (await admin('POST', '/clients', { ...newClient('adm-bad'), protocolMappers: [{ name: 'x', protocolMapper: 'oidc-script-mapper' }] })).status,
      400,
    );
  });

  it('refuses at the token endpoint (401 invalid_client, not a server error) a client-jwt client whose key is unusable', async () => {
    for (const [clientId, attributes] of [
      ['adm-bad-key', { 'jwt.credential.public.key': 'bm90IGEga2V5' }],
      ['adm-no-key', {}],
      ['adm-bad-jwks', { 'use.jwks.url': 'true', 'jwks.url': 'not a url' }],
    ] as const) {
      assert.equal((await admin('POST', '/clients', { ...newClient(clientId), clientAuthenticatorType: 'client-jwt', attributes })).status, 201);
      const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: 'e30.e30.e30',
        }),
      });
      assert.equal(response.status, 401, clientId);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
    }
  });

  it('gives the service-account user realm and client role mappings, read back like Keycloak', async () => {
    const created = await admin('POST', '/clients', newClient('adm-test-b'));
    const id = created.location?.split('/').pop() ?? '';
    const user = (await admin('GET', `/clients/${id}/service-account-user`)).body as { id: string; username: string; serviceAccountClientId: string };
    assert.equal(user.username, 'service-account-adm-test-b');
    assert.equal(user.serviceAccountClientId, 'adm-test-b');
    const available = (await admin('GET', `/users/${user.id}/role-mappings/realm/available`)).body as Array<{ id: string; name: string }>;
    const agencySystem = available.find((r) => r.name === Role.agencySystem);
    assert.ok(agencySystem);
    assert.equal((await admin('POST', `/users/${user.id}/role-mappings/realm`, [agencySystem])).status, 204);
    const gateway = ((await admin('GET', '/clients?clientId=lgsp-gateway')).body as Array<{ id: string }>)[0];
    assert.ok(gateway);
    const clientRole = (await admin('GET', `/clients/${gateway.id}/roles/${Role.dataConsumer}`)).body as { id: string; name: string; clientRole: boolean };
    assert.equal(clientRole.clientRole, true);
    assert.equal((await admin('POST', `/users/${user.id}/role-mappings/clients/${gateway.id}`, [clientRole])).status, 204);
    const realmMappings = (await admin('GET', `/users/${user.id}/role-mappings/realm`)).body as Array<{ name: string }>;
    assert.deepEqual(realmMappings.map((r) => r.name).sort(), [Role.agencySystem, 'default-roles-lgsp'].sort());
    const clientMappings = (await admin('GET', `/users/${user.id}/role-mappings/clients/${gateway.id}`)).body as Array<{ name: string }>;
    assert.deepEqual(
      clientMappings.map((r) => r.name),
      [Role.dataConsumer],
    );
    assert.equal((await admin('POST', `/users/${user.id}/role-mappings/realm`, [{ id: randomUUID(), name: 'nope' }])).status, 404);
    assert.equal((await admin('GET', `/clients/${gateway.id}/service-account-user`)).status, 400, 'no service account on the gateway client');
  });

  it('disables (token refused), regenerates the secret (old one refused), deletes (client and service account gone)', async () => {
    const created = await admin('POST', '/clients', newClient('adm-test-c'));
    const id = created.location?.split('/').pop() ?? '';
    const { value: secret } = (await admin('GET', `/clients/${id}/client-secret`)).body as { value: string };
    const representation = (await admin('GET', `/clients/${id}`)).body as Record<string, unknown>;
    assert.equal((await admin('PUT', `/clients/${id}`, { ...representation, enabled: false })).status, 204);
    assert.equal(await secretToken('adm-test-c', secret), 401);
    assert.equal((await admin('PUT', `/clients/${id}`, { enabled: true })).status, 204);
    assert.equal(await secretToken('adm-test-c', secret), 200);
    const regenerated = (await admin('POST', `/clients/${id}/client-secret`)).body as { type: string; value: string };
    assert.notEqual(regenerated.value, secret);
    assert.equal(await secretToken('adm-test-c', secret), 401);
    assert.equal(await secretToken('adm-test-c', regenerated.value), 200);
    assert.equal((await admin('DELETE', `/clients/${id}`)).status, 204);
    assert.equal(await secretToken('adm-test-c', regenerated.value), 401);
    assert.equal((await admin('GET', `/clients/${id}`)).status, 404);
    assert.equal(
      issuer.realm.users.some((u) => u.serviceAccountClientId === 'adm-test-c'),
      false,
    );
  });
});
