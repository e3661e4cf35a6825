/**
 * The development issuer's partial export (`POST /admin/realms/{realm}/partial-export`) over HTTP, as Keycloak 26
 * answers it: view-realm required (and view-clients, and listing groups, for what is asked), secrets masked, no
 * person's account; service accounts with the clients, their role mappings with groups and roles.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { SECRET_MASK } from './partial-export.ts';
import { loadRealmExport } from './realm.ts';
import { startDevIssuer, type RunningDevIssuer } from './service.ts';

let issuer: RunningDevIssuer;
let BACKUP_SECRET = '';

async function tokenOf(clientId: string, secret: string): Promise<string> {
  const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { access_token: string }).access_token;
}

async function partialExport(token: string, query = '?exportClients=true&exportGroupsAndRoles=true', method = 'POST') {
  const response = await fetch(`${issuer.url}/admin/realms/lgsp/partial-export${query}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

before(async () => {
  // The realm's own backup client (client credentials, realm-management view roles) and its development secret.
  const realm = await loadRealmExport();
  BACKUP_SECRET = (await readFile(new URL('../dev-credentials/lgsp-backup.secret', import.meta.url), 'utf8')).trim();
  issuer = await startDevIssuer(configSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), {
    realm,
    logger: createLogger('partial-export-test', 'silent'),
  });
});
after(async () => {
  await issuer.close();
});

describe('development issuer: partial export of the realm', () => {
  it('exports settings, roles, groups, clients with masked secrets and service accounts with their roles; no person', async () => {
    const { status, body } = await partialExport(await tokenOf('lgsp-backup', BACKUP_SECRET));
    assert.equal(status, 200);
    assert.equal(body.realm, 'lgsp');
    assert.ok(body.roles.realm.some((r: { name: string }) => r.name === 'lgsp-operator'));
    assert.ok(body.groups.length > 0);
    const registry = body.clients.find((c: { clientId: string }) => c.clientId === 'lgsp-registry');
    assert.equal(registry.secret, SECRET_MASK, 'secrets are masked');
    assert.ok(
      body.clients.every((c: { secret?: string }) => c.secret === undefined || c.secret === SECRET_MASK),
      'no secret in clear',
    );
    assert.ok(
      body.users.every((u: { username: string; credentials?: unknown }) => u.username.startsWith('service-account-') && u.credentials === undefined),
      'service accounts only, no credentials',
    );
    const account = body.users.find((u: { serviceAccountClientId?: string }) => u.serviceAccountClientId === 'lgsp-registry');
    const source = (await loadRealmExport()).users.find((u) => u.serviceAccountClientId === 'lgsp-registry')!;
    assert.deepEqual(account.clientRoles['realm-management'], source.clientRoles!['realm-management']);
    const backup = body.users.find((u: { serviceAccountClientId?: string }) => u.serviceAccountClientId === 'lgsp-backup');
    assert.deepEqual(backup.clientRoles['realm-management'], ['view-realm', 'view-clients', 'view-users']); // The VDXP identity provider is in the export, its client secret masked as Keycloak masks it.
    const vdxp = body.identityProviders.find((i: { alias: string }) => i.alias === 'vdxp');
    assert.equal(vdxp.config.clientSecret, SECRET_MASK);
    assert.equal(vdxp.config.clientId, 'lgsp-keycloak-broker');
    assert.ok(body.identityProviderMappers.some((m: { identityProviderAlias: string }) => m.identityProviderAlias === 'vdxp'));
    assert.doesNotMatch(JSON.stringify(body), /dev-only-vdxp/);
  });

  it('leaves out what was not asked for: without flags the realm settings only', async () => {
    const { status, body } = await partialExport(await tokenOf('lgsp-backup', BACKUP_SECRET), '');
    assert.equal(status, 200);
    assert.equal(body.realm, 'lgsp');
    for (const part of ['clients', 'users', 'roles', 'groups']) assert.equal(body[part], undefined, part);
  });

  it('refuses a caller without view-realm (403), a GET (405) and no token (401)', async () => {
    const registrySecret = (await loadRealmExport()).clients.find((c) => c.clientId === 'lgsp-registry')!.secret!;
    assert.equal((await partialExport(await tokenOf('lgsp-registry', registrySecret))).status, 403, 'lgsp-registry has no view-realm');
    assert.equal((await partialExport(await tokenOf('lgsp-backup', BACKUP_SECRET), '', 'GET')).status, 405);
    const anonymous = await fetch(`${issuer.url}/admin/realms/lgsp/partial-export`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
  });
});
