/**
 * The VDXP simulator: a small OpenID Provider standing in for the national e-identification platform (VNeID/VDXP),
 * served by the national-platform simulator under `/vdxp`. Authorization code flow with PKCE (S256, required),
 * confidential clients (client_secret_basic or client_secret_post), RS256 ID tokens, opaque access tokens for
 * userinfo. No single sign-on session: every authorization request shows the sign-in page.
 * Contract and development credentials: ../../CONTRACT.md ("VDXP").
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Logger } from '@lgsp/kit';
import { PERSONAL_ID_PATTERN, type VdxpDirectory, type VdxpIdentity } from './identities.ts';
import { pageHeaders, vdxpErrorPage, vdxpLoginPage } from './pages.ts';

/** Where VDXP is mounted in the simulator. */
export const VDXP_PATH = '/vdxp';

/** Endpoint paths relative to the issuer. */
export const vdxpRoutes = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/jwks',
  authorization: '/authorize',
  login: '/login',
  token: '/token',
  userinfo: '/userinfo',
} as const;

export interface VdxpClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs (no wildcards). */
  redirectUris: string[];
  name: string;
}

export interface VdxpOptions {
  /** The issuer identifier, e.g. http://localhost:4200/vdxp (its path must be /vdxp). */
  issuer: string;
  directory: VdxpDirectory;
  clients: VdxpClient[];
  /** The development password of every citizen. */
  citizenPassword: string;
  logger: Logger;
  /** Lifetimes in seconds. */
  codeTtl?: number;
  tokenTtl?: number;
  requestTtl?: number;
  now?: () => number;
}

interface PendingRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string;
  scope: string;
  expiresAt: number;
  /** Failed sign-in attempts on this request (MAX_ATTEMPTS ends it). */
  failures: number;
}

interface IssuedCode extends PendingRequest {
  identity: VdxpIdentity;
  authTime: number;
}

const MAX_BODY_BYTES = 16 * 1024;
const MAX_PENDING = 10_000;
/** Failed attempts (wrong password, unknown or malformed ID) one sign-in request allows before it ends. */
export const MAX_ATTEMPTS = 5;

export interface VdxpProvider {
  issuer: string;
  /** Answers a request whose path starts with /vdxp; `path` is the rest (e.g. `/token`). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void>;
}

export async function createVdxpProvider(options: VdxpOptions): Promise<VdxpProvider> {
  const issuer = options.issuer.replace(/\/+$/, '');
  if (new URL(issuer).pathname !== VDXP_PATH) throw new Error(`VDXP_ISSUER_URL: its path must be ${VDXP_PATH} (got ${new URL(issuer).pathname})`);
  const now = options.now ?? Date.now;
  const codeTtl = options.codeTtl ?? 60;
  const tokenTtl = options.tokenTtl ?? 300;
  const requestTtl = options.requestTtl ?? 600;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks = { keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] };
  const signingKey: CryptoKey = privateKey;
  const origin = new URL(issuer).origin;

  const pending = new Map<string, PendingRequest>();
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, { identity: VdxpIdentity; clientId: string; expiresAt: number }>();
  const sweep = (): void => {
    const t = now();
    for (const map of [pending, codes, accessTokens] as Map<string, { expiresAt: number }>[]) {
      for (const [key, value] of map) if (value.expiresAt <= t) map.delete(key);
    }
  };
  const clientById = (id: string): VdxpClient | undefined => options.clients.find((c) => c.clientId === id);

  const discovery = {
    issuer,
    authorization_endpoint: issuer + vdxpRoutes.authorization,
    token_endpoint: issuer + vdxpRoutes.token,
    userinfo_endpoint: issuer + vdxpRoutes.userinfo,
    jwks_uri: issuer + vdxpRoutes.jwks,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    // The same opaque subject for every client (OpenID Connect's "public" type; it is not the personal ID).
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'profile'],
    claims_supported: ['sub', 'personal_id', 'name', 'given_name', 'family_name', 'birthdate', 'acr', 'enterprise_code', 'auth_time', 'nonce'],
    acr_values_supported: ['1', '2'],
    ui_locales_supported: ['vi', 'en'],
  };

  function authorize(res: ServerResponse, query: URLSearchParams): void {
    const clientId = query.get('client_id') ?? '';
    const client = clientById(clientId);
    if (client === undefined) {
      return html(
        res,
        400,
        vdxpErrorPage(
          `Ứng dụng "${clientId}" chưa được đăng ký với hệ thống định danh điện tử.`,
          `The application "${clientId}" is not registered with the e-ID platform.`,
          clientId === '' ? 'invalid_request: client_id is required' : 'invalid_client: unknown client_id',
        ),
      );
    }
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!client.redirectUris.includes(redirectUri)) {
      return html(
        res,
        400,
        vdxpErrorPage(
          'Địa chỉ quay lại của ứng dụng không nằm trong các địa chỉ đã đăng ký cho ứng dụng này.',
          "The application's return address is not one registered for it.",
          `invalid_request: redirect_uri ${redirectUri === '' ? 'is required' : `${redirectUri} is not registered for ${clientId}`}`,
        ),
      );
    }
    const state = query.get('state') ?? undefined;
    const fail = (error: string, description: string): void => redirectWith(res, redirectUri, { error, error_description: description, state, iss: issuer });
    if (query.get('response_type') !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported');
    const scope = query.get('scope') ?? '';
    if (!scope.split(' ').includes('openid')) return fail('invalid_scope', 'scope must include openid');
    const codeChallenge = query.get('code_challenge') ?? '';
    if (codeChallenge === '') return fail('invalid_request', 'code_challenge is required (PKCE)');
    if ((query.get('code_challenge_method') ?? 'plain') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 hash (43 characters)');
    if (query.get('prompt') === 'none') return fail('login_required', 'VDXP keeps no session: the citizen must sign in');
    sweep();
    if (pending.size >= MAX_PENDING) return fail('temporarily_unavailable', 'too many sign-ins in progress');
    const requestId = randomBytes(24).toString('base64url');
    pending.set(requestId, {
      clientId,
      redirectUri,
      state,
      nonce: query.get('nonce') ?? undefined,
      codeChallenge,
      scope,
      expiresAt: now() + requestTtl * 1000,
      failures: 0,
    });
    html(res, 200, vdxpLoginPage({ action: VDXP_PATH + vdxpRoutes.login, requestId, clientName: client.name }));
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestOrigin = req.headers.origin;
    if (requestOrigin !== undefined && requestOrigin !== 'null' && requestOrigin !== origin) {
      return html(
        res,
        403,
        vdxpErrorPage('Biểu mẫu được gửi từ một trang khác và đã bị từ chối.', 'Cross-origin form submission refused.', 'invalid_request: origin'),
      );
    }
    const form = await readForm(req);
    if (form === undefined) return html(res, 400, vdxpErrorPage('Yêu cầu không hợp lệ.', 'Invalid request.', 'invalid_request: expected a form'));
    sweep();
    const requestId = form.get('request') ?? '';
    const request = pending.get(requestId);
    if (request === undefined) {
      return html(
        res,
        400,
        vdxpErrorPage(
          'Phiên đăng nhập đã hết hạn hoặc không tồn tại. Hãy quay lại ứng dụng và đăng nhập lại.',
          'The sign-in session expired or does not exist. Go back to the application and sign in again.',
          'invalid_request: unknown or expired sign-in request',
        ),
      );
    }
    const client = clientById(request.clientId)!;
    if (form.get('action') === 'cancel') {
      pending.delete(requestId);
      return redirectWith(res, request.redirectUri, {
        error: 'access_denied',
        error_description: 'the citizen cancelled the sign-in',
        state: request.state,
        iss: issuer,
      });
    }
    const typed = (form.get('personal_id') ?? '').trim();
    const personalId = typed.replace(/[\s.-]/g, '');
    const again = (status: number, error: string, errorField: 'personal_id' | 'password'): void => {
      request.failures += 1;
      if (request.failures >= MAX_ATTEMPTS) {
        pending.delete(requestId);
        options.logger.info({ event: 'vdxp.login.locked', clientId: request.clientId }, 'VDXP sign-in request ended after too many failures');
        return html(
          res,
          429,
          vdxpErrorPage(
            `Bạn đã nhập sai ${MAX_ATTEMPTS} lần. Phiên đăng nhập này đã kết thúc; hãy quay lại ứng dụng và đăng nhập lại.`,
            `${MAX_ATTEMPTS} failed attempts: this sign-in has ended. Go back to the application and sign in again.`,
            'access_denied: too many failed attempts',
          ),
        );
      }
      html(res, status, vdxpLoginPage({ action: VDXP_PATH + vdxpRoutes.login, requestId, clientName: client.name, personalId: typed, error, errorField }));
    };
    if (!PERSONAL_ID_PATTERN.test(personalId)) {
      options.logger.info({ event: 'vdxp.login.failed', reason: 'malformed_personal_id', clientId: request.clientId }, 'VDXP sign-in refused');
      return again(
        400,
        `Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập ${personalId.length} ký tự${/\D/.test(personalId) ? ', có ký tự không phải chữ số' : ''}). Personal ID must be exactly 12 digits.`,
        'personal_id',
      );
    }
    const identity = options.directory.find(personalId);
    const passwordOk = sameSecret(form.get('password') ?? '', options.citizenPassword);
    if (identity === undefined) {
      options.logger.info({ event: 'vdxp.login.failed', reason: 'unknown_personal_id', clientId: request.clientId }, 'VDXP sign-in refused');
      return again(
        401,
        'Số định danh cá nhân này không có trong Cơ sở dữ liệu quốc gia về dân cư nên không có tài khoản định danh điện tử. This personal ID is not in the national population database: there is no e-ID account for it.',
        'personal_id',
      );
    }
    if (!passwordOk) {
      options.logger.info({ event: 'vdxp.login.failed', reason: 'wrong_password', clientId: request.clientId }, 'VDXP sign-in refused');
      return again(401, 'Mật khẩu không đúng. Hãy nhập lại mật khẩu tài khoản định danh điện tử. Wrong password.', 'password');
    }
    pending.delete(requestId);
    const code = randomBytes(32).toString('base64url');
    codes.set(code, { ...request, identity, authTime: Math.floor(now() / 1000), expiresAt: now() + codeTtl * 1000 });
    options.logger.info({ event: 'vdxp.login', clientId: request.clientId, acr: identity.acr }, 'citizen signed in at VDXP');
    redirectWith(res, request.redirectUri, { code, state: request.state, iss: issuer });
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    if (form === undefined) return oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    const postId = form.get('client_id');
    const postSecret = form.get('client_secret');
    let clientId: string;
    let secret: string;
    if (basic !== null) {
      if (postSecret !== null) return oauthError(res, 400, 'invalid_request', 'use one client authentication method, not both');
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return oauthError(res, 401, 'invalid_client', 'malformed Basic credentials');
      try {
        clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      } catch {
        return oauthError(res, 401, 'invalid_client', 'malformed Basic credentials');
      }
      if (postId !== null && postId !== clientId) return oauthError(res, 400, 'invalid_request', 'client_id differs from the authenticated client');
    } else if (postId !== null && postSecret !== null) {
      clientId = postId;
      secret = postSecret;
    } else {
      return oauthError(res, 401, 'invalid_client', 'client authentication required (client_secret_basic or client_secret_post)');
    }
    const client = clientById(clientId);
    if (client === undefined || !sameSecret(secret, client.clientSecret)) return oauthError(res, 401, 'invalid_client', 'client authentication failed');
    if (form.get('grant_type') !== 'authorization_code')
      return oauthError(res, 400, 'unsupported_grant_type', 'only grant_type=authorization_code is supported');
    sweep();
    const codeValue = form.get('code') ?? '';
    const code = codes.get(codeValue);
    // A code is used once: a second use finds nothing.
    codes.delete(codeValue);
    if (code === undefined) return oauthError(res, 400, 'invalid_grant', 'the code is unknown, expired or already used');
    if (code.clientId !== client.clientId) return oauthError(res, 400, 'invalid_grant', 'the code was issued to another client');
    if (form.get('redirect_uri') !== code.redirectUri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    const verifier = form.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return oauthError(res, 400, 'invalid_grant', 'code_verifier is required (43–128 characters)');
    if (createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge)
      return oauthError(res, 400, 'invalid_grant', 'PKCE verification failed');

    const iat = Math.floor(now() / 1000);
    const { identity } = code;
    const idToken = await new SignJWT({
      ...identity,
      auth_time: code.authTime,
      ...(code.nonce === undefined ? {} : { nonce: code.nonce }),
      amr: ['pwd'],
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(client.clientId)
      .setSubject(identity.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + tokenTtl)
      .sign(signingKey);
    const accessToken = randomBytes(32).toString('base64url');
    accessTokens.set(accessToken, { identity, clientId: client.clientId, expiresAt: now() + tokenTtl * 1000 });
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: tokenTtl, id_token: idToken, scope: code.scope });
  }

  function userinfo(req: IncomingMessage, res: ServerResponse): void {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const entry = match === null ? undefined : accessTokens.get(match[1]!);
    if (entry === undefined || entry.expiresAt <= now()) {
      res.setHeader('www-authenticate', 'Bearer error="invalid_token", error_description="unknown or expired access token"');
      return oauthError(res, 401, 'invalid_token', 'unknown or expired access token');
    }
    const { acr: _acr, ...claims } = entry.identity;
    json(res, 200, claims);
  }

  return {
    issuer,
    async handle(req, res, path, query) {
      const method = req.method ?? 'GET';
      if (path === vdxpRoutes.discovery && method === 'GET') return json(res, 200, discovery, { 'access-control-allow-origin': '*' });
      if (path === vdxpRoutes.jwks && method === 'GET') return json(res, 200, jwks, { 'access-control-allow-origin': '*' });
      if (path === vdxpRoutes.authorization && method === 'GET') return authorize(res, query);
      if (path === vdxpRoutes.login && method === 'POST') return login(req, res);
      if (path === vdxpRoutes.token && method === 'POST') return token(req, res);
      if (path === vdxpRoutes.userinfo && (method === 'GET' || method === 'POST')) return userinfo(req, res);
      req.resume();
      json(res, 404, { error: 'not_found', error_description: `No such VDXP endpoint: ${method} ${VDXP_PATH}${path}` });
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function redirectWith(res: ServerResponse, target: string, params: Record<string, string | undefined>): void {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  res.writeHead(303, { location: url.href, 'cache-control': 'no-store' });
  res.end();
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...pageHeaders });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache', ...headers });
  res.end(payload);
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  json(res, status, { error, error_description: description });
}
