/**
 * The Keycloak-compatible development issuer: `npm start` runs it when KEYCLOAK_URL is not set, tests start it on
 * port 0. It loads the same `realm-export.json` a real Keycloak imports and answers on Keycloak's paths, so code
 * written for Keycloak (discovery, JWKS, token endpoint with client assertions, authorization code + PKCE,
 * userinfo, introspection, logout) works against it unchanged. Differences are listed in keycloak/README.md.
 */
import { createHmac, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, type JWK as JoseJWK, type JWTPayload } from 'jose';
import type { JWK, KoaContextWithOIDC } from 'oidc-provider';
import { createLogger, type Logger } from '@lgsp/kit';
import { createAdminApi } from './admin-api.ts';
import { createEventStore, type EventStore } from './events.ts';
import { frontchannelLogout } from './frontchannel-logout.ts';
import { allowedOrigins, allowedScopes, keycloakClaims } from './claims.ts';
import { BrokerStateError, createBroker } from './broker.ts';
import type { DevIssuerConfig } from './config.ts';
import { loginPage, messagePage } from './login-page.ts';
import { createProvider, keycloakRoutes, loginActionsPath } from './provider.ts';
import { defaultRealmFile, developmentPassword, findUserByLogin, loadRealmExport, withResolvedClientUrls, type RealmExport } from './realm.ts';

export { configSchema, type DevIssuerConfig } from './config.ts';

export interface RunningDevIssuer {
  /** The issuer identifier, e.g. http://localhost:8080/realms/lgsp — the `iss` of every token. */
  issuer: string;
  /** Where the server listens, e.g. http://127.0.0.1:8080. */
  url: string;
  port: number;
  /** The realm as it is now: loaded from the export, then changed by the Admin REST API (clients, service accounts, role mappings). */
  realm: RealmExport;
  /** The login and admin events recorded (served at `/admin/realms/{realm}/events` and `/admin-events`). */
  events: EventStore;
  close(): Promise<void>;
}

export interface DevIssuerDeps {
  logger?: Logger;
  /** A realm already loaded (tests), instead of DEV_ISSUER_REALM_FILE. */
  realm?: RealmExport;
}

const MAX_FORM_BYTES = 16 * 1024;

async function loadSigningKeys(file: string | undefined): Promise<JWK[]> {
  let privateKeys: KeyObject[];
  if (file === undefined) {
    privateKeys = [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey];
  } else {
    const text = await readFile(file, 'utf8');
    if (text.trimStart().startsWith('{')) {
      const jwks = JSON.parse(text) as { keys: JoseJWK[] };
      privateKeys = jwks.keys.map((k) => createPrivateKey({ key: k as never, format: 'jwk' }));
    } else {
      privateKeys = [createPrivateKey(text)];
    }
  }
  return Promise.all(
    privateKeys.map(async (key) => {
      if (key.asymmetricKeyType !== 'rsa') throw new Error('DEV_ISSUER_SIGNING_KEY_FILE: only RSA keys are supported (RS256)');
      const jwk = key.export({ format: 'jwk' }) as JoseJWK;
      return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' } as JWK;
    }),
  );
}

function publicJwk(jwk: JWK): JoseJWK {
  const { kty, n, e, kid, alg, use } = jwk as JoseJWK;
  return { kty, n, e, kid, alg, use };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) throw new Error('expected a form');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

const htmlHeaders = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // No scripts, no external assets; the form posts back to this origin.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
};

export async function startDevIssuer(config: DevIssuerConfig, deps: DevIssuerDeps = {}): Promise<RunningDevIssuer> {
  const logger = deps.logger ?? createLogger('dev-issuer', config.LOG_LEVEL);
  const realm = withResolvedClientUrls(deps.realm ?? (await loadRealmExport(config.DEV_ISSUER_REALM_FILE ?? defaultRealmFile)), config.GATEWAY_PUBLIC_URL);
  const signingKeys = await loadSigningKeys(config.DEV_ISSUER_SIGNING_KEY_FILE);
  const publicJwks = { keys: signingKeys.map(publicJwk) };
  const localJwks = createLocalJWKSet(publicJwks);
  const cookieSecret = randomBytes(32).toString('base64url');
  const csrfTokenFor = (uid: string): string => createHmac('sha256', cookieSecret).update(`login:${uid}`).digest('base64url');

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else send(res, 503, 'text/plain', 'starting');
  });
  server.listen(config.DEV_ISSUER_PORT, config.HOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(config.HOST);
  const issuer = config.DEV_ISSUER_URL ?? `http://${local ? 'localhost' : config.HOST}:${port}/realms/${realm.realm}`;
  const mountPath = new URL(issuer).pathname;
  if (mountPath !== `/realms/${realm.realm}`) {
    server.close();
    throw new Error(`DEV_ISSUER_URL: its path must be /realms/${realm.realm} (got ${mountPath})`);
  }

  const provider = createProvider({ issuer, realm, signingKeys, cookieKeys: [cookieSecret], logger });
  const events = createEventStore(realm);
  recordLogouts(provider, realm, events);
  const interactionPath = (uid: string): string => `${mountPath}${loginActionsPath}/${encodeURIComponent(uid)}`;
  const broker = createBroker({
    realm,
    issuer,
    events,
    logger,
    interactionPath,
    vdxpIssuerUrl: config.VDXP_ISSUER_URL,
    vdxpClientSecret: config.VDXP_CLIENT_SECRET,
  });
  /** Whether some client of the realm may call from `origin` (its web origins). */
  const knownOrigin = (origin: string | undefined): origin is string =>
    origin !== undefined && origin !== 'null' && realm.clients.some((c) => allowedOrigins(c).includes(origin));

  /** Verifies an access token this issuer signed; undefined when it is not valid (any reason). */
  async function verifyOwnAccessToken(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, localJwks, { issuer, algorithms: ['RS256'], typ: 'JWT', requiredClaims: ['exp', 'sub'] });
      if (payload.typ !== 'Bearer') return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }

  // Keycloak introspects its JWT access tokens; oidc-provider refuses structured tokens after authenticating the
  // client. Answer like Keycloak: the token's claims with `active`, `client_id`, `username`, `token_type`.
  async function keycloakIntrospection(ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> {
    await next();
    const body = ctx.body as { error?: string } | undefined;
    if (ctx.path !== keycloakRoutes.introspection || ctx.status !== 400 || body?.error !== 'unsupported_token_type' || !ctx.oidc?.client) return;
    const token = ctx.oidc.params?.token;
    const payload = typeof token === 'string' ? await verifyOwnAccessToken(token) : undefined;
    ctx.status = 200;
    ctx.remove('www-authenticate');
    ctx.body = payload ? { ...payload, client_id: payload.azp, username: payload.preferred_username, token_type: 'Bearer', active: true } : { active: false };
  }

  // Keycloak's token response also carries `scope`, `refresh_expires_in` and `not-before-policy`, and Keycloak
  // refuses a scope the client does not have (oidc-provider drops unknown scopes silently; the token it signed
  // is never handed out).
  async function keycloakTokenResponse(ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> {
    await next();
    if (ctx.path !== keycloakRoutes.token) return;
    await shapeTokenResponse(ctx);
    await recordTokenEvent(ctx);
  }

  /** The login event of a token request, as Keycloak's TokenEndpoint records it (success or `<TYPE>_ERROR`). */
  async function recordTokenEvent(ctx: KoaContextWithOIDC): Promise<void> {
    const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
    const grantType = typeof params.grant_type === 'string' ? params.grant_type : undefined;
    const type = grantType === undefined ? undefined : TOKEN_EVENT_TYPES[grantType];
    if (type === undefined) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    const succeeded = ctx.status === 200 && typeof body?.access_token === 'string';
    const eventType = succeeded ? type : `${type}_ERROR`;
    if (!events.records(eventType)) return;
    const clientId = ctx.oidc?.client?.clientId ?? claimedClientId(ctx, params);
    const payload = succeeded ? await verifyOwnAccessToken(body.access_token as string) : undefined;
    const serviceAccount = grantType === 'client_credentials' ? realm.users.find((u) => u.serviceAccountClientId === clientId) : undefined;
    const error = succeeded ? undefined : keycloakError(String(body?.error ?? 'invalid_request'), clientId);
    events.login({
      type: eventType,
      clientId: clientId ?? null,
      userId: typeof payload?.sub === 'string' ? payload.sub : (serviceAccount?.id ?? null),
      sessionId: typeof payload?.sid === 'string' ? payload.sid : null,
      ipAddress: ctx.req.socket.remoteAddress ?? null,
      ...(error === undefined ? {} : { error }),
      details: {
        grant_type: grantType!,
        ...(clientId === undefined ? {} : { client_auth_method: clientAuthMethod(realm, clientId, params) }),
        ...(serviceAccount === undefined ? {} : { username: serviceAccount.username }),
        ...(typeof payload?.preferred_username === 'string' ? { username: payload.preferred_username } : {}),
        ...(typeof payload?.scope === 'string' ? { scope: payload.scope } : {}),
      },
    });
  }

  /** Keycloak's error names where they differ from the OAuth error (client_not_found, invalid_client_credentials). */
  function keycloakError(oauthError: string, clientId: string | undefined): string {
    if (oauthError !== 'invalid_client') return oauthError;
    const client = clientId === undefined ? undefined : realm.clients.find((c) => c.clientId === clientId);
    if (client === undefined) return 'client_not_found';
    return client.enabled ? 'invalid_client_credentials' : 'client_disabled';
  }

  async function shapeTokenResponse(ctx: KoaContextWithOIDC): Promise<void> {
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.status !== 200 || typeof body?.access_token !== 'string') return;
    const requested = typeof ctx.oidc?.params?.scope === 'string' ? ctx.oidc.params.scope.split(' ').filter(Boolean) : [];
    const realmClient = realm.clients.find((c) => c.clientId === ctx.oidc?.client?.clientId);
    const unknown = realmClient ? requested.filter((s) => !allowedScopes(realmClient).includes(s)) : [];
    if (unknown.length > 0) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_scope', error_description: `Invalid scopes: ${requested.join(' ')}` };
      return;
    }
    const payload = await verifyOwnAccessToken(body.access_token);
    ctx.body = {
      ...body,
      refresh_expires_in: typeof body.refresh_token === 'string' ? realm.ssoSessionIdleTimeout : 0,
      'not-before-policy': 0,
      ...(typeof payload?.scope === 'string' ? { scope: payload.scope } : {}),
    };
  }
  // The portal signs out with a browser client too: the end-session endpoint answers CORS for the realm's web origins.
  async function endSessionCors(ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> {
    if (ctx.path !== keycloakRoutes.end_session) {
      await next();
      return;
    }
    const origin = ctx.get('origin') || undefined;
    ctx.vary('Origin');
    if (knownOrigin(origin)) {
      ctx.set('access-control-allow-origin', origin);
      ctx.set('access-control-allow-credentials', 'true');
      if (ctx.method === 'OPTIONS') {
        ctx.set('access-control-allow-methods', 'GET, POST, OPTIONS');
        const requested = ctx.get('access-control-request-headers');
        if (requested) ctx.set('access-control-allow-headers', requested);
        ctx.status = 204;
        return;
      }
    }
    await next();
  }
  // Koa composes the middleware when callback() is called; these must run around oidc-provider's own.
  provider.middleware.unshift(
    endSessionCors as never,
    frontchannelLogout(realm, issuer) as never,
    keycloakIntrospection as never,
    keycloakTokenResponse as never,
  );
  const providerCallback = provider.callback();
  const adminApi = createAdminApi({ realm, verifyAccessToken: verifyOwnAccessToken, logger, events });

  async function userinfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // CORS as Keycloak answers it: the preflight for any web origin of the realm, the answer for the token's client.
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS') {
      const headers: Record<string, string> = { vary: 'Origin' };
      if (knownOrigin(origin)) {
        Object.assign(headers, {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'authorization, content-type',
          'access-control-max-age': '3600',
        });
      }
      res.writeHead(204, headers);
      res.end();
      return;
    }
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const payload = token === undefined ? undefined : await verifyOwnAccessToken(token);
    const user = payload ? realm.users.find((u) => u.id === payload.sub && u.enabled) : undefined;
    const client = payload ? realm.clients.find((c) => c.clientId === payload.azp) : undefined;
    if (!payload || !user || !client) {
      send(res, 401, 'application/json', JSON.stringify({ error: 'invalid_token', error_description: 'Token verification failed' }), {
        ...(knownOrigin(origin) ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'www-authenticate' } : {}),
        vary: 'Origin',
        'www-authenticate': 'Bearer realm="' + realm.realm + '", error="invalid_token", error_description="Token verification failed"',
      });
      return;
    }
    const claims = keycloakClaims({ realm, client, user, requestedScope: typeof payload.scope === 'string' ? payload.scope : undefined }, 'userinfo');
    const cors: Record<string, string> =
      origin !== undefined && allowedOrigins(client).includes(origin)
        ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'www-authenticate', vary: 'Origin' }
        : { vary: 'Origin' };
    send(res, 200, 'application/json', JSON.stringify({ ...claims, sub: user.id }), cors);
  }

  async function loginAction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      details = undefined;
    }
    if (!details || details.uid !== uid) {
      send(
        res,
        400,
        'text/html; charset=utf-8',
        messagePage(
          'Phiên đăng nhập đã hết hạn / Login session expired',
          'Hãy quay lại ứng dụng và đăng nhập lại. Go back to the application and sign in again.',
        ),
        htmlHeaders,
      );
      return;
    }
    const clientId = String(details.params.client_id ?? '');
    const client = realm.clients.find((c) => c.clientId === clientId);
    const render = (status: number, error?: string, username?: string): void =>
      send(
        res,
        status,
        'text/html; charset=utf-8',
        loginPage({
          realmName: realm.displayName ?? realm.realm,
          action: `${mountPath}${loginActionsPath}/${encodeURIComponent(uid)}`,
          csrfToken: csrfTokenFor(uid),
          clientName: client?.name ?? clientId,
          username,
          error,
          identityProviders: broker.loginOptions().map((idp) => ({
            ...idp,
            href: `${mountPath}/broker/${idp.alias}/login?${new URLSearchParams({ client_id: clientId, session_code: uid })}`,
          })),
        }),
        htmlHeaders,
      );

    if (details.prompt.name !== 'login') {
      // Consent is never asked for the realm's clients (loadExistingGrant grants); any other prompt is unexpected.
      send(
        res,
        400,
        'text/html; charset=utf-8',
        messagePage('Lỗi / Error', `Bước đăng nhập không được hỗ trợ. Unsupported prompt ${details.prompt.name}`),
        htmlHeaders,
      );
      return;
    }
    if (req.method === 'GET') {
      const redirectUri = typeof details.params.redirect_uri === 'string' ? details.params.redirect_uri : undefined;
      // Back from an identity provider (broker.ts): the user it found or created signs in, or the page says why not.
      const brokered = broker.take(uid);
      if (brokered !== undefined && brokered.ok) {
        logger.info({ event: 'login', clientId, userId: brokered.userId, identityProvider: brokered.alias }, 'user logged in through an identity provider');
        events.login({
          type: 'LOGIN',
          clientId,
          userId: brokered.userId,
          sessionId: null,
          ipAddress: req.socket.remoteAddress ?? null,
          details: {
            auth_method: 'openid-connect',
            auth_type: 'code',
            identity_provider: brokered.alias,
            identity_provider_identity: brokered.identity,
            username: brokered.username,
            ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
          },
        });
        // The ID token's acr is the session's (oidc-provider): the assurance level the identity provider vouched for.
        const acr = realm.users.find((u) => u.id === brokered.userId)?.attributes.acr?.[0] ?? '1';
        await provider.interactionFinished(req, res, { login: { accountId: brokered.userId, acr } }, { mergeWithLastSubmission: false });
        return;
      }
      if (brokered !== undefined) {
        render(200, brokered.message);
        return;
      }
      // kc_idp_hint (on the authorization request, or from the login page's button): straight to that provider.
      // An unknown hint is ignored, as Keycloak does: the login page is shown.
      const hinted = new URL(req.url ?? '/', 'http://issuer.invalid').searchParams.get('kc_idp_hint') ?? details.params.kc_idp_hint;
      if (typeof hinted === 'string' && broker.has(hinted)) {
        broker.start(res, { uid, alias: hinted, clientId, redirectUri });
        return;
      }
      render(200);
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, 'text/plain', 'method not allowed', { allow: 'GET, POST' });
      return;
    }
    // CSRF: the token is an HMAC of the interaction id (only a page rendered by us knows it), the interaction is
    // bound to an HttpOnly SameSite=Lax cookie, and a cross-origin Origin header is refused.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && origin !== new URL(issuer).origin) {
      send(
        res,
        403,
        'text/html; charset=utf-8',
        messagePage('Lỗi / Error', 'Biểu mẫu được gửi từ một trang khác và đã bị từ chối. Cross-origin form submission refused.'),
        htmlHeaders,
      );
      return;
    }
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (error) {
      send(res, 400, 'text/plain', (error as Error).message);
      return;
    }
    if (!sameSecret(form.get('csrf_token') ?? '', csrfTokenFor(uid))) {
      send(
        res,
        403,
        'text/html; charset=utf-8',
        messagePage('Lỗi / Error', 'Biểu mẫu đã hết hiệu lực; hãy tải lại trang. Invalid form token; reload the page.'),
        htmlHeaders,
      );
      return;
    }
    if (form.get('action') === 'cancel') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const username = form.get('username') ?? '';
    const user = findUserByLogin(realm, username);
    const expected = user ? developmentPassword(user) : undefined;
    // Compare even when the user does not exist, so timing does not reveal which usernames exist.
    const passwordOk = sameSecret(form.get('password') ?? '', expected ?? randomBytes(16).toString('hex')) && expected !== undefined;
    const loginDetails = {
      auth_method: 'openid-connect',
      auth_type: 'code',
      username,
      ...(typeof details.params.redirect_uri === 'string' ? { redirect_uri: details.params.redirect_uri } : {}),
    };
    if (!user || !user.enabled || !passwordOk) {
      logger.info({ event: 'login.failed', clientId }, 'invalid username or password');
      // Keycloak names the user when it exists (a wrong password, a disabled user) and keeps the name typed.
      events.login({
        type: 'LOGIN_ERROR',
        clientId,
        userId: user?.id ?? null,
        sessionId: null,
        ipAddress: req.socket.remoteAddress ?? null,
        error: !user ? 'user_not_found' : !user.enabled ? 'user_disabled' : 'invalid_user_credentials',
        details: loginDetails,
      });
      render(200, 'Tên đăng nhập hoặc mật khẩu không đúng. Invalid username or password.', username);
      return;
    }
    logger.info({ event: 'login', clientId, userId: user.id }, 'user logged in');
    events.login({
      type: 'LOGIN',
      clientId,
      userId: user.id,
      sessionId: null,
      ipAddress: req.socket.remoteAddress ?? null,
      details: { ...loginDetails, username: user.username },
    });
    await provider.interactionFinished(req, res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false });
  }

  /** Keycloak's `/broker/<alias>/login` (the login page's button) and `/broker/<alias>/endpoint` (the provider's answer). */
  async function brokerRoute(req: IncomingMessage, res: ServerResponse, rest: string, query: URLSearchParams): Promise<void> {
    const match = /^([a-z0-9-]+)\/(login|endpoint)$/.exec(rest);
    if (match === null || !broker.has(match[1]!)) {
      send(
        res,
        404,
        'text/html; charset=utf-8',
        messagePage('Không tìm thấy / Not found', 'Không có nhà cung cấp định danh này. No such identity provider.'),
        htmlHeaders,
      );
      return;
    }
    const alias = match[1]!;
    if (req.method !== 'GET') {
      send(res, 405, 'text/plain', 'method not allowed', { allow: 'GET' });
      return;
    }
    if (match[2] === 'login') {
      // The login-actions page checks the interaction's cookie, then goes on to the provider.
      const uid = query.get('session_code') ?? '';
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(uid)) {
        send(
          res,
          400,
          'text/html; charset=utf-8',
          messagePage('Lỗi / Error', 'Thiếu hoặc sai mã phiên đăng nhập. Missing or malformed session_code.'),
          htmlHeaders,
        );
        return;
      }
      res.writeHead(303, { location: `${interactionPath(uid)}?${new URLSearchParams({ kc_idp_hint: alias })}`, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    try {
      await broker.endpoint(req, res, alias, query);
    } catch (error) {
      if (!(error instanceof BrokerStateError)) throw error;
      send(
        res,
        400,
        'text/html; charset=utf-8',
        messagePage(
          'Phiên đăng nhập đã hết hạn / Login session expired',
          'Phiên đăng nhập qua nhà cung cấp định danh đã hết hạn hoặc không hợp lệ; hãy quay lại ứng dụng và đăng nhập lại. The identity provider login is expired or invalid: go back to the application and sign in again.',
        ),
        htmlHeaders,
      );
    }
  }

  function realmInfo(res: ServerResponse): void {
    const key = signingKeys[0];
    // Keycloak's realm endpoint publishes the realm's RSA public key as base64 DER (SubjectPublicKeyInfo).
    const publicKey = key
      ? createPublicKey({ key: publicJwk(key) as never, format: 'jwk' })
          .export({ type: 'spki', format: 'der' })
          .toString('base64')
      : undefined;
    send(
      res,
      200,
      'application/json',
      JSON.stringify({
        realm: realm.realm,
        public_key: publicKey,
        'token-service': `${issuer}/protocol/openid-connect`,
        'account-service': `${issuer}/account`,
        'tokens-not-before': 0,
      }),
    );
  }

  handler = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://issuer.invalid');
    const path = url.pathname;
    const run = async (): Promise<void> => {
      if (path === '/health/ready' || path === '/health/live' || path === '/health') {
        send(res, 200, 'application/json', JSON.stringify({ status: 'UP', checks: [] }));
      } else if (path.startsWith('/admin/realms/')) {
        await adminApi.handle(req, res, path);
      } else if (path === mountPath || path === `${mountPath}/`) {
        realmInfo(res);
      } else if (path === `${mountPath}${keycloakRoutes.userinfo}`) {
        await userinfo(req, res);
      } else if (path.startsWith(`${mountPath}/broker/`)) {
        await brokerRoute(req, res, path.slice(`${mountPath}/broker/`.length), url.searchParams);
      } else if (path.startsWith(`${mountPath}${loginActionsPath}/`)) {
        await loginAction(req, res, decodeURIComponent(path.slice(`${mountPath}${loginActionsPath}/`.length)));
      } else if (path.startsWith(`${mountPath}/`)) {
        // Mount oidc-provider under the realm path: it sees the rest, and derives the mount path from originalUrl.
        const original = req.url ?? '/';
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = original;
        req.url = original.slice(mountPath.length) || '/';
        providerCallback(req, res);
      } else {
        send(res, 404, 'application/json', JSON.stringify({ error: 'Unable to find matching target resource method' }));
      }
    };
    run().catch((error: unknown) => {
      logger.error({ err: error, path }, 'dev issuer request failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: 'server_error' }));
      else res.end();
    });
  };

  const address = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  logger.info({ issuer, port }, 'development issuer listening');
  return {
    issuer,
    url: `http://${address === '0.0.0.0' ? '127.0.0.1' : address}:${port}`,
    port,
    realm,
    events,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The login event type of each token grant (Keycloak's EventType); errors are `<type>_ERROR`. */
const TOKEN_EVENT_TYPES: Record<string, string> = {
  client_credentials: 'CLIENT_LOGIN',
  authorization_code: 'CODE_TO_TOKEN',
  refresh_token: 'REFRESH_TOKEN',
  password: 'LOGIN',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'TOKEN_EXCHANGE',
};

/** The client a refused token request named (no client was authenticated): its form field, Basic user or assertion. */
function claimedClientId(ctx: KoaContextWithOIDC, params: Record<string, unknown>): string | undefined {
  if (typeof params.client_id === 'string' && params.client_id !== '') return params.client_id;
  const basic = /^Basic\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
  if (basic !== undefined) {
    const user = Buffer.from(basic, 'base64').toString('utf8').split(':')[0];
    if (user) return decodeURIComponent(user);
  }
  if (typeof params.client_assertion === 'string') {
    try {
      const claims = JSON.parse(Buffer.from(params.client_assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
      if (typeof claims.sub === 'string') return claims.sub;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Keycloak's `client_auth_method` detail: the client's authenticator, else what the request used. */
function clientAuthMethod(realm: RealmExport, clientId: string, params: Record<string, unknown>): string {
  const client = realm.clients.find((c) => c.clientId === clientId);
  if (client !== undefined) return client.clientAuthenticatorType;
  return typeof params.client_assertion === 'string' ? 'client-jwt' : 'client-secret';
}

/** LOGOUT events: a session ended through the end-session endpoint (the user and client it belonged to). */
function recordLogouts(provider: ReturnType<typeof createProvider>, realm: RealmExport, events: EventStore): void {
  (provider as unknown as { on(event: string, listener: (ctx: KoaContextWithOIDC) => void): void }).on('end_session.success', (ctx) => {
    const session = ctx.oidc?.session as { accountId?: string; uid?: string } | undefined;
    const user = realm.users.find((u) => u.id === session?.accountId);
    events.login({
      type: 'LOGOUT',
      clientId: ctx.oidc?.client?.clientId ?? null,
      userId: session?.accountId ?? null,
      sessionId: session?.uid ?? null,
      ipAddress: ctx.req.socket.remoteAddress ?? null,
      details: user === undefined ? {} : { username: user.username },
    });
  });
}
