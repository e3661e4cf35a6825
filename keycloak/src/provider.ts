/**
 * oidc-provider (a certified OpenID Provider library) configured from the realm export so that it answers like
 * Keycloak 26: Keycloak's endpoint paths under /realms/<realm>, the realm's clients with their authenticators
 * (client-secret-jwt → client_secret_jwt HS256, client-jwt → private_key_jwt RS256, public → PKCE), JWT access
 * tokens with Keycloak's header and claims (see claims.ts), lifetimes from the realm.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import Provider, {
  errors,
  type Adapter,
  type ClientMetadata,
  type Configuration,
  type JWK,
  type KoaContextWithOIDC,
  type SigningAlgorithm,
} from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import type { Logger } from '@lgsp/kit';
import { allowedOrigins, allowedScopes, builtInClientScopes, keycloakClaims, redirectUriMatches } from './claims.ts';
import { autoLogoutPage, errorPage, logoutPage, messagePage } from './login-page.ts';
import { serviceAccountUser, tokenClient, type RealmClient, type RealmExport } from './realm.ts';

/** Keycloak's endpoint paths, relative to the issuer (`…/realms/<realm>`). */
export const keycloakRoutes = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  introspection: '/protocol/openid-connect/token/introspect',
  revocation: '/protocol/openid-connect/revoke',
} as const;

export const loginActionsPath = '/login-actions/authenticate';

/** The resource indicator that stands for the gateway; tokens for it carry audience `lgsp-gateway`. */
export const gatewayResource = 'urn:lgsp:resource:lgsp-gateway';
export const gatewayAudience = 'lgsp-gateway';

export interface ProviderInput {
  issuer: string;
  realm: RealmExport;
  signingKeys: JWK[];
  cookieKeys: string[];
  logger: Logger;
}

/** The realm client's public key for client-jwt, from `jwt.credential.public.key` (base64 SPKI) and `jwt.credential.kid`. */
function clientJwks(client: RealmClient): { keys: JWK[] } {
  const spki = client.attributes['jwt.credential.public.key'];
  if (spki === undefined) throw new Error(`client ${client.clientId}: client-jwt without jwt.credential.public.key`);
  const key: KeyObject = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
  const jwk = key.export({ format: 'jwk' }) as JWK;
  return { keys: [{ ...jwk, kid: client.attributes['jwt.credential.kid'], use: 'sig' }] };
}

/** The realm client's JWKS URL for client-jwt with "Use JWKS URL" (`jwks.url`). */
function clientJwksUrl(client: RealmClient): string {
  const url = client.attributes['jwks.url'] ?? '';
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new Error(`client ${client.clientId}: use.jwks.url without a usable jwks.url`);
  return url;
}

function clientMetadata(client: RealmClient): ClientMetadata {
  const grantTypes: string[] = [];
  if (client.standardFlowEnabled) grantTypes.push('authorization_code', 'refresh_token');
  if (client.serviceAccountsEnabled && !client.publicClient) grantTypes.push('client_credentials');
  const base: ClientMetadata = {
    client_id: client.clientId,
    client_name: client.name ?? client.clientId,
    scope: allowedScopes(client).join(' '),
    grant_types: grantTypes,
    response_types: client.standardFlowEnabled ? ['code'] : [],
    redirect_uris: client.standardFlowEnabled ? client.redirectUris : [],
    post_logout_redirect_uris: (client.attributes['post.logout.redirect.uris'] ?? '').split('##').filter(Boolean),
  };
  if (client.publicClient) return { ...base, token_endpoint_auth_method: 'none' };
  const signingAlg = client.attributes['token.endpoint.auth.signing.alg'];
  switch (client.clientAuthenticatorType) {
    case 'client-secret-jwt':
      return {
        ...base,
        client_secret: client.secret,
        token_endpoint_auth_method: 'client_secret_jwt',
        token_endpoint_auth_signing_alg: (signingAlg ?? 'HS256') as SigningAlgorithm,
      };
    case 'client-jwt':
      return {
        ...base,
        // Keycloak's "Use JWKS URL": the keys are fetched from the system's JWKS URL (and re-fetched when stale).
        ...(client.attributes['use.jwks.url'] === 'true' ? { jwks_uri: clientJwksUrl(client) } : { jwks: clientJwks(client) }),
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: (signingAlg ?? 'RS256') as SigningAlgorithm,
      };
    case 'client-secret':
      return { ...base, client_secret: client.secret, token_endpoint_auth_method: 'client_secret_basic' };
    default:
      throw new Error(`client ${client.clientId}: authenticator ${client.clientAuthenticatorType} is not supported by the development issuer`);
  }
}

export function createProvider(input: ProviderInput): Provider {
  const { realm, logger } = input;
  const mountPath = new URL(input.issuer).pathname;
  // The realm's clients and users are read at each request, not copied: the Admin REST API (admin-api.ts) changes
  // them, and a client created, disabled, updated or deleted there takes effect at the token endpoint at once.
  const usersById = { get: (id: string) => realm.users.find((u) => u.id === id) };
  const mappedClaimNames = [
    ...new Set([...realm.clients.flatMap((c) => c.protocolMappers.map((m) => m.config['claim.name']).filter((n): n is string => !!n)), 'lgsp_environment']),
  ];

  const realmClientOf = (clientId: string | undefined): RealmClient => {
    const client = clientId === undefined ? undefined : tokenClient(realm, clientId);
    if (!client) throw new errors.InvalidClient('client not found in the realm');
    return client;
  };

  // oidc-provider keeps no static clients: every lookup asks this adapter, which answers from the realm as it is now
  // (a disabled or deleted client is not found, so its assertions are refused with invalid_client).
  const memoryAdapter = createMemoryAdapter();
  const clientAdapter: Adapter = {
    find: async (clientId: string) => {
      const client = tokenClient(realm, clientId);
      if (!client) return undefined;
      try {
        return clientMetadata(client) as never;
      } catch (error) {
        logger.info({ event: 'client.unusable', clientId, error: (error as Error).message }, 'client refused: its credentials are not usable');
        return undefined;
      }
    },
    upsert: async () => {
      throw new Error('clients are managed through the Admin REST API');
    },
    destroy: async () => undefined,
    consume: async () => undefined,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    revokeByGrantId: async () => undefined,
  };

  const configuration: Configuration = {
    adapter: (name: string) => (name === 'Client' ? clientAdapter : memoryAdapter(name)),
    jwks: { keys: input.signingKeys },
    cookies: { keys: input.cookieKeys },
    routes: keycloakRoutes,
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
      idTokenSigningAlgValues: ['RS256'],
    },
    scopes: ['openid', ...Object.keys(builtInClientScopes)],
    // Keycloak applies the client's default scopes (profile, email, …) whether or not they are requested, so the
    // claims are released with `openid`; keycloakClaims() decides which ones a token carries.
    claims: {
      openid: ['sub', 'auth_time', 'acr', 'sid', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'email_verified', ...mappedClaimNames],
    },
    conformIdTokenClaims: false,
    responseTypes: ['code', 'none'],
    // Keycloak's kc_idp_hint: the login goes straight to that identity provider (broker.ts).
    extraParams: ['kc_idp_hint'],
    // Keycloak answers CORS for a client's web origins ("+" = its redirect URIs' origins): token, userinfo, revocation,
    // introspection. A browser client (the portal, oidc-client-ts) exchanges its code from its own origin.
    clientBasedCORS: (_ctx, origin, client) => {
      const realmClient = tokenClient(realm, client.clientId);
      return realmClient !== undefined && allowedOrigins(realmClient).includes(origin);
    },
    pkce: {
      // Keycloak requires PKCE when the client sets pkce.code.challenge.method; oidc-provider always requires it for public clients.
      required: (_ctx, client) =>
        client.clientAuthMethod === 'none' || tokenClient(realm, client.clientId)?.attributes['pkce.code.challenge.method'] !== undefined,
    },
    ttl: {
      AccessToken: (_ctx, _token, client) => Number(tokenClient(realm, client.clientId)?.attributes['access.token.lifespan'] ?? realm.accessTokenLifespan),
      ClientCredentials: (_ctx, _token, client) =>
        Number(tokenClient(realm, client.clientId)?.attributes['access.token.lifespan'] ?? realm.accessTokenLifespan),
      AuthorizationCode: realm.accessCodeLifespan,
      IdToken: realm.accessTokenLifespan,
      Interaction: realm.accessCodeLifespanLogin,
      Session: realm.ssoSessionMaxLifespan,
      Grant: realm.ssoSessionMaxLifespan,
      RefreshToken: realm.ssoSessionIdleTimeout,
    },
    // Keycloak issues a refresh token with every authorization-code token response.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          // Keycloak asks no confirmation when the application proves the session with id_token_hint: the form is
          // submitted at once (with logout=yes, so the session ends). Without it, the person confirms.
          const hinted = typeof ctx.oidc.params?.id_token_hint === 'string' && ctx.oidc.params.id_token_hint !== '';
          ctx.body = hinted ? autoLogoutPage(form) : logoutPage(form, ctx.oidc.client?.clientName);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = messagePage('Đã đăng xuất / Signed out', 'Bạn đã đăng xuất. You have signed out.');
        },
      },
      resourceIndicators: {
        enabled: true,
        // Code written for Keycloak never sends `resource`: every token is signed as a JWT for this one resource
        // server, whose `aud` the jwt customizer below replaces with the audiences Keycloak would write.
        defaultResource: async () => gatewayResource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          if (indicator !== gatewayResource) throw new errors.InvalidTarget('unknown resource');
          return {
            scope: allowedScopes(realmClientOf(client.clientId)).join(' '),
            audience: gatewayAudience,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    findAccount: async (_ctx, sub) => {
      const user = usersById.get(sub);
      if (!user || !user.enabled) return undefined;
      return {
        accountId: user.id,
        claims: async (use, scope) => {
          const client = realmClientOf(_ctx.oidc.client?.clientId);
          const claims = keycloakClaims({ realm, client, user, requestedScope: scope }, use === 'id_token' ? 'id' : 'userinfo');
          return { ...claims, sub: user.id };
        },
      };
    },
    // Keycloak asks no consent for clients without "Consent required": grant what the client may have.
    loadExistingGrant: async (ctx) => {
      const { client, session, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      if (realmClientOf(client.clientId).attributes['consent.required'] === 'true') return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      const requested = typeof params?.scope === 'string' ? params.scope : 'openid';
      const allowed = new Set(allowedScopes(realmClientOf(client.clientId)));
      const scopes = requested
        .split(' ')
        .filter((s) => allowed.has(s))
        .join(' ');
      grant.addOIDCScope(scopes);
      grant.addOIDCClaims([
        'sub',
        'auth_time',
        'acr',
        'sid',
        'name',
        'given_name',
        'family_name',
        'preferred_username',
        'email',
        'email_verified',
        ...mappedClaimNames,
      ]);
      grant.addResourceScope(gatewayResource, scopes);
      await grant.save();
      return grant;
    },
    interactions: {
      url: (_ctx, interaction) => `${mountPath}${loginActionsPath}/${interaction.uid}`,
    },
    formats: {
      customizers: {
        // Keycloak's access token: header typ "JWT" (not RFC 9068's at+jwt), Keycloak's claims.
        jwt: async (ctx, token, jwt) => {
          const client = realmClientOf(token.clientId);
          const isAccessToken = token.kind === 'AccessToken';
          const user = isAccessToken ? usersById.get((token as { accountId: string }).accountId) : serviceAccountUser(realm, client.clientId);
          if (!user) throw new errors.InvalidGrant('the token subject is not a user of the realm');
          let authTime: number | undefined;
          let sessionId: string | undefined;
          if (isAccessToken) {
            const sessionUid = (token as { sessionUid?: string }).sessionUid;
            sessionId = (token as { sid?: string }).sid ?? sessionUid;
            if (sessionUid !== undefined) authTime = (await ctx.oidc.provider.Session.findByUid(sessionUid))?.authTime();
          }
          const claims = keycloakClaims(
            { realm, client, user, requestedScope: (token as { scope?: string }).scope, sessionId, authTime, clientAddress: ctx.ip },
            'access',
          );
          jwt.header = { typ: 'JWT' };
          const { payload } = jwt;
          delete payload.client_id;
          // oidc-provider writes the resource server's audience into every token; Keycloak writes `aud` only from
          // the client's audience mappers and the clients whose roles are in scope (audience resolve). A client
          // with neither (an agency's single sign-on application) gets a token without `aud`, which the gateway refuses.
          delete payload.aud;
          Object.assign(payload, claims);
          if (payload.aud === undefined) {
            // oidc-provider refuses to sign a JWT access token without `aud` (it checks `payload.aud` after this
            // customizer). A non-enumerable `aud` passes that check and is left out of the signed JSON, so the token
            // has no audience at all, as Keycloak's.
            Object.defineProperty(payload, 'aud', { value: 'none', writable: true, enumerable: false, configurable: true });
          }
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
    // Keycloak requires sub = iss = client_id in a client assertion (oidc-provider checks iss, exp, jti, aud).
    assertJwtClientAuthClaimsAndHeader: async (_ctx, claims, _header, client) => {
      if (claims.sub !== client.clientId) throw new errors.InvalidClientAuth('sub (JWT subject) must be the client_id');
    },
    clockTolerance: 5,
    // oidc-provider refuses to fetch from special-use addresses (SSRF protection); Keycloak fetches a client's JWKS
    // URL wherever it points. Loopback is allowed, so a system on the same machine (development, tests) can serve its
    // JWKS; other special-use addresses stay refused.
    fetch: (url, options) => {
      const host = new URL(url instanceof Request ? url.url : url).hostname;
      if (host === 'localhost' || host === '127.0.0.1' || host === '[::1]') delete (options as { dispatcher?: unknown }).dispatcher;
      return globalThis.fetch(url, options);
    },
  };

  const provider = new Provider(input.issuer, configuration);

  // Keycloak matches redirect URIs with a trailing wildcard ("http://localhost:4000/*").
  const ClientModel = provider.Client as unknown as {
    prototype: {
      redirectUris?: string[];
      postLogoutRedirectUris?: string[];
      redirectUriAllowed(uri: string): boolean;
      postLogoutRedirectUriAllowed(uri: string): boolean;
      includeSid(): boolean;
    };
  };
  // Keycloak puts `sid` into every ID token (oidc-provider only for back-channel logout clients that ask for it): an
  // application matches it against the `sid` of a front-channel logout request (frontchannel-logout.ts).
  ClientModel.prototype.includeSid = function includeSid() {
    return true;
  };
  // Keycloak's `sid` is the user session's id, the same for every client of the session (and in its events);
  // oidc-provider makes one per client. Use the session's uid for all of them (it survives the re-login identifier reset).
  const SessionModel = provider.Session as unknown as {
    prototype: { uid?: string; sidFor(clientId: string, value?: string): string | undefined; ensureClientContainer(clientId: string): void };
  };
  SessionModel.prototype.ensureClientContainer = function ensureClientContainer(clientId: string) {
    if (!this.sidFor(clientId) && this.uid !== undefined) this.sidFor(clientId, this.uid);
  };
  ClientModel.prototype.redirectUriAllowed = function redirectUriAllowed(uri: string) {
    return redirectUriMatches(this.redirectUris ?? [], uri);
  };
  ClientModel.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(uri: string) {
    return redirectUriMatches(this.postLogoutRedirectUris ?? [], uri);
  };

  for (const event of [
    'server_error',
    'grant.error',
    'introspection.error',
    'revocation.error',
    'end_session.error',
    'authorization.error',
    'userinfo.error',
  ] as const) {
    (provider as unknown as { on(event: string, listener: (ctx: KoaContextWithOIDC, error: Error & { error_description?: string }) => void): void }).on(
      event,
      (_ctx, error) => {
        const level = event === 'server_error' ? 'error' : 'info';
        logger[level]({ event, error: error.message, description: error.error_description }, 'oidc error');
      },
    );
  }
  return provider;
}
