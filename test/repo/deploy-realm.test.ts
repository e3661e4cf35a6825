/**
 * The realm docker-compose.yml's Keycloak imports (deploy/keycloak/production-realm.ts applied to
 * keycloak/realm-export.json) carries no development user, system, password or secret, keeps everything else of
 * the realm (roles, groups, user profile, token lifetimes, the platform's clients and their service accounts), and
 * takes the platform clients' secrets from placeholders that deploy/keycloak/start.sh fills. VDXP (the national e-ID,
 * identity provider `vdxp`) is enabled with its settings as placeholders when VDXP_ISSUER_URL is set, imported
 * disabled without it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/platform.ts';
import {
  CLIENT_SECRET_PLACEHOLDERS,
  IDENTITY_PROVIDER_PLACEHOLDERS,
  productionRealm,
  type RealmRepresentation,
} from '../../deploy/keycloak/production-realm.ts';

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

  type Provider = { alias: string; enabled?: boolean; hideOnLogin?: boolean; config: Record<string, string> };
  const providersOf = (r: RealmRepresentation) => r.identityProviders as Provider[];
  const VDXP = { VDXP_ISSUER_URL: 'https://vdxp.example.gov.vn/oidc', VDXP_CLIENT_ID: 'lgsp-nghean' };

  it("gives VDXP's issuer, endpoints, client id and secret as placeholders start.sh exports, when VDXP_ISSUER_URL is set", async () => {
    const sourceVdxp = providersOf(source).find((p) => p.alias === 'vdxp')!;
    assert.match(sourceVdxp.config.clientSecret!, /dev-only/, 'the development realm has a development VDXP secret');
    const configured = productionRealm(source, VDXP);
    const configuredText = JSON.stringify(configured);
    assert.doesNotMatch(
      configuredText,
      /dev-only|localhost|lgsp-keycloak-broker|vdxp\.example/,
      'no development value, and the values stay in the environment',
    );
    const vdxp = providersOf(configured).find((p) => p.alias === 'vdxp')!;
    assert.equal(vdxp.enabled, true);
    assert.equal(vdxp.hideOnLogin, sourceVdxp.hideOnLogin);
    const names = IDENTITY_PROVIDER_PLACEHOLDERS.vdxp!;
    assert.deepEqual(names, { issuer: 'VDXP_ISSUER_URL', clientId: 'VDXP_CLIENT_ID', clientSecret: 'VDXP_CLIENT_SECRET' });
    assert.equal(vdxp.config.issuer, '${VDXP_ISSUER_URL}');
    for (const key of ['authorizationUrl', 'tokenUrl', 'userInfoUrl', 'jwksUrl']) {
      const path = sourceVdxp.config[key]!.slice(sourceVdxp.config.issuer!.length);
      assert.equal(vdxp.config[key], `\${VDXP_ISSUER_URL}${path}`, `${key}: rebased on VDXP's issuer, not on the LGSP host`);
    }
    assert.equal(vdxp.config.clientId, '${VDXP_CLIENT_ID}');
    assert.equal(vdxp.config.clientSecret, '${VDXP_CLIENT_SECRET}');
    // Everything else of the provider (PKCE, signature checks, mappers) as in the development realm.
    for (const key of ['pkceEnabled', 'pkceMethod', 'validateSignature', 'clientAuthMethod', 'defaultScope', 'syncMode'])
      assert.equal(vdxp.config[key], sourceVdxp.config[key], key);
    assert.deepEqual(configured.identityProviderMappers, source.identityProviderMappers);
    // Keycloak resolves every placeholder from its environment: start.sh sets and exports each, the secret from its file.
    const startSh = await readFile(join(repoRoot, 'deploy/keycloak/start.sh'), 'utf8');
    assert.match(startSh, /^ *VDXP_CLIENT_SECRET=\$\(read_secret vdxp-client-secret\)$/m);
    assert.match(startSh, /^ *export VDXP_ISSUER_URL VDXP_CLIENT_ID VDXP_CLIENT_SECRET$/m);
    // The rest of the realm is the same as without VDXP.
    const { identityProviders: _a, ...restConfigured } = configured;
    const { identityProviders: _b, ...restDefault } = realm;
    assert.deepEqual(restConfigured, restDefault);
  });

  it('imports VDXP disabled, hidden, with no client and no secret, when VDXP_ISSUER_URL is not set', () => {
    for (const env of [{}, { VDXP_ISSUER_URL: '', VDXP_CLIENT_ID: '' }, { VDXP_ISSUER_URL: '  ' }]) {
      const vdxp = providersOf(productionRealm(source, env)).find((p) => p.alias === 'vdxp')!;
      assert.equal(vdxp.enabled, false, JSON.stringify(env));
      assert.equal(vdxp.hideOnLogin, true);
      assert.equal(vdxp.config.clientId, '');
      assert.equal(vdxp.config.clientSecret, undefined);
      assert.equal(vdxp.config.issuer, 'https://vdxp.invalid');
      assert.equal(vdxp.config.tokenUrl, 'https://vdxp.invalid/token', 'an address that never resolves, not the LGSP host');
      assert.doesNotMatch(JSON.stringify(vdxp), /\$\{/, 'no placeholder left for Keycloak to leave unresolved');
    }
    assert.deepEqual(providersOf(realm).find((p) => p.alias === 'vdxp')!.enabled, false, 'the default');
  });

  it('refuses a VDXP setting that cannot work, and an identity provider it has no placeholders for', () => {
    for (const [env, message] of [
      [{ VDXP_ISSUER_URL: 'http://vdxp.example.gov.vn/oidc', VDXP_CLIENT_ID: 'x' }, /VDXP_ISSUER_URL must be .* https URL/],
      [{ VDXP_ISSUER_URL: 'https://vdxp.example.gov.vn/oidc/', VDXP_CLIENT_ID: 'x' }, /without query, fragment or final slash/],
      [{ VDXP_ISSUER_URL: 'vdxp.example.gov.vn', VDXP_CLIENT_ID: 'x' }, /VDXP_ISSUER_URL is not a URL/],
      [{ VDXP_ISSUER_URL: 'https://vdxp.example.gov.vn/oidc' }, /VDXP_ISSUER_URL is set but VDXP_CLIENT_ID is not/],
    ] as const) {
      assert.throws(() => productionRealm(source, env), message, JSON.stringify(env));
    }
    const other = structuredClone(source);
    (other.identityProviders as Provider[]).push({ alias: 'google', config: { issuer: 'https://accounts.google.com', clientSecret: 'x' } });
    assert.throws(() => productionRealm(other, VDXP), /identity provider google: no production placeholders/);
  });

  it('the command writes it where Keycloak imports from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-realm-'));
    try {
      const out = join(dir, 'lgsp-realm.json');
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/keycloak/production-realm.ts', 'keycloak/realm-export.json', out], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, VDXP_ISSUER_URL: '', VDXP_CLIENT_ID: '' },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), realm);
      assert.match(result.stdout, /identity provider vdxp imported disabled: VDXP_ISSUER_URL is not set/);
      const configured = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/keycloak/production-realm.ts', 'keycloak/realm-export.json', out], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, ...VDXP },
      });
      assert.equal(configured.status, 0, configured.stderr);
      assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), productionRealm(source, VDXP));
      const refused = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/keycloak/production-realm.ts', 'keycloak/realm-export.json', out], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, VDXP_ISSUER_URL: VDXP.VDXP_ISSUER_URL, VDXP_CLIENT_ID: '' },
      });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /VDXP_CLIENT_ID is not/);
      const usage = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/keycloak/production-realm.ts'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(usage.status, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
