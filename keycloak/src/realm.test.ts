/** The realm export is well-formed: what Keycloak would import, and what the development issuer relies on. */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Role } from '@lgsp/kit';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { supportedMappers } from './claims.ts';
import { parsePasswordPolicy, passwordViolations, unknownPolicies } from './password-policy.ts';
import { developmentPassword, effectiveRoles, flattenGroups, loadRealmExport, userAttribute, userProfileAttributes, withResolvedClientUrls } from './realm.ts';
import { resolveIdentityProvider } from './broker.ts';
import { DEV_VDXP_CLIENT_ID, DEV_VDXP_CLIENT_SECRET, DEV_VDXP_REDIRECT_URI } from '../../simulator/src/config.ts';

const realm = await loadRealmExport();
const agencies = JSON.parse(await readFile(new URL('../../subgraphs/catalogs/src/data/agencies.development.json', import.meta.url), 'utf8')) as {
  items: Array<{ code: string; kind: string; name: string }>;
};
const agencyByCode = new Map(agencies.items.map((a) => [a.code, a]));
const groups = flattenGroups(realm.groups);
const groupPaths = new Set(groups.map((g) => g.fullPath));
const clientIds = new Set(realm.clients.map((c) => c.clientId));
const realmRoleNames = new Set(realm.roles.realm.map((r) => r.name));
const humans = realm.users.filter((u) => u.serviceAccountClientId === undefined);
const policy = parsePasswordPolicy(realm.passwordPolicy);
/** Client roles of Keycloak's built-in `realm-management` client (Keycloak creates the client; the export only maps them). */
const realmManagementRoles = new Set([
  'realm-admin',
  'manage-clients',
  'view-clients',
  'manage-users',
  'view-users',
  'query-users',
  'view-realm',
  'manage-realm',
  'view-events',
  'manage-events',
]);
/** The platform's own service accounts, which are no agency system (no agency_code, no system_id). */
const platformClients = new Set(['lgsp-registry', 'lgsp-backup']);
const agencySystemClients = realm.clients.filter((c) => c.serviceAccountsEnabled && !platformClients.has(c.clientId));

describe('realm-export.json', () => {
  it('is the realm lgsp, enabled', () => {
    assert.equal(realm.realm, 'lgsp');
    assert.equal(realm.enabled, true);
  });

  it('declares agency_code, and every attribute a mapper reads, in the user profile (Keycloak 24+ drops the rest)', () => {
    const declared = new Set(userProfileAttributes(realm));
    assert.ok(declared.has('agency_code'));
    for (const client of realm.clients) {
      for (const mapper of client.protocolMappers) {
        const attribute = mapper.config['user.attribute'];
        if (attribute !== undefined) assert.ok(declared.has(attribute), `${client.clientId}/${mapper.name} maps undeclared attribute ${attribute}`);
      }
    }
    for (const user of realm.users) {
      for (const attribute of Object.keys(user.attributes)) assert.ok(declared.has(attribute), `${user.username} has undeclared attribute ${attribute}`);
    }
  });

  it('has one group per development agency, with an identifier code the catalogs subgraph serves', () => {
    const codes = groups.map((g) => g.attributes.agency_code?.[0]);
    assert.equal(new Set(codes).size, groups.length, 'one group per agency');
    for (const group of groups) {
      const code = group.attributes.agency_code?.[0];
      assert.ok(code !== undefined && agencyByCode.has(code), `group ${group.fullPath}: agency_code ${code} is not in agencies.development.json`);
    }
    const kinds = new Set(codes.map((c) => agencyByCode.get(c ?? '')?.kind));
    const names = codes.map((c) => agencyByCode.get(c ?? '')?.name ?? '');
    assert.ok(
      names.some((n) => n.startsWith('Văn phòng Ủy ban nhân dân tỉnh')),
      "the provincial People's Committee office",
    );
    assert.ok(kinds.has('POLICE'), 'the provincial Police');
    assert.ok(
      names.some((n) => n.startsWith('Sở Tài chính')),
      'the Department of Finance',
    );
    assert.ok(
      names.some((n) => n.startsWith('Sở Tư pháp')),
      'the Department of Justice',
    );
    assert.ok(
      names.some((n) => /Ủy ban nhân dân (xã|phường)/.test(n)),
      "a commune People's Committee",
    );
    assert.ok(kinds.has('HOSPITAL') || kinds.has('SCHOOL'), 'a hospital or school');
  });

  it('puts every user in groups that exist, with roles that exist, and civil servants in exactly one agency', () => {
    for (const user of realm.users) {
      for (const path of user.groups) assert.ok(groupPaths.has(path), `${user.username}: group ${path} does not exist`);
      for (const role of user.realmRoles) assert.ok(realmRoleNames.has(role), `${user.username}: realm role ${role} does not exist`);
      const roles = effectiveRoles(realm, user);
      for (const [clientId, names] of Object.entries(roles.client)) {
        for (const name of names)
          assert.ok(
            realm.roles.client[clientId]?.some((r) => r.name === name) || (clientId === 'realm-management' && realmManagementRoles.has(name)),
            `${user.username}: client role ${clientId}/${name} does not exist`,
          );
      }
    }
    for (const user of humans) {
      assert.equal(user.groups.length, 1, `${user.username} belongs to one agency`);
      const group = groups.find((g) => g.fullPath === user.groups[0]);
      assert.deepEqual(user.attributes.agency_code, group?.attributes.agency_code, `${user.username}: agency_code equals the group's`);
      assert.ok(effectiveRoles(realm, user).realm.includes(Role.civilServant));
    }
    assert.ok(humans.length >= 6);
  });

  it("gives every user a development password that satisfies the realm's password policy (R6)", () => {
    assert.deepEqual(unknownPolicies(policy), []);
    for (const rule of ['length', 'upperCase', 'lowerCase', 'digits', 'specialChars', 'notUsername', 'notEmail']) {
      assert.ok(
        policy.some((r) => r.name === rule),
        `passwordPolicy enforces ${rule}`,
      );
    }
    assert.equal(policy.find((r) => r.name === 'length')?.argument, '8');
    for (const user of humans) {
      const password = developmentPassword(user);
      assert.ok(password !== undefined, `${user.username} has a development password`);
      assert.deepEqual(passwordViolations(policy, password, user), [], `${user.username}'s password`);
    }
    // The checker does reject what the policy forbids.
    const account = { username: 'lan.nguyen', email: 'lan.nguyen@nghean.gov.vn' };
    assert.ok(passwordViolations(policy, 'short1!A', account).length === 0);
    assert.ok(passwordViolations(policy, 'Sh0rt!a', account).includes('shorter than 8 characters'));
    assert.ok(passwordViolations(policy, 'alllowercase1!', account).includes('fewer than 1 upper-case letters'));
    assert.ok(passwordViolations(policy, 'NoDigitsHere!', account).includes('fewer than 1 digits'));
    assert.ok(passwordViolations(policy, 'NoSpecial123', account).includes('fewer than 1 special characters'));
    assert.ok(passwordViolations(policy, 'X1!lan.nguyen', account).includes('contains the username'));
  });

  it('has the portal (public, code + PKCE S256), the gateway (bearer-only audience) and agency system clients', () => {
    const portal = realm.clients.find((c) => c.clientId === 'lgsp-portal');
    assert.ok(portal);
    assert.equal(portal.publicClient, true);
    assert.equal(portal.standardFlowEnabled, true);
    assert.equal(portal.implicitFlowEnabled, false);
    assert.equal(portal.directAccessGrantsEnabled, false);
    assert.equal(portal.attributes['pkce.code.challenge.method'], 'S256');
    // Relative to the client's root URL, the gateway's origin (Keycloak resolves "/*" against rootUrl): one place
    // to change when the gateway runs elsewhere — GATEWAY_PUBLIC_URL for the development issuer.
    assert.equal(portal.rootUrl, 'http://localhost:4000');
    assert.deepEqual(portal.redirectUris, ['/*']);
    assert.equal(portal.attributes['post.logout.redirect.uris'], '+');
    const resolved = withResolvedClientUrls(realm).clients.find((c) => c.clientId === 'lgsp-portal')!;
    assert.deepEqual(resolved.redirectUris, ['http://localhost:4000/*']);
    assert.equal(resolved.attributes['post.logout.redirect.uris'], 'http://localhost:4000/*');
    const moved = withResolvedClientUrls(realm, 'https://lgsp.example.gov.vn').clients.find((c) => c.clientId === 'lgsp-portal')!;
    assert.deepEqual(moved.redirectUris, ['https://lgsp.example.gov.vn/*']);
    assert.equal(moved.attributes['post.logout.redirect.uris'], 'https://lgsp.example.gov.vn/*');
    assert.equal(moved.rootUrl, 'https://lgsp.example.gov.vn');
    // The agency systems have no redirect URIs, and keep none.
    assert.ok(
      withResolvedClientUrls(realm, 'https://lgsp.example.gov.vn')
        .clients.filter((c) => c.serviceAccountsEnabled)
        .every((c) => c.redirectUris.length === 0),
    );
    const gateway = realm.clients.find((c) => c.clientId === 'lgsp-gateway');
    assert.equal(gateway?.bearerOnly, true);
    const systems = agencySystemClients;
    assert.ok(systems.some((c) => c.clientAuthenticatorType === 'client-secret-jwt' && c.attributes['token.endpoint.auth.signing.alg'] === 'HS256'));
    assert.ok(systems.some((c) => c.clientAuthenticatorType === 'client-jwt' && c.attributes['token.endpoint.auth.signing.alg'] === 'RS256'));
    for (const client of systems) {
      assert.ok(['client-secret-jwt', 'client-jwt'].includes(client.clientAuthenticatorType), `${client.clientId} authenticates with a signed assertion`);
      assert.equal(client.standardFlowEnabled, false);
      assert.match(client.description ?? '', /DEVELOPMENT ONLY/, `${client.clientId} is marked development-only`);
      const account = realm.users.filter((u) => u.serviceAccountClientId === client.clientId);
      assert.equal(account.length, 1, `${client.clientId} has one service-account user`);
    }
  });

  it('has one agency administrator per development agency, <agency code>@nghean.gov.vn, in its agency with role agency-admin', () => {
    const admins = humans.filter((u) => u.realmRoles.includes(Role.agencyAdmin));
    assert.deepEqual(admins.map((u) => u.attributes.agency_code?.[0]).sort(), [...agencyByCode.keys()].sort());
    for (const admin of admins) {
      const code = admin.attributes.agency_code?.[0] ?? '';
      // Keycloak keeps usernames (and e-mails) in lower case; logins are case-insensitive.
      assert.equal(admin.username, `${code}@nghean.gov.vn`.toLowerCase());
      assert.equal(admin.email, admin.username);
      assert.deepEqual(userAttribute(realm, admin, 'agency_code'), [code]);
      assert.ok(effectiveRoles(realm, admin).realm.includes(Role.agencyAdmin));
    }
  });

  it("has the registry's Admin REST API client lgsp-registry: confidential, service account with the realm-management roles it needs", async () => {
    const registry = realm.clients.find((c) => c.clientId === 'lgsp-registry');
    assert.ok(registry);
    assert.equal(registry.clientAuthenticatorType, 'client-secret');
    assert.equal(registry.serviceAccountsEnabled, true);
    assert.equal(registry.standardFlowEnabled, false);
    assert.match(registry.secret ?? '', /^dev-only-/);
    // KEYCLOAK_ADMIN_CLIENT_SECRET_FILE for npm start and tests: the same secret as the realm's.
    assert.equal((await readFile(new URL('../dev-credentials/lgsp-registry.secret', import.meta.url), 'utf8')).trim(), registry.secret);
    assert.match(registry.description ?? '', /DEVELOPMENT ONLY/);
    const account = realm.users.find((u) => u.serviceAccountClientId === 'lgsp-registry');
    assert.ok(account);
    assert.deepEqual(effectiveRoles(realm, account).client['realm-management'], [
      'manage-clients',
      'manage-users',
      'query-users',
      'view-clients',
      'view-events',
      'view-users',
    ]);
    assert.ok(!effectiveRoles(realm, account).realm.includes(Role.agencySystem), 'it is no agency system');
  });

  it("has the backup's realm export client lgsp-backup: confidential, service account that can only read the realm", async () => {
    const backup = realm.clients.find((c) => c.clientId === 'lgsp-backup');
    assert.ok(backup);
    assert.equal(backup.clientAuthenticatorType, 'client-secret');
    assert.equal(backup.serviceAccountsEnabled, true);
    assert.equal(backup.publicClient, false);
    assert.equal(backup.standardFlowEnabled, false);
    assert.equal(backup.directAccessGrantsEnabled, false);
    assert.match(backup.secret ?? '', /^dev-only-/);
    // BACKUP_KEYCLOAK_CLIENT_SECRET_FILE for npm run backup against npm start's issuer: the same secret as the realm's.
    assert.equal((await readFile(new URL('../dev-credentials/lgsp-backup.secret', import.meta.url), 'utf8')).trim(), backup.secret);
    assert.match(backup.description ?? '', /DEVELOPMENT ONLY/);
    const account = realm.users.find((u) => u.serviceAccountClientId === 'lgsp-backup');
    assert.ok(account);
    assert.deepEqual(effectiveRoles(realm, account).client['realm-management'], ['view-clients', 'view-realm', 'view-users']);
    assert.deepEqual(
      effectiveRoles(realm, account).realm.filter((r) => r.startsWith('lgsp-') || r.startsWith('agency-') || r.startsWith('data-')),
      [],
    );
  });

  it('records login and admin events (issue 17: the registry copies sign-ins into the audit trail), kept 90 days', () => {
    assert.equal(realm.eventsEnabled, true);
    for (const type of ['LOGIN', 'LOGIN_ERROR', 'CLIENT_LOGIN', 'CLIENT_LOGIN_ERROR', 'REFRESH_TOKEN', 'LOGOUT'])
      assert.ok(realm.enabledEventTypes.includes(type), type);
    assert.equal(realm.eventsExpiration, 90 * 24 * 3600);
    assert.equal(realm.adminEventsEnabled, true);
    assert.equal(realm.adminEventsDetailsEnabled, false, 'admin event bodies may hold secrets');
  });

  it('marks development secrets and keeps each RS256 private key matching the public key in the realm', async () => {
    for (const client of realm.clients.filter(
      (c) => !c.publicClient && !c.bearerOnly && (c.clientAuthenticatorType === 'client-secret-jwt' || c.clientAuthenticatorType === 'client-secret'),
    )) {
      assert.match(client.secret ?? '', /^dev-only-/);
      assert.ok((client.secret ?? '').length >= 32, 'an HS256 secret of at least 256 bits');
    }
    for (const client of realm.clients.filter((c) => c.clientAuthenticatorType === 'client-jwt')) {
      const pem = await readFile(new URL(`../dev-credentials/${client.clientId}.private.pem`, import.meta.url), 'utf8');
      const derived = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' }).toString('base64');
      assert.equal(derived, client.attributes['jwt.credential.public.key'], `${client.clientId}: private key matches`);
      assert.equal(await calculateJwkThumbprint(await exportJWK(createPublicKey(pem))), client.attributes['jwt.credential.kid']);
    }
  });

  it('maps agency_code, system_id and audience lgsp-gateway into the access tokens of every client that gets tokens', () => {
    for (const client of realm.clients.filter((c) => !c.bearerOnly && !platformClients.has(c.clientId))) {
      for (const mapper of client.protocolMappers) {
        assert.ok(
          supportedMappers.has(mapper.protocolMapper),
          `${client.clientId}/${mapper.name}: ${mapper.protocolMapper} is not implemented by the development issuer`,
        );
        const audience = mapper.config['included.client.audience'];
        if (audience !== undefined) assert.ok(clientIds.has(audience), `${client.clientId}/${mapper.name}: audience client ${audience} does not exist`);
      }
      const claimMappers = (claim: string) =>
        client.protocolMappers.filter((m) => m.config['claim.name'] === claim && m.config['access.token.claim'] === 'true');
      assert.equal(claimMappers('agency_code').length, 1, `${client.clientId} maps agency_code`);
      assert.equal(claimMappers('system_id').length, 1, `${client.clientId} maps system_id`);
      assert.ok(client.protocolMappers.some((m) => m.protocolMapper === 'oidc-audience-mapper' && m.config['included.client.audience'] === 'lgsp-gateway'));
      if (client.serviceAccountsEnabled) {
        const [mapper] = claimMappers('agency_code');
        const account = realm.users.find((u) => u.serviceAccountClientId === client.clientId);
        assert.equal(mapper?.protocolMapper, 'oidc-hardcoded-claim-mapper');
        assert.deepEqual(
          [mapper?.config['claim.value']],
          account ? userAttribute(realm, account, 'agency_code') : [],
          `${client.clientId}: hard-coded agency_code is its agency's`,
        );
        assert.ok(agencyByCode.has(mapper?.config['claim.value'] ?? ''));
      }
    }
  });

  it('brokers VDXP (the national e-ID) as Keycloak identity provider vdxp: OIDC, code + PKCE S256, signed ID tokens from its JWKS', async () => {
    assert.deepEqual(
      realm.identityProviders.map((i) => i.alias),
      ['vdxp'],
    );
    const [vdxp] = realm.identityProviders;
    assert.ok(vdxp);
    assert.equal(vdxp.providerId, 'oidc');
    assert.equal(vdxp.enabled, true);
    assert.equal(vdxp.linkOnly, false);
    assert.equal(vdxp.hideOnLogin, false, 'the login page offers it');
    assert.equal(vdxp.displayName, 'Đăng nhập bằng tài khoản định danh điện tử (VNeID/VDXP)');
    assert.equal(vdxp.firstBrokerLoginFlowAlias, 'first broker login');
    assert.equal(vdxp.trustEmail, false);
    const config = vdxp.config;
    assert.equal(config.issuer, 'http://localhost:4200/vdxp', 'the development value (npm start); VDXP_ISSUER_URL moves it');
    for (const [key, path] of [
      ['authorizationUrl', '/authorize'],
      ['tokenUrl', '/token'],
      ['userInfoUrl', '/userinfo'],
      ['jwksUrl', '/jwks'],
    ] as const)
      assert.equal(config[key], `${config.issuer}${path}`, key);
    assert.equal(config.clientId, DEV_VDXP_CLIENT_ID, 'the broker client the VDXP simulator registers');
    assert.equal(config.clientSecret, DEV_VDXP_CLIENT_SECRET);
    assert.match(config.clientSecret ?? '', /^dev-only-/);
    assert.equal((await readFile(new URL('../dev-credentials/vdxp-broker.secret', import.meta.url), 'utf8')).trim(), config.clientSecret);
    assert.equal(config.clientAuthMethod, 'client_secret_basic');
    assert.equal(config.pkceEnabled, 'true');
    assert.equal(config.pkceMethod, 'S256');
    assert.equal(config.validateSignature, 'true');
    assert.equal(config.useJwksUrl, 'true');
    assert.equal(config.syncMode, 'FORCE', 'attributes (acr, enterprise_code) follow VDXP at every login');
    assert.match(config.defaultScope ?? '', /\bopenid\b/);
    // Keycloak's broker endpoint for this alias is the redirect URI the simulator registers by default.
    assert.equal(DEV_VDXP_REDIRECT_URI, 'http://localhost:8080/realms/lgsp/broker/vdxp/endpoint');
    // The development issuer accepts the configuration, and VDXP_ISSUER_URL rebases every URL.
    const moved = resolveIdentityProvider(vdxp, { vdxpIssuerUrl: 'http://127.0.0.1:4321/vdxp' });
    assert.equal(moved.issuer, 'http://127.0.0.1:4321/vdxp');
    assert.equal(moved.tokenUrl, 'http://127.0.0.1:4321/vdxp/token');
    assert.equal(moved.jwksUrl, 'http://127.0.0.1:4321/vdxp/jwks');
  });

  it("maps VDXP's personal_id, enterprise_code, acr to declared user attributes and gives the role citizen", () => {
    const mappers = realm.identityProviderMappers;
    for (const mapper of mappers) assert.equal(mapper.identityProviderAlias, 'vdxp', mapper.name);
    const declared = new Set(userProfileAttributes(realm));
    for (const claim of ['personal_id', 'enterprise_code', 'acr']) {
      const mapper = mappers.find((m) => m.identityProviderMapper === 'oidc-user-attribute-idp-mapper' && m.config.claim === claim);
      assert.ok(mapper, `a user-attribute mapper for ${claim}`);
      assert.equal(mapper.config['user.attribute'], claim);
      assert.ok(declared.has(claim), `${claim} is declared in the user profile (Keycloak 24+ drops undeclared attributes)`);
      assert.equal(mapper.config.syncMode, 'INHERIT');
    }
    const roles = mappers.filter((m) => m.identityProviderMapper === 'oidc-hardcoded-role-idp-mapper');
    assert.deepEqual(
      roles.map((m) => m.config.role),
      [Role.citizen],
    );
    assert.ok(realmRoleNames.has(Role.citizen));
    const username = mappers.find((m) => m.identityProviderMapper === 'oidc-username-idp-mapper');
    assert.equal(username?.config.template, '${ALIAS}.${CLAIM.sub}', 'usernames from the opaque subject, never the personal ID');
    for (const mapper of mappers)
      assert.ok(
        ['oidc-user-attribute-idp-mapper', 'oidc-hardcoded-role-idp-mapper', 'oidc-username-idp-mapper'].includes(mapper.identityProviderMapper),
        `${mapper.name}: ${mapper.identityProviderMapper} is not implemented by the development issuer`,
      );
  });

  it("puts personal_id, enterprise_code and acr in lgsp-portal's access and ID tokens; records brokered logins", () => {
    const portal = realm.clients.find((c) => c.clientId === 'lgsp-portal')!;
    for (const claim of ['personal_id', 'enterprise_code', 'acr']) {
      const mapper = portal.protocolMappers.find((m) => m.config['claim.name'] === claim);
      assert.ok(mapper, claim);
      assert.equal(mapper.protocolMapper, 'oidc-usermodel-attribute-mapper');
      assert.equal(mapper.config['user.attribute'], claim);
      for (const flag of ['access.token.claim', 'id.token.claim', 'userinfo.token.claim', 'introspection.token.claim'])
        assert.equal(mapper.config[flag], 'true', `${claim} ${flag}`);
    }
    assert.deepEqual(portal.webOrigins, ['+'], "CORS for the portal's own origin");
    for (const type of ['REGISTER', 'IDENTITY_PROVIDER_LOGIN_ERROR']) assert.ok(realm.enabledEventTypes.includes(type), type);
  });
});
