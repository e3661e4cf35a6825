/**
 * What Keycloak 26 documents and returns, written down as data: the discovery document of
 * `/realms/{realm}/.well-known/openid-configuration` and the access token's header and claims
 * (Keycloak Server Administration Guide, "OpenID Connect"; Securing Applications, "Keycloak endpoints").
 * The development issuer's tests compare its answers with these shapes, so code written for Keycloak keeps working.
 *
 * A type is written as a string: 'string', 'number', 'boolean', 'string[]', 'object', 'string|string[]', or a
 * literal value to be equal to (`{ equals: … }`).
 */

export type Shape = 'string' | 'number' | 'boolean' | 'string[]' | 'object' | 'string|string[]' | { equals: unknown } | { [key: string]: Shape };

/** Keycloak's endpoint paths, relative to the issuer `…/realms/{realm}`. */
export const keycloakEndpointPaths = {
  authorization_endpoint: '/protocol/openid-connect/auth',
  token_endpoint: '/protocol/openid-connect/token',
  userinfo_endpoint: '/protocol/openid-connect/userinfo',
  end_session_endpoint: '/protocol/openid-connect/logout',
  jwks_uri: '/protocol/openid-connect/certs',
  introspection_endpoint: '/protocol/openid-connect/token/introspect',
  revocation_endpoint: '/protocol/openid-connect/revoke',
} as const;

/** Values the discovery document lists, at least (Keycloak lists more). */
export const keycloakDiscoveryIncludes: Record<string, string[]> = {
  grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types_supported: ['code', 'none'],
  response_modes_supported: ['query', 'fragment', 'form_post'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt'],
  token_endpoint_auth_signing_alg_values_supported: ['RS256', 'HS256'],
  code_challenge_methods_supported: ['S256'],
  scopes_supported: ['openid', 'profile', 'email', 'roles', 'web-origins', 'acr', 'basic', 'offline_access', 'address', 'phone'],
};

/** The JOSE header of a Keycloak access token. */
export const keycloakAccessTokenHeader: Record<string, Shape> = {
  alg: { equals: 'RS256' },
  typ: { equals: 'JWT' },
  kid: 'string',
};

/** Claims of every Keycloak access token (with the default client scopes). */
export const keycloakAccessTokenClaims: Record<string, Shape> = {
  exp: 'number',
  iat: 'number',
  jti: 'string',
  iss: 'string',
  aud: 'string|string[]',
  sub: 'string',
  typ: { equals: 'Bearer' },
  azp: 'string',
  acr: 'string',
  realm_access: { roles: 'string[]' },
  resource_access: 'object',
  scope: 'string',
  email_verified: 'boolean',
  preferred_username: 'string',
};

/** Added for a service account (client_credentials, Keycloak 25+ `service_account` scope); no user session. */
export const keycloakServiceAccountClaims: Record<string, Shape> = {
  client_id: 'string',
  clientHost: 'string',
  clientAddress: 'string',
};
export const keycloakServiceAccountAbsentClaims = ['sid', 'auth_time'];

/** Added for an end user who logged in through the browser (authorization code). */
export const keycloakUserClaims: Record<string, Shape> = {
  sid: 'string',
  auth_time: 'number',
  name: 'string',
  given_name: 'string',
  family_name: 'string',
  email: 'string',
  'allowed-origins': 'string[]',
};

/** Keycloak's token endpoint response. */
export const keycloakTokenResponse: Record<string, Shape> = {
  access_token: 'string',
  expires_in: 'number',
  refresh_expires_in: 'number',
  token_type: { equals: 'Bearer' },
  'not-before-policy': 'number',
  scope: 'string',
};

/** Every way `value` departs from `shape`, as paths with what was expected; empty when it matches. */
export function shapeMismatches(value: unknown, shape: Record<string, Shape>, path = ''): string[] {
  const problems: string[] = [];
  const object = (value ?? {}) as Record<string, unknown>;
  for (const [key, expected] of Object.entries(shape)) {
    const at = `${path}${key}`;
    const actual = object[key];
    if (typeof expected === 'string') {
      const ok =
        expected === 'string[]'
          ? Array.isArray(actual) && actual.every((v) => typeof v === 'string')
          : expected === 'string|string[]'
            ? typeof actual === 'string' || (Array.isArray(actual) && actual.every((v) => typeof v === 'string'))
            : expected === 'object'
              ? typeof actual === 'object' && actual !== null && !Array.isArray(actual)
              : typeof actual === expected;
      if (!ok) problems.push(`${at}: expected ${expected}, got ${JSON.stringify(actual)}`);
    } else if ('equals' in expected && Object.keys(expected).length === 1) {
      if (actual !== expected.equals) problems.push(`${at}: expected ${JSON.stringify(expected.equals)}, got ${JSON.stringify(actual)}`);
    } else {
      if (typeof actual !== 'object' || actual === null) problems.push(`${at}: expected an object, got ${JSON.stringify(actual)}`);
      else problems.push(...shapeMismatches(actual, expected as Record<string, Shape>, `${at}.`));
    }
  }
  return problems;
}
