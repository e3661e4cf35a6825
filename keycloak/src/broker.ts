/**
 * Identity brokering as Keycloak does it for an OpenID Connect identity provider (`identityProviders` of the realm
 * export, providerId "oidc"): the login page's button or `kc_idp_hint=<alias>` sends the browser to the provider
 * (authorization code, PKCE S256, state and nonce); `/realms/<realm>/broker/<alias>/endpoint` receives the code,
 * exchanges it (client_secret_basic or client_secret_post), verifies the ID token (signature from the provider's
 * JWKS, issuer, audience, nonce), reads userinfo, then "first broker login": finds the user linked to the provider's
 * `sub` (a federated identity) or creates one, applies the identity provider mappers (username template, user
 * attributes, hardcoded role; syncMode IMPORT / FORCE), and hands the user back to the oidc-provider interaction.
 *
 * The VDXP provider's URLs can be moved with VDXP_ISSUER_URL (every URL of its config starting with the realm's
 * issuer value is rebased), its secret with VDXP_CLIENT_SECRET; the realm export stays the one source otherwise.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from '@lgsp/kit';
import type { EventStore } from './events.ts';
import { userProfileAttributes, type IdentityProvider, type IdentityProviderMapper, type RealmExport, type RealmUser } from './realm.ts';

/** What the development issuer's environment changes in the realm's identity providers. */
export interface BrokerOverrides {
  /** The VDXP issuer identifier (VDXP_ISSUER_URL): the `vdxp` provider's URLs are rebased on it. */
  vdxpIssuerUrl?: string | undefined;
  /** The `vdxp` provider's client secret (VDXP_CLIENT_SECRET). */
  vdxpClientSecret?: string | undefined;
}

export interface BrokerInput extends BrokerOverrides {
  realm: RealmExport;
  /** The realm's issuer, e.g. http://localhost:8080/realms/lgsp. */
  issuer: string;
  events: EventStore;
  logger: Logger;
  /** Where a finished broker login goes back to: the interaction's login-actions URL (path). */
  interactionPath(uid: string): string;
  now?: () => number;
}

/** The outcome of a broker login, picked up by the interaction it belongs to. */
export type BrokerResult =
  | { ok: true; alias: string; userId: string; username: string; identity: string; clientId: string; redirectUri: string | undefined }
  | { ok: false; alias: string; message: string };

interface PendingState {
  uid: string;
  alias: string;
  clientId: string;
  redirectUri: string | undefined;
  verifier: string;
  nonce: string;
  browserKey: string;
  expiresAt: number;
}

/** The provider's config as the broker uses it (realm values, then the overrides). */
export interface ResolvedIdentityProvider {
  alias: string;
  displayName: string;
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl: string | undefined;
  jwksUrl: string;
  clientId: string;
  clientSecret: string;
  clientAuthMethod: 'client_secret_basic' | 'client_secret_post';
  defaultScope: string;
  pkce: boolean;
  syncMode: 'IMPORT' | 'FORCE' | 'LEGACY';
  trustEmail: boolean;
}

const STATE_TTL_MS = 30 * 60 * 1000;
const RESULT_TTL_MS = 5 * 60 * 1000;
const FETCH_TIMEOUT_MS = 10_000;

/** Applies the environment's overrides to the realm's identity providers, and checks what the broker needs. */
export function resolveIdentityProvider(idp: IdentityProvider, overrides: BrokerOverrides): ResolvedIdentityProvider {
  const config = { ...idp.config };
  if (idp.alias === 'vdxp' && overrides.vdxpIssuerUrl !== undefined && config.issuer !== undefined) {
    const from = config.issuer.replace(/\/+$/, '');
    const to = overrides.vdxpIssuerUrl.replace(/\/+$/, '');
    for (const [key, value] of Object.entries(config)) if (value === from || value.startsWith(`${from}/`)) config[key] = to + value.slice(from.length);
  }
  if (idp.alias === 'vdxp' && overrides.vdxpClientSecret !== undefined) config.clientSecret = overrides.vdxpClientSecret;
  const need = (key: string): string => {
    const value = config[key];
    if (value === undefined || value === '') throw new Error(`identity provider ${idp.alias}: config.${key} is required by the development issuer`);
    return value;
  };
  if (idp.providerId !== 'oidc') throw new Error(`identity provider ${idp.alias}: only providerId "oidc" is supported by the development issuer`);
  if (config.validateSignature !== 'true' || config.useJwksUrl !== 'true')
    throw new Error(`identity provider ${idp.alias}: the development issuer verifies ID tokens with the JWKS URL (validateSignature and useJwksUrl "true")`);
  if (config.pkceEnabled === 'true' && (config.pkceMethod ?? 'plain') !== 'S256') throw new Error(`identity provider ${idp.alias}: pkceMethod must be S256`);
  const method = config.clientAuthMethod ?? 'client_secret_post';
  if (method !== 'client_secret_basic' && method !== 'client_secret_post')
    throw new Error(`identity provider ${idp.alias}: clientAuthMethod ${method} is not supported by the development issuer`);
  const syncMode = config.syncMode ?? 'LEGACY';
  if (syncMode !== 'IMPORT' && syncMode !== 'FORCE' && syncMode !== 'LEGACY') throw new Error(`identity provider ${idp.alias}: unknown syncMode ${syncMode}`);
  return {
    alias: idp.alias,
    displayName: idp.displayName ?? idp.alias,
    issuer: need('issuer'),
    authorizationUrl: need('authorizationUrl'),
    tokenUrl: need('tokenUrl'),
    userInfoUrl: config.disableUserInfo === 'true' ? undefined : config.userInfoUrl,
    jwksUrl: need('jwksUrl'),
    clientId: need('clientId'),
    clientSecret: need('clientSecret'),
    clientAuthMethod: method,
    defaultScope: config.defaultScope ?? 'openid',
    pkce: config.pkceEnabled === 'true',
    syncMode,
    trustEmail: idp.trustEmail,
  };
}

/** A refusal to show the person (Vietnamese first) and to record (Keycloak's event error). */
class BrokerError extends Error {
  constructor(
    readonly vi: string,
    readonly eventError: string,
    detail: string,
  ) {
    super(detail);
  }
}

export interface Broker {
  /** The identity providers shown on the login page (enabled, not hidden, not link-only). */
  loginOptions(): Array<{ alias: string; displayName: string }>;
  /** Whether `alias` is an enabled provider a login may go through. */
  has(alias: string): boolean;
  /** Sends the browser of interaction `uid` to the provider. */
  start(res: ServerResponse, input: { uid: string; alias: string; clientId: string; redirectUri: string | undefined }): void;
  /** `/broker/<alias>/endpoint`: the provider's answer. */
  endpoint(req: IncomingMessage, res: ServerResponse, alias: string, query: URLSearchParams): Promise<void>;
  /** The result of interaction `uid`'s broker login, once (undefined when there is none). */
  take(uid: string): BrokerResult | undefined;
}

export function createBroker(input: BrokerInput): Broker {
  const { realm, events, logger } = input;
  const now = input.now ?? Date.now;
  const mountPath = new URL(input.issuer).pathname;
  const secure = new URL(input.issuer).protocol === 'https:';
  const providers = new Map<string, ResolvedIdentityProvider>();
  for (const idp of realm.identityProviders) if (idp.enabled && !idp.linkOnly) providers.set(idp.alias, resolveIdentityProvider(idp, input));
  const states = new Map<string, PendingState>();
  const results = new Map<string, { result: BrokerResult; expiresAt: number }>();
  const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const cookieName = (alias: string): string => `KC_BROKER_${alias.replace(/-/g, '_')}`;
  const sweep = (): void => {
    const t = now();
    for (const [k, v] of states) if (v.expiresAt <= t) states.delete(k);
    for (const [k, v] of results) if (v.expiresAt <= t) results.delete(k);
  };
  const endpointUrl = (alias: string): string => `${input.issuer}/broker/${alias}/endpoint`;

  function finish(res: ServerResponse, uid: string, result: BrokerResult): void {
    results.set(uid, { result, expiresAt: now() + RESULT_TTL_MS });
    res.writeHead(303, { location: input.interactionPath(uid), 'cache-control': 'no-store' });
    res.end();
  }

  async function fetchJson(url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null)
      throw new BrokerError(
        'Hệ thống định danh điện tử trả lời không hợp lệ. The e-ID platform gave an invalid answer.',
        'invalid_response',
        `${url} answered ${response.status} without JSON`,
      );
    return { status: response.status, body: body as Record<string, unknown> };
  }

  async function exchange(idp: ResolvedIdentityProvider, state: PendingState, code: string): Promise<Record<string, unknown>> {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: endpointUrl(idp.alias) });
    if (idp.pkce) form.set('code_verifier', state.verifier);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (idp.clientAuthMethod === 'client_secret_basic') {
      const encode = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${encode(idp.clientId)}:${encode(idp.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', idp.clientId);
      form.set('client_secret', idp.clientSecret);
    }
    const { status, body } = await fetchJson(idp.tokenUrl, { method: 'POST', headers, body: form.toString() });
    if (status !== 200 || typeof body.id_token !== 'string' || typeof body.access_token !== 'string') {
      throw new BrokerError(
        'Hệ thống định danh điện tử không chấp nhận mã đăng nhập. The e-ID platform refused the sign-in code.',
        'invalid_code',
        `token endpoint answered ${status}: ${String(body.error ?? 'no id_token')} ${String(body.error_description ?? '')}`.trim(),
      );
    }
    let payload: JWTPayload;
    try {
      let jwks = jwksByUrl.get(idp.jwksUrl);
      if (jwks === undefined) jwksByUrl.set(idp.jwksUrl, (jwks = createRemoteJWKSet(new URL(idp.jwksUrl), { timeoutDuration: FETCH_TIMEOUT_MS })));
      ({ payload } = await jwtVerify(body.id_token, jwks, {
        issuer: idp.issuer,
        audience: idp.clientId,
        algorithms: ['RS256', 'PS256', 'ES256'],
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      throw new BrokerError(
        'Không xác minh được thông tin đăng nhập từ hệ thống định danh điện tử. The sign-in from the e-ID platform could not be verified.',
        'invalid_token',
        `ID token refused: ${(error as Error).message}`,
      );
    }
    if (payload.nonce !== state.nonce)
      throw new BrokerError(
        'Không xác minh được thông tin đăng nhập từ hệ thống định danh điện tử. The sign-in from the e-ID platform could not be verified.',
        'invalid_token',
        'ID token nonce mismatch',
      );
    let claims: Record<string, unknown> = { ...payload };
    if (idp.userInfoUrl !== undefined) {
      const info = await fetchJson(idp.userInfoUrl, { headers: { authorization: `Bearer ${body.access_token}`, accept: 'application/json' } });
      if (info.status !== 200)
        throw new BrokerError(
          'Không đọc được thông tin công dân từ hệ thống định danh điện tử. The citizen details could not be read from the e-ID platform.',
          'invalid_token',
          `userinfo answered ${info.status}`,
        );
      if (info.body.sub !== payload.sub)
        throw new BrokerError(
          'Không xác minh được thông tin đăng nhập từ hệ thống định danh điện tử. The sign-in from the e-ID platform could not be verified.',
          'invalid_token',
          'userinfo sub differs from the ID token',
        );
      // Keycloak reads the profile from userinfo; the ID token's claims stay for what userinfo does not carry (acr).
      claims = { ...claims, ...info.body };
    }
    return claims;
  }

  /** Keycloak's username template (`${ALIAS}`, `${CLAIM.<name>}`), lowercased as Keycloak stores usernames. */
  function usernameFor(idp: ResolvedIdentityProvider, mappers: IdentityProviderMapper[], claims: Record<string, unknown>): string {
    const template = mappers.find((m) => m.identityProviderMapper === 'oidc-username-idp-mapper')?.config.template;
    const fallback = [claims.preferred_username, claims.email, claims.sub].find((v): v is string => typeof v === 'string' && v !== '');
    const name =
      template === undefined
        ? (fallback ?? '')
        : template.replace(/\$\{(ALIAS|CLAIM\.([A-Za-z0-9_.-]+))\}/g, (_all, what: string, claim: string | undefined) =>
            what === 'ALIAS' ? idp.alias : String(claims[claim ?? ''] ?? ''),
          );
    return name.toLowerCase();
  }

  /** First broker login (or a later one): the linked user, created on first sight, with the mappers applied. */
  function brokeredUser(idp: ResolvedIdentityProvider, claims: Record<string, unknown>): { user: RealmUser; created: boolean } {
    const sub = String(claims.sub);
    const mappers = realm.identityProviderMappers.filter((m) => m.identityProviderAlias === idp.alias);
    let user = realm.users.find((u) => u.federatedIdentities?.some((f) => f.identityProvider === idp.alias && f.userId === sub));
    let created = false;
    if (user === undefined) {
      const username = usernameFor(idp, mappers, claims);
      if (username === '')
        throw new BrokerError(
          'Hệ thống định danh điện tử không cho biết danh tính. The e-ID platform did not say who signed in.',
          'invalid_token',
          'no username could be derived',
        );
      if (realm.users.some((u) => u.username.toLowerCase() === username))
        throw new BrokerError(
          'Đã có một tài khoản khác cùng tên đăng nhập; hãy liên hệ quản trị viên để liên kết tài khoản. Another account has this username: ask the administrator to link the accounts.',
          'federated_identity_account_exists',
          `user ${username} exists and is not linked to ${idp.alias}`,
        );
      user = {
        id: randomUUID(),
        username,
        enabled: true,
        emailVerified: false,
        attributes: {},
        credentials: [],
        realmRoles: realm.roles.realm.some((r) => r.name === `default-roles-${realm.realm}`) ? [`default-roles-${realm.realm}`] : [],
        clientRoles: {},
        groups: [],
        federatedIdentities: [{ identityProvider: idp.alias, userId: sub, userName: sub }],
        createdTimestamp: now(),
      };
      realm.users.push(user);
      created = true;
    }
    if (!user.enabled) throw new BrokerError('Tài khoản của bạn đã bị khóa. Your account is disabled.', 'user_disabled', `user ${user.username} is disabled`);
    const declared = new Set(userProfileAttributes(realm));
    const syncs = (mapper: IdentityProviderMapper): boolean => {
      const mode = mapper.config.syncMode === undefined || mapper.config.syncMode === 'INHERIT' ? idp.syncMode : mapper.config.syncMode;
      return created || mode === 'FORCE';
    };
    // The basic profile (Keycloak's OIDC provider maps given_name, family_name, email) follows the provider's syncMode.
    if (created || idp.syncMode === 'FORCE') {
      if (typeof claims.given_name === 'string') user.firstName = claims.given_name;
      if (typeof claims.family_name === 'string') user.lastName = claims.family_name;
      if (typeof claims.email === 'string') {
        user.email = claims.email;
        user.emailVerified = idp.trustEmail;
      }
    }
    for (const mapper of mappers) {
      if (!syncs(mapper)) continue;
      switch (mapper.identityProviderMapper) {
        case 'oidc-user-attribute-idp-mapper': {
          const attribute = mapper.config['user.attribute'];
          const claim = mapper.config.claim;
          if (attribute === undefined || claim === undefined) break;
          if (!declared.has(attribute)) {
            logger.info(
              { event: 'broker.attribute.undeclared', alias: idp.alias, attribute },
              'identity provider mapper sets an attribute the user profile does not declare: dropped',
            );
            break;
          }
          const value = claims[claim];
          const values = Array.isArray(value) ? value.map(String) : value === undefined || value === null || value === '' ? [] : [String(value)];
          if (values.length > 0) user.attributes[attribute] = values;
          else delete user.attributes[attribute];
          break;
        }
        case 'oidc-hardcoded-role-idp-mapper':
        case 'hardcoded-role-idp-mapper': {
          const role = mapper.config.role;
          if (role === undefined) break;
          if (realm.roles.realm.some((r) => r.name === role)) {
            if (!user.realmRoles.includes(role)) user.realmRoles.push(role);
          } else {
            const dot = role.indexOf('.');
            const clientId = role.slice(0, dot);
            const roleName = role.slice(dot + 1);
            if (dot > 0 && realm.roles.client[clientId]?.some((r) => r.name === roleName)) {
              const list = (user.clientRoles[clientId] ??= []);
              if (!list.includes(roleName)) list.push(roleName);
            } else logger.info({ event: 'broker.role.unknown', alias: idp.alias, role }, 'hardcoded role mapper names a role the realm does not have');
          }
          break;
        }
        default:
          break;
      }
    }
    return { user, created };
  }

  return {
    loginOptions: () =>
      realm.identityProviders
        .filter((i) => i.enabled && !i.linkOnly && !i.hideOnLogin && providers.has(i.alias))
        .map((i) => ({ alias: i.alias, displayName: i.displayName ?? i.alias })),
    has: (alias) => providers.has(alias),
    start(res, { uid, alias, clientId, redirectUri }) {
      const idp = providers.get(alias);
      if (idp === undefined) throw new Error(`no identity provider ${alias}`);
      sweep();
      const state = randomBytes(24).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      const browserKey = randomBytes(24).toString('base64url');
      states.set(state, { uid, alias, clientId, redirectUri, verifier, nonce, browserKey, expiresAt: now() + STATE_TTL_MS });
      const target = new URL(idp.authorizationUrl);
      target.searchParams.set('client_id', idp.clientId);
      target.searchParams.set('response_type', 'code');
      target.searchParams.set('redirect_uri', endpointUrl(alias));
      target.searchParams.set('scope', idp.defaultScope.split(/\s+/).includes('openid') ? idp.defaultScope : `openid ${idp.defaultScope}`.trim());
      target.searchParams.set('state', state);
      target.searchParams.set('nonce', nonce);
      if (idp.pkce) {
        target.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
        target.searchParams.set('code_challenge_method', 'S256');
      }
      // The state is bound to this browser: the endpoint only accepts it with this cookie.
      const cookie = `${cookieName(alias)}=${browserKey}; Path=${mountPath}/broker/${alias}; Max-Age=${STATE_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
      res.writeHead(303, { location: target.href, 'set-cookie': cookie, 'cache-control': 'no-store' });
      res.end();
    },
    async endpoint(req, res, alias, query) {
      sweep();
      const stateValue = query.get('state') ?? '';
      const state = states.get(stateValue);
      const idp = providers.get(alias);
      const cookies = Object.fromEntries(
        (req.headers.cookie ?? '')
          .split(';')
          .map((c) => c.trim().split('='))
          .filter((p) => p.length >= 2)
          .map(([k, ...v]) => [k, v.join('=')]),
      );
      const browserKey = cookies[cookieName(alias)] ?? '';
      if (state === undefined || idp === undefined || state.alias !== alias || !sameText(browserKey, state.browserKey)) {
        events.login({
          type: 'IDENTITY_PROVIDER_LOGIN_ERROR',
          clientId: state?.clientId ?? null,
          userId: null,
          sessionId: null,
          ipAddress: req.socket.remoteAddress ?? null,
          error: 'invalid_state',
          details: { identity_provider: alias },
        });
        throw new BrokerStateError();
      }
      states.delete(stateValue);
      const fail = (error: BrokerError): void => {
        logger.info({ event: 'broker.login.failed', alias, error: error.eventError, detail: error.message }, 'identity provider login failed');
        events.login({
          type: 'IDENTITY_PROVIDER_LOGIN_ERROR',
          clientId: state.clientId,
          userId: null,
          sessionId: null,
          ipAddress: req.socket.remoteAddress ?? null,
          error: error.eventError,
          details: { identity_provider: alias, ...(state.redirectUri === undefined ? {} : { redirect_uri: state.redirectUri }) },
        });
        finish(res, state.uid, { ok: false, alias, message: error.vi });
      };
      const providerError = query.get('error');
      if (providerError !== null) {
        const cancelled = providerError === 'access_denied';
        return fail(
          new BrokerError(
            cancelled
              ? 'Bạn đã hủy đăng nhập bằng tài khoản định danh điện tử. You cancelled the e-ID sign-in.'
              : 'Hệ thống định danh điện tử báo lỗi khi đăng nhập. The e-ID platform reported an error.',
            cancelled ? 'consent_denied' : 'identity_provider_error',
            `${providerError}: ${query.get('error_description') ?? ''}`,
          ),
        );
      }
      const code = query.get('code');
      if (code === null || code === '')
        return fail(
          new BrokerError('Hệ thống định danh điện tử không trả về mã đăng nhập. The e-ID platform returned no sign-in code.', 'invalid_code', 'no code'),
        );
      let claims: Record<string, unknown>;
      try {
        claims = await exchange(idp, state, code);
      } catch (error) {
        if (error instanceof BrokerError) return fail(error);
        return fail(
          new BrokerError(
            'Không liên lạc được với hệ thống định danh điện tử; hãy thử lại sau. The e-ID platform could not be reached: try again later.',
            'identity_provider_error',
            (error as Error).message,
          ),
        );
      }
      let outcome: { user: RealmUser; created: boolean };
      try {
        outcome = brokeredUser(idp, claims);
      } catch (error) {
        if (error instanceof BrokerError) return fail(error);
        throw error;
      }
      const { user, created } = outcome;
      const identity = String(claims.sub);
      if (created) {
        logger.info({ event: 'broker.user.created', alias, userId: user.id }, 'user created by first broker login');
        events.login({
          type: 'REGISTER',
          clientId: state.clientId,
          userId: user.id,
          sessionId: null,
          ipAddress: req.socket.remoteAddress ?? null,
          details: { identity_provider: alias, identity_provider_identity: identity, register_method: 'broker', username: user.username },
        });
      }
      finish(res, state.uid, { ok: true, alias, userId: user.id, username: user.username, identity, clientId: state.clientId, redirectUri: state.redirectUri });
    },
    take(uid) {
      sweep();
      const entry = results.get(uid);
      results.delete(uid);
      return entry?.result;
    },
  };
}

/** The endpoint was reached without a state this browser started (expired, replayed, forged). */
export class BrokerStateError extends Error {
  constructor() {
    super('unknown, expired or foreign state');
  }
}

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a !== '';
}
