/**
 * The realm docker-compose.yml's Keycloak imports (deploy/keycloak/production-realm.ts applied to
 * keycloak/realm-export.json) carries no development user, system, password or secret, keeps everything else of
 * the realm (roles, groups, user profile, token lifetimes, the platform's clients and their service accounts), and
 * takes the platform clients' secrets from placeholders that deploy/keycloak/start.sh fills.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/platform.ts';
import { CLIENT_SECRET_PLACEHOLDERS, productionRealm, type RealmRepresentation } from '../../deploy/keycloak/production-realm.ts';

const source = JSON.parse(await readFile(join(repoRoot, 'keycloak/realm-export.json'), 'utf8')) as RealmRepresentation;

describe('the production realm', () => {
  const realm = productionRealm(source);
  const text = JSON.stringify(realm);

  it('has no person and no development system: only the service accounts of the platform clients', () => {
    assert.ok(
      (source.users ?? []).some((u) => u.serviceAccountClientId === undefined),
      'the development realm has people',
    );
    assert.deepEqual(
      realm.users!.map((u) => u.username),
      ['service-account-lgsp-registry', 'service-account-lgsp-backup'],
    );
    assert.deepEqual(
      realm.clients!.map((c) => c.clientId),
      ['lgsp-portal', 'lgsp-gateway', 'lgsp-registry', 'lgsp-backup'],
    );
    assert.doesNotMatch(text, /dev-only|DEVELOPMENT ONLY|"password"|localhost/);
    assert.equal(realm.attributes!['lgsp.development-only'], 'false');
  });

  it("takes the platform clients' secrets from placeholders, each exported by start.sh from its secret file", async () => {
    const startSh = await readFile(join(repoRoot, 'deploy/keycloak/start.sh'), 'utf8');
    for (const client of realm.clients!.filter((c) => c.secret !== undefined)) {
      const variable = CLIENT_SECRET_PLACEHOLDERS[client.clientId]!;
      assert.equal(client.secret, `\${${variable}}`, client.clientId);
      assert.match(startSh, new RegExp(`^${variable}=\\$\\(read_secret `, 'm'), `start.sh sets ${variable}`);
      assert.match(startSh, new RegExp(`^export .*\\b${variable}\\b`, 'm'), `start.sh exports ${variable}`);
    }
    const backup = realm.users!.find((u) => u.username === 'service-account-lgsp-backup')!;
    assert.deepEqual(backup.clientRoles, { 'realm-management': ['view-realm', 'view-clients', 'view-users'] });
    const registry = realm.users!.find((u) => u.username === 'service-account-lgsp-registry')!;
    assert.deepEqual(registry.clientRoles, source.users!.find((u) => u.username === 'service-account-lgsp-registry')!.clientRoles);
  });

  it("keeps the rest of the realm as it is, the portal's URLs on the public host", () => {
    for (const key of [
      'roles',
      'groups',
      'components',
      'defaultRole',
      'passwordPolicy',
      'accessTokenLifespan',
      'ssoSessionMaxLifespan',
      'sslRequired',
      'bruteForceProtected',
    ]) {
      assert.deepEqual(realm[key], source[key], key);
    }
    const portal = realm.clients!.find((c) => c.clientId === 'lgsp-portal')!;
    assert.equal(portal.rootUrl, 'https://${LGSP_PUBLIC_HOST}');
    const gateway = source.clients!.find((c) => c.clientId === 'lgsp-gateway')!;
    assert.deepEqual(
      realm.clients!.find((c) => c.clientId === 'lgsp-gateway'),
      gateway,
    );
  });

  it('refuses a platform client with a secret it cannot replace, rather than import it', () => {
    const withUnknown = structuredClone(source);
    withUnknown.clients!.push({ clientId: 'lgsp-reports', secret: 'known-secret', publicClient: false, serviceAccountsEnabled: true });
    assert.throws(() => productionRealm(withUnknown), /client lgsp-reports: a confidential client whose secret has no production placeholder/);
  });

  it('the command writes it where Keycloak imports from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-realm-'));
    try {
      const out = join(dir, 'lgsp-realm.json');
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/keycloak/production-realm.ts', 'keycloak/realm-export.json', out], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), realm);
      const usage = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/keycloak/production-realm.ts'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(usage.status, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
