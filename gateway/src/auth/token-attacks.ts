/**
 * The token attack suite as data (issue 3, point 8): what an attacker sends to /graphql and what the gateway must
 * answer. `token-attacks.test.ts` walks both tables through a real gateway, with real tokens from the development
 * issuer (its real signing key, so forged claims are validly signed and only the claim checks stand in the way),
 * and after every attack checks that a valid token still works.
 */
import { Role, type Principal } from '@lgsp/kit';
import type { AuthenticationFailure } from './authentication-error.ts';

/** Keycloak-shaped claims and a header, as decoded from a real token. */
export type Claims = Record<string, unknown>;
export type Header = Record<string, unknown>;

/** What a row may use to build its request: real tokens and the realm's real keys. */
export interface AttackKit {
  /** The realm URL (the `iss` of valid tokens). */
  issuer: string;
  /** A fresh valid access token of an agency system (client credentials, HS256 assertion). */
  accessToken(): Promise<string>;
  /** The realm's public key as PEM (SubjectPublicKeyInfo), as anyone can read it from the JWKS. */
  realmPublicKeyPem: string;
  /** The `kid` of the realm's signing key. */
  realmKid: string;
  /** Decodes a compact JWS. */
  decode(token: string): { header: Header; claims: Claims; signature: string };
  /** Signs header + claims with the realm's private RSA key (RS256/RS384/RS512 per `header.alg`). */
  signWithRealmKey(header: Header, claims: Claims): string;
  /** Signs with an HMAC key (HS256). */
  signHmac(header: Header, claims: Claims, secret: string | Buffer): string;
  /** Joins header, claims and a signature as given (unsigned or tampered tokens). */
  compact(header: Header, claims: Claims, signature: string): string;
  /** A valid access token of another realm (`other`, another development issuer and key). */
  otherRealmAccessToken(): Promise<string>;
  /** Real tokens of a civil servant's authorization-code + PKCE login: its ID token and refresh token. */
  portalLogin(): Promise<{ accessToken: string; idToken: string; refreshToken: string }>;
  /** Seconds since the epoch. */
  now(): number;
}

/** Header lines as sent on the wire, so that duplicates can be sent (fetch would merge them). */
export type HeaderLines = Array<[string, string]>;

export interface TokenAttack {
  name: string;
  /** The request's header lines besides Host, Content-Type, Accept. */
  headers(kit: AttackKit): Promise<HeaderLines>;
  /** The reason the gateway logs and counts. */
  reason: AuthenticationFailure;
  /** The `error` attribute of `WWW-Authenticate`; undefined = no error attributes (RFC 6750 §3.1). */
  oauthError: 'invalid_token' | 'invalid_request' | undefined;
  /** The attack makes the gateway refresh the realm's keys exactly once (an unknown kid). */
  refreshesKeys?: boolean;
}

const bearer = (token: string): HeaderLines => [['authorization', `Bearer ${token}`]];

/** Re-signs a valid access token's claims, changed by `edit`, with the realm's real key. */
async function resigned(kit: AttackKit, edit: (claims: Claims, header: Header) => void): Promise<HeaderLines> {
  const { header, claims } = kit.decode(await kit.accessToken());
  edit(claims, header);
  return bearer(kit.signWithRealmKey(header, claims));
}

/** A citizen's personal ID in the simulator's population database (Trần Quốc Hòa). */
const CITIZEN_PERSONAL_ID = '040074988660';

/**
 * A citizen's token as the realm issues it to the portal after a VDXP sign-in (role `citizen`, `personal_id`, `acr`,
 * no agency): a real civil servant's portal token re-signed with those claims, then changed by `edit`.
 */
async function citizenToken(
  kit: Pick<AttackKit, 'portalLogin' | 'decode' | 'signWithRealmKey'>,
  edit: (claims: Claims) => void = () => undefined,
): Promise<string> {
  const { header, claims } = kit.decode((await kit.portalLogin()).accessToken);
  delete claims.agency_code;
  delete claims.resource_access;
  claims.realm_access = { roles: ['citizen'] };
  claims.personal_id = CITIZEN_PERSONAL_ID;
  claims.acr = '2';
  edit(claims);
  return kit.signWithRealmKey(header, claims);
}

export const tokenAttacks: TokenAttack[] = [
  {
    name: 'alg none (unsigned token with valid claims)',
    headers: async (kit) => {
      const { header, claims } = kit.decode(await kit.accessToken());
      return bearer(kit.compact({ ...header, alg: 'none' }, claims, ''));
    },
    reason: 'algorithm',
    oauthError: 'invalid_token',
  },
  {
    name: 'HS256 signed with the realm public key (key confusion)',
    headers: async (kit) => {
      const { header, claims } = kit.decode(await kit.accessToken());
      return bearer(kit.signHmac({ ...header, alg: 'HS256' }, claims, kit.realmPublicKeyPem));
    },
    reason: 'algorithm',
    oauthError: 'invalid_token',
  },
  {
    name: 'RS512 (the realm key, an algorithm outside AUTH_ALLOWED_ALGS)',
    headers: (kit) => resigned(kit, (_c, header) => (header.alg = 'RS512')),
    reason: 'algorithm',
    oauthError: 'invalid_token',
  },
  {
    name: 'expired (exp 2 minutes ago, beyond the 30 s skew)',
    headers: (kit) => resigned(kit, (c) => ((c.exp = kit.now() - 120), (c.iat = kit.now() - 420))),
    reason: 'expired',
    oauthError: 'invalid_token',
  },
  {
    name: 'not yet valid (nbf 2 minutes ahead)',
    headers: (kit) => resigned(kit, (c) => (c.nbf = kit.now() + 120)),
    reason: 'not_yet_valid',
    oauthError: 'invalid_token',
  },
  {
    name: 'issued in the future (iat 2 minutes ahead)',
    headers: (kit) => resigned(kit, (c) => ((c.iat = kit.now() + 120), (c.exp = kit.now() + 420))),
    reason: 'not_yet_valid',
    oauthError: 'invalid_token',
  },
  {
    name: 'wrong issuer (another realm path, same key)',
    headers: (kit) => resigned(kit, (c) => (c.iss = kit.issuer.replace(/\/realms\/lgsp$/, '/realms/master'))),
    reason: 'issuer',
    oauthError: 'invalid_token',
  },
  {
    name: 'wrong audience (aud = account)',
    headers: (kit) => resigned(kit, (c) => (c.aud = ['account'])),
    reason: 'audience',
    oauthError: 'invalid_token',
  },
  {
    name: 'no exp',
    headers: (kit) => resigned(kit, (c) => delete c.exp),
    reason: 'missing_claim',
    oauthError: 'invalid_token',
  },
  {
    name: 'typ ID (an ID token presented as an access token, audience the gateway)',
    headers: (kit) => resigned(kit, (c) => (c.typ = 'ID')),
    reason: 'token_type',
    oauthError: 'invalid_token',
  },
  {
    name: 'typ Refresh (a Keycloak refresh token shape)',
    headers: (kit) => resigned(kit, (c) => (c.typ = 'Refresh')),
    reason: 'token_type',
    oauthError: 'invalid_token',
  },
  {
    name: 'lgsp_environment production (only test is a value: a production credential carries no claim)',
    headers: (kit) => resigned(kit, (c) => (c.lgsp_environment = 'production')),
    reason: 'environment',
    oauthError: 'invalid_token',
  },
  {
    name: 'lgsp_environment TEST (values are case-sensitive)',
    headers: (kit) => resigned(kit, (c) => (c.lgsp_environment = 'TEST')),
    reason: 'environment',
    oauthError: 'invalid_token',
  },
  {
    name: 'lgsp_environment an array',
    headers: (kit) => resigned(kit, (c) => (c.lgsp_environment = ['test'])),
    reason: 'environment',
    oauthError: 'invalid_token',
  },
  {
    name: 'lgsp_environment null',
    headers: (kit) => resigned(kit, (c) => (c.lgsp_environment = null)),
    reason: 'environment',
    oauthError: 'invalid_token',
  },
  {
    name: 'a citizen token without personal_id',
    headers: async (kit) => bearer(await citizenToken(kit, (c) => delete c.personal_id)),
    reason: 'personal_id',
    oauthError: 'invalid_token',
  },
  {
    name: 'a citizen token whose personal_id is not 12 digits (a 9-digit CMND number)',
    headers: async (kit) => bearer(await citizenToken(kit, (c) => (c.personal_id = '186543210'))),
    reason: 'personal_id',
    oauthError: 'invalid_token',
  },
  {
    name: 'a citizen token whose enterprise_code is not an enterprise code',
    headers: async (kit) => bearer(await citizenToken(kit, (c) => (c.enterprise_code = '52244427'))),
    reason: 'enterprise_code',
    oauthError: 'invalid_token',
  },
  {
    name: 'a citizen token whose acr is an object',
    headers: async (kit) => bearer(await citizenToken(kit, (c) => (c.acr = { level: 2 }))),
    reason: 'assurance_level',
    oauthError: 'invalid_token',
  },
  {
    name: 'a citizen token that also names an agency (self-access never mixes with agency grants)',
    headers: async (kit) => bearer(await citizenToken(kit, (c) => (c.agency_code = '000.00.20.H41'))),
    reason: 'citizen_agency',
    oauthError: 'invalid_token',
  },
  {
    name: "an agency system's token given the citizen role and a personal_id",
    headers: (kit) =>
      resigned(kit, (c) => {
        c.realm_access = { roles: ['citizen'] };
        c.personal_id = CITIZEN_PERSONAL_ID;
      }),
    reason: 'citizen_agency',
    oauthError: 'invalid_token',
  },
  {
    name: "the portal's real ID token",
    headers: async (kit) => bearer((await kit.portalLogin()).idToken),
    reason: 'audience',
    oauthError: 'invalid_token',
  },
  {
    name: "the portal's real refresh token (opaque)",
    headers: async (kit) => bearer((await kit.portalLogin()).refreshToken),
    reason: 'malformed_token',
    oauthError: 'invalid_token',
  },
  {
    name: 'unknown kid (signed by a key the realm does not publish)',
    headers: (kit) => resigned(kit, (_c, header) => (header.kid = 'rotated-or-forged-key')),
    reason: 'unknown_key',
    oauthError: 'invalid_token',
    refreshesKeys: true,
  },
  {
    name: 'tampered payload (agency_code changed, signature kept)',
    headers: async (kit) => {
      const { header, claims, signature } = kit.decode(await kit.accessToken());
      return bearer(kit.compact(header, { ...claims, agency_code: '000.00.02.H41' }, signature));
    },
    reason: 'signature',
    oauthError: 'invalid_token',
  },
  {
    name: 'token of another realm (realm other, its own key)',
    headers: async (kit) => bearer(await kit.otherRealmAccessToken()),
    reason: 'unknown_key',
    oauthError: 'invalid_token',
    refreshesKeys: true,
  },
  {
    name: 'oversized token (9000 bytes)',
    headers: async (kit) => bearer(`${await kit.accessToken()}${'A'.repeat(9000)}`),
    reason: 'oversized',
    oauthError: 'invalid_token',
  },
  {
    name: 'garbage, not a JWT',
    headers: async () => bearer('not-a-jwt'),
    reason: 'malformed_token',
    oauthError: 'invalid_token',
  },
  {
    name: 'header that is not JSON',
    headers: async (kit) => {
      const [, payload, signature] = (await kit.accessToken()).split('.');
      return bearer(`${Buffer.from('{"alg":"RS256"').toString('base64url')}.${payload}.${signature}`);
    },
    reason: 'malformed_token',
    oauthError: 'invalid_token',
  },
  {
    name: 'JWE-looking 5-part token',
    headers: async () => bearer(['eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ', 'a2V5', 'aXY', 'Y2lwaGVy', 'dGFn'].join('.')),
    reason: 'malformed_token',
    oauthError: 'invalid_token',
  },
  {
    name: 'Authorization: Basic (another scheme)',
    headers: async () => [['authorization', `Basic ${Buffer.from('sotaichinh-h41-dkkd:secret').toString('base64')}`]],
    reason: 'unsupported_scheme',
    oauthError: undefined,
  },
  {
    name: 'Bearer without a token',
    headers: async () => [['authorization', 'Bearer']],
    reason: 'malformed_header',
    oauthError: 'invalid_request',
  },
  {
    name: 'two Authorization headers (a valid token first)',
    headers: async (kit) => [
      ['authorization', `Bearer ${await kit.accessToken()}`],
      ['authorization', 'Bearer not-a-jwt'],
    ],
    reason: 'malformed_header',
    oauthError: 'invalid_request',
  },
];

/** Who a valid token makes the caller, as the subgraph sees it in the internal token. */
export interface AcceptedToken {
  name: string;
  token(kit: AcceptedKit): Promise<string>;
  /** Extra header lines (e.g. X-LGSP-Purpose). */
  headers?: HeaderLines;
  principal: Partial<Principal>;
  /** Fields that must be present (their values vary: ids, jti). */
  present: Array<keyof Principal>;
  /** Roles the principal must have (realm roles and the gateway client's roles). */
  rolesInclude?: string[];
}

export interface AcceptedKit extends AttackKit {
  /** client_credentials with a client assertion as the realm's client authenticator says (HS256 or RS256). */
  clientCredentials(clientId: string): Promise<string>;
  /** Authorization code + PKCE through the login form of the development issuer. */
  login(username: string): Promise<{ accessToken: string; userId: string }>;
}

export const acceptedTokens: AcceptedToken[] = [
  {
    name: 'agency system, client-secret-jwt (HS256 assertion: access key + secret key)',
    token: (kit) => kit.clientCredentials('sotaichinh-h41-dkkd'),
    principal: {
      kind: 'system',
      agencyCode: '000.00.03.H41',
      systemId: '000.00.03.H41:dang-ky-kinh-doanh',
      clientId: 'sotaichinh-h41-dkkd',
      username: 'service-account-sotaichinh-h41-dkkd',
      scopes: ['profile', 'email'],
      environment: undefined,
    },
    present: ['tokenId'],
    rolesInclude: [Role.agencySystem, Role.dataConsumer, Role.dataProvider],
  },
  {
    name: 'agency system, client-jwt (RS256 assertion with its private key), with a declared purpose',
    token: (kit) => kit.clientCredentials('congan-h41-dancu'),
    headers: [['x-lgsp-purpose', 'HS-000.00.02.H41-2025-000123']],
    principal: {
      kind: 'system',
      agencyCode: '000.00.02.H41',
      systemId: '000.00.02.H41:csdl-dan-cu-tinh',
      clientId: 'congan-h41-dancu',
      purpose: 'HS-000.00.02.H41-2025-000123',
    },
    present: ['tokenId'],
    rolesInclude: [Role.agencySystem],
  },
  {
    name: 'civil servant, authorization code + PKCE through the login page',
    token: async (kit) => (await kit.login('hoa.vo')).accessToken,
    principal: {
      kind: 'user',
      agencyCode: '000.00.20.H41',
      clientId: 'lgsp-portal',
      username: 'hoa.vo',
      systemId: '000.00.01.H41:lgsp-portal',
      scopes: ['openid', 'profile', 'email'],
    },
    present: ['userId', 'tokenId'],
    rolesInclude: [Role.civilServant, Role.dataConsumer],
  },
  {
    name: 'citizen signed in through VDXP: personal ID, enterprise code, assurance level, no agency, purpose self-access',
    token: (kit) => citizenToken(kit, (c) => (c.enterprise_code = '5224442797')),
    principal: {
      kind: 'user',
      agencyCode: undefined,
      roles: ['citizen'],
      personalId: CITIZEN_PERSONAL_ID,
      enterpriseCode: '5224442797',
      assuranceLevel: '2',
      clientId: 'lgsp-portal',
      purpose: 'self-access',
    },
    present: ['userId', 'tokenId'],
  },
  {
    name: 'test credential: lgsp_environment test (the claim the test clients hardcode)',
    token: async (kit) => {
      const { header, claims } = kit.decode(await kit.accessToken());
      return kit.signWithRealmKey(header, { ...claims, lgsp_environment: 'test' });
    },
    principal: { kind: 'system', agencyCode: '000.00.03.H41', environment: 'test' },
    present: [],
  },
  {
    name: 'expired 10 s ago: within the 30 s clock skew',
    token: async (kit) => {
      const { header, claims } = kit.decode(await kit.accessToken());
      return kit.signWithRealmKey(header, { ...claims, exp: kit.now() - 10 });
    },
    principal: { kind: 'system', agencyCode: '000.00.03.H41' },
    present: [],
  },
];
