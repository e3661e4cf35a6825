/**
 * Keycloak's token claims computed from the realm export: what Keycloak 26's built-in client scopes and the
 * realm's protocol mappers put into an access token, ID token, userinfo answer or introspection answer.
 *
 * Plain TypeScript, no HTTP: the issuer calls it while signing, the tests call it directly.
 */
import { effectiveRoles, type RealmClient, type RealmExport, type RealmUser, type ProtocolMapper, userAttribute } from './realm.ts';

export type TokenKind = 'access' | 'id' | 'userinfo' | 'introspection';

/**
 * Keycloak 26's built-in client scopes (created when a realm is imported without `clientScopes`): whether the
 * scope name appears in the token's `scope` claim ("Include in token scope").
 */
export const builtInClientScopes: Record<string, { includeInTokenScope: boolean }> = {
  profile: { includeInTokenScope: true },
  email: { includeInTokenScope: true },
  address: { includeInTokenScope: true },
  phone: { includeInTokenScope: true },
  offline_access: { includeInTokenScope: true },
  organization: { includeInTokenScope: true },
  roles: { includeInTokenScope: false },
  'web-origins': { includeInTokenScope: false },
  acr: { includeInTokenScope: false },
  basic: { includeInTokenScope: false },
  'microprofile-jwt': { includeInTokenScope: false },
  service_account: { includeInTokenScope: false },
};

/** The mapper types the development issuer implements; the realm test refuses any other. */
export const supportedMappers = new Set(['oidc-hardcoded-claim-mapper', 'oidc-usermodel-attribute-mapper', 'oidc-audience-mapper']);

const mapperFlag: Record<TokenKind, string> = {
  access: 'access.token.claim',
  id: 'id.token.claim',
  userinfo: 'userinfo.token.claim',
  introspection: 'introspection.token.claim',
};

/** Scopes the client may receive: `openid`, its default scopes and its optional scopes. */
export function allowedScopes(client: RealmClient): string[] {
  return ['openid', ...client.defaultClientScopes, ...client.optionalClientScopes];
}

/**
 * The scopes in effect for a request, as Keycloak decides them: every default client scope always, the optional
 * ones only when requested. Returns the scopes in effect and the value of the `scope` claim.
 */
export function effectiveScopes(client: RealmClient, requested: string | undefined): { inEffect: Set<string>; claim: string } {
  const asked = new Set((requested ?? '').split(' ').filter(Boolean));
  const inEffect = new Set<string>(client.defaultClientScopes);
  for (const s of client.optionalClientScopes) if (asked.has(s)) inEffect.add(s);
  if (client.serviceAccountsEnabled) inEffect.add('service_account');
  const claimScopes = [...(asked.has('openid') ? ['openid'] : []), ...[...inEffect].filter((s) => builtInClientScopes[s]?.includeInTokenScope ?? true)];
  if (asked.has('openid')) inEffect.add('openid');
  return { inEffect, claim: claimScopes.join(' ') };
}

function typed(value: string, jsonType: string | undefined): unknown {
  switch (jsonType) {
    case 'long':
    case 'int':
      return Number(value);
    case 'boolean':
      return value === 'true';
    case 'JSON':
      return JSON.parse(value) as unknown;
    default:
      return value;
  }
}

/** Keycloak nests a claim name with dots (`a.b` → `{ a: { b } }`) unless the dot is escaped (`a\.b`). */
function setClaim(target: Record<string, unknown>, name: string, value: unknown): void {
  const path = name.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[segment] = created;
      node = created;
    }
  }
  node[path[path.length - 1] ?? name] = value;
}

function applyMappers(
  realm: RealmExport,
  mappers: ProtocolMapper[],
  user: RealmUser,
  kind: TokenKind,
  claims: Record<string, unknown>,
  audiences: string[],
): void {
  for (const mapper of mappers) {
    if (mapper.config[mapperFlag[kind]] !== 'true') continue;
    const claimName = mapper.config['claim.name'];
    switch (mapper.protocolMapper) {
      case 'oidc-hardcoded-claim-mapper':
        if (claimName) setClaim(claims, claimName, typed(mapper.config['claim.value'] ?? '', mapper.config['jsonType.label']));
        break;
      case 'oidc-usermodel-attribute-mapper': {
        const attribute = mapper.config['user.attribute'];
        if (!claimName || !attribute) break;
        const values = userAttribute(realm, user, attribute).map((v) => typed(v, mapper.config['jsonType.label']));
        if (values.length === 0) break;
        setClaim(claims, claimName, mapper.config.multivalued === 'true' ? values : values[0]);
        break;
      }
      case 'oidc-audience-mapper': {
        const audience = mapper.config['included.client.audience'] || mapper.config['included.custom.audience'];
        if (audience) audiences.push(audience);
        break;
      }
      default:
        break;
    }
  }
}

export interface ClaimsInput {
  realm: RealmExport;
  client: RealmClient;
  /** The end user, or the client's service-account user for client_credentials. */
  user: RealmUser;
  /** The `scope` parameter of the request. */
  requestedScope: string | undefined;
  /** User session id (`sid`), absent for service accounts (Keycloak 26 issues no session for them). */
  sessionId?: string | undefined;
  /** When the user authenticated (seconds since the epoch). */
  authTime?: number | undefined;
  /** The caller's address, for service-account tokens (`clientAddress`). */
  clientAddress?: string | undefined;
}

/**
 * Claims Keycloak adds for `kind`, besides the ones oidc-provider sets itself (`iss`, `iat`, `exp`, `jti`).
 * Follows Keycloak 26 with the built-in client scopes: basic (sub, auth_time), profile, email, roles
 * (realm_access, resource_access, audience resolve), web-origins, acr, service_account, then the client's mappers.
 */
export function keycloakClaims(input: ClaimsInput, kind: TokenKind): Record<string, unknown> {
  const { realm, client, user } = input;
  const { inEffect, claim: scopeClaim } = effectiveScopes(client, input.requestedScope);
  const claims: Record<string, unknown> = {};
  const isServiceAccount = user.serviceAccountClientId !== undefined;

  if (inEffect.has('basic') || inEffect.has('openid')) {
    claims.sub = user.id;
    if (input.authTime !== undefined && kind !== 'userinfo') claims.auth_time = input.authTime;
  }
  if (kind === 'access' || kind === 'introspection') claims.typ = 'Bearer';
  if (kind === 'id') claims.typ = 'ID';
  if (kind !== 'userinfo') claims.azp = client.clientId;
  if (input.sessionId !== undefined && !isServiceAccount && kind !== 'userinfo') claims.sid = input.sessionId;
  if (inEffect.has('acr') && (kind === 'access' || kind === 'id' || kind === 'introspection')) claims.acr = '1';

  const audiences: string[] = [];
  if (inEffect.has('web-origins') && (kind === 'access' || kind === 'introspection')) {
    const origins = allowedOrigins(client);
    if (origins.length > 0) claims['allowed-origins'] = origins;
  }
  if (inEffect.has('roles') && (kind === 'access' || kind === 'introspection')) {
    const roles = client.fullScopeAllowed ? effectiveRoles(realm, user) : { realm: [], client: {} };
    if (roles.realm.length > 0) claims.realm_access = { roles: roles.realm };
    const resourceAccess = Object.fromEntries(Object.entries(roles.client).map(([clientId, r]) => [clientId, { roles: r }]));
    if (Object.keys(resourceAccess).length > 0) claims.resource_access = resourceAccess;
    // "audience resolve": every client the user holds roles of is an audience, except the caller itself.
    for (const clientId of Object.keys(resourceAccess)) if (clientId !== client.clientId) audiences.push(clientId);
  }
  if (kind === 'access' || kind === 'introspection') claims.scope = scopeClaim;
  if (inEffect.has('service_account') && isServiceAccount && kind !== 'userinfo') {
    claims.client_id = client.clientId;
    if (input.clientAddress !== undefined) {
      claims.clientHost = input.clientAddress;
      claims.clientAddress = input.clientAddress;
    }
  }
  if (inEffect.has('email')) {
    claims.email_verified = user.emailVerified;
    if (user.email !== undefined) claims.email = user.email;
  }
  if (inEffect.has('profile')) {
    const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
    if (name !== '') claims.name = name;
    claims.preferred_username = user.username;
    if (user.firstName !== undefined) claims.given_name = user.firstName;
    if (user.lastName !== undefined) claims.family_name = user.lastName;
  }

  applyMappers(realm, client.protocolMappers, user, kind, claims, audiences);

  if (kind === 'access' || kind === 'introspection') {
    const aud = [...new Set(audiences)];
    // Keycloak writes a single audience as a string and several as an array.
    if (aud.length === 1) claims.aud = aud[0];
    else if (aud.length > 1) claims.aud = aud;
  }
  return claims;
}

/** The origins a client may call from (Keycloak's webOrigins; "+" = the origins of its redirect URIs). */
export function allowedOrigins(client: RealmClient): string[] {
  const origins = new Set<string>();
  for (const origin of client.webOrigins) {
    if (origin === '+') {
      // "+" means: the origins of the valid redirect URIs.
      for (const uri of client.redirectUris) {
        try {
          origins.add(new URL(uri.replace(/\*$/, '')).origin);
        } catch {
          // A relative redirect URI has no origin of its own.
        }
      }
    } else if (origin !== '') origins.add(origin);
  }
  return [...origins];
}

/** Keycloak's redirect URI matching: exact, or a prefix when the registered URI ends with `*`. */
export function redirectUriMatches(registered: string[], candidate: string): boolean {
  return registered.some((pattern) => (pattern.endsWith('*') ? candidate.startsWith(pattern.slice(0, -1)) : candidate === pattern));
}
