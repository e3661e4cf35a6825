/**
 * Authentication of every /graphql request, before its body is read: the Bearer access token (if any) is
 * verified locally against the realm's keys and becomes the request's Principal (`res.locals.principal`);
 * anything wrong with it is answered 401 with `WWW-Authenticate` (RFC 6750 §3) and a GraphQL-shaped body whose
 * `extensions.code` is UNAUTHENTICATED. Requests without an Authorization header are anonymous unless
 * AUTH_REQUIRED; what anonymous callers get is stated once, in anonymous-access.ts.
 * The reason of a refusal is logged with the request id; the token never is.
 */
import { Counter, ErrorCode, LgspError, type Logger, type Principal, type Registry } from '@lgsp/kit';
import type { Request, RequestHandler, Response } from 'express';
import { MEDIA_TYPE, prefersHtml, responseMediaType } from '../http/graphql-over-http.ts';
import { anonymousCaller } from './anonymous-access.ts';
import { createAccessTokenVerifier, type AccessTokenVerifier } from './access-token.ts';
import { AuthenticationError, type AuthenticationFailure } from './authentication-error.ts';
import { PURPOSE_HEADER, principalFromClaims, purposeFrom } from './principal.ts';
import { createRealmKeySet, type JwksFetchTrigger } from './realm-keys.ts';
import { cacheVerifiedTokens, TOKEN_CACHE_MAX_AGE_SECONDS } from './verified-token-cache.ts';
import type { RevocationWatch } from './revocations/revocation-watch.ts';

/** The authentication part of the gateway configuration (see config.ts for the variables). */
export interface AuthenticationConfig {
  /** KEYCLOAK_URL: the realm URL (the `iss` of its tokens); undefined → only anonymous access. */
  realmUrl: string | undefined;
  /** AUTH_JWKS_URL, default `${realmUrl}/protocol/openid-connect/certs`. */
  jwksUrl: string | undefined;
  /** AUTH_REQUIRED: refuse requests without a token. */
  required: boolean;
  audience: string;
  algorithms: string[];
  clockSkewSeconds: number;
  maxTokenBytes: number;
  jwksCacheSeconds: number;
  jwksRefreshCooldownSeconds: number;
  jwksTimeoutMs: number;
  /** AUTH_TOKEN_CACHE_SIZE: verified tokens remembered (verified-token-cache.ts); 0 = every request is verified. */
  tokenCacheSize: number;
  /** CREDENTIAL_REVOCATION_POLL_MS: how often the revoked credentials are re-read besides notifications (revocations/revocation-watch.ts). */
  revocationPollMs: number;
}

/** The realm in WWW-Authenticate challenges. */
export const CHALLENGE_REALM = 'lgsp';

/** RFC 6750 §2.1 b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME = /^([A-Za-z][A-Za-z0-9!#$%&'*+\-.^_`|~]*)(?:\s|$)/;

export interface Authenticator {
  /** Express middleware for /graphql. */
  middleware: RequestHandler;
  /** The principal of an Authorization header value set (tests and other transports, e.g. graphql-ws later). */
  principalFor(authorization: string[] | undefined): Promise<Principal>;
}

/** What the authenticator needs besides its configuration. */
export interface AuthenticatorDeps {
  logger: Logger;
  metrics: Registry;
  /**
   * The revoked credentials (revocations/revocation-watch.ts): a token whose client (`azp`) is revoked is refused
   * with 401 CREDENTIAL_REVOKED, over HTTP and in graphql-ws `connection_init` alike. Absent: nothing is revoked.
   */
  revocations?: Pick<RevocationWatch, 'isRevoked'> | undefined;
}

/** The refusal of a token whose client's credential was revoked (the description names no claim value). */
export function revokedCredentialError(): AuthenticationError {
  return new AuthenticationError('revoked', "This client's credential has been revoked; ask the LGSP operator");
}

export function createAuthenticator(config: AuthenticationConfig, deps: AuthenticatorDeps): Authenticator {
  const rejections = new Counter({
    name: 'lgsp_gateway_authentication_rejections_total',
    help: 'Requests refused by authentication, by reason',
    labelNames: ['reason'] as const,
    registers: [deps.metrics],
  });
  const jwksFetches = new Counter({
    name: 'lgsp_gateway_jwks_fetches_total',
    help: "Fetches of the realm's signing keys, by trigger (initial, expired, unknown_kid) and outcome",
    labelNames: ['trigger', 'outcome'] as const,
    registers: [deps.metrics],
  });
  const tokenCache = new Counter({
    name: 'lgsp_gateway_access_token_cache_total',
    help: 'Access tokens looked up in the verified-token cache, by outcome (hit, miss: verified, expired: refused)',
    labelNames: ['outcome'] as const,
    registers: [deps.metrics],
  });

  let verifier: AccessTokenVerifier | undefined;
  if (config.realmUrl !== undefined) {
    const keys = createRealmKeySet({
      jwksUrl: config.jwksUrl ?? `${config.realmUrl}/protocol/openid-connect/certs`,
      cacheSeconds: config.jwksCacheSeconds,
      refreshCooldownSeconds: config.jwksRefreshCooldownSeconds,
      timeoutMs: config.jwksTimeoutMs,
      logger: deps.logger.child({ component: 'auth' }),
      onFetch: (trigger: JwksFetchTrigger, outcome) => jwksFetches.inc({ trigger, outcome }),
    });
    verifier = cacheVerifiedTokens(
      createAccessTokenVerifier(
        {
          issuer: config.realmUrl,
          audience: config.audience,
          algorithms: config.algorithms,
          clockSkewSeconds: config.clockSkewSeconds,
          maxTokenBytes: config.maxTokenBytes,
        },
        keys,
      ),
      {
        maxEntries: config.tokenCacheSize,
        // A token is not trusted longer on the strength of one verification than the keys that verified it.
        maxAgeSeconds: Math.min(TOKEN_CACHE_MAX_AGE_SECONDS, config.jwksCacheSeconds),
        clockSkewSeconds: config.clockSkewSeconds,
        keysGeneration: () => keys.generation,
        onLookup: (outcome) => tokenCache.inc({ outcome }),
      },
    );
  } else {
    deps.logger.warn({ event: 'auth.disabled' }, 'KEYCLOAK_URL is not set: every caller is anonymous and requests with a Bearer token are refused');
  }

  async function principalFor(authorization: string[] | undefined): Promise<Principal> {
    if (authorization === undefined || authorization.length === 0) return anonymousCaller(config.required);
    if (authorization.length > 1) throw new AuthenticationError('malformed_header', 'Send one Authorization header (several were sent)');
    const header = authorization[0]!;
    // Bounded before any parsing (a header of this size never holds an acceptable token).
    if (header.length > config.maxTokenBytes + 16) throw new AuthenticationError('oversized', `Token is larger than ${config.maxTokenBytes} bytes`);
    const scheme = SCHEME.exec(header)?.[1];
    if (scheme === undefined || scheme.toLowerCase() !== 'bearer') {
      throw new AuthenticationError('unsupported_scheme', 'Only Bearer access tokens are accepted (Authorization: Bearer <access token>)');
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw new AuthenticationError('malformed_header', 'Authorization: Bearer must be followed by one access token');
    if (verifier === undefined) throw new AuthenticationError('not_configured', 'This gateway has no identity provider configured and accepts no tokens');
    const claims = await verifier.verify(token);
    const principal = principalFromClaims(claims, config.audience);
    if (principal.clientId !== undefined && deps.revocations?.isRevoked(principal.clientId) === true) throw revokedCredentialError();
    return principal;
  }

  const middleware: RequestHandler = (req, res, next) => {
    const logger = res.locals.logger as Logger;
    const authorization = req.headersDistinct.authorization;
    // The explorer page itself (a browser GET asking for HTML) stays open; its requests carry the token.
    if (authorization === undefined && prefersHtml(req.method, req.headers.accept)) return next();
    principalFor(authorization).then(
      (principal) => {
        let purpose: string | undefined;
        try {
          purpose = purposeFrom(req.headersDistinct[PURPOSE_HEADER]);
        } catch (error) {
          const message = (error as LgspError).message;
          logger.info({ event: 'purpose.rejected', reason: message }, 'invalid X-LGSP-Purpose header');
          sendError(req, res, 400, 'BAD_REQUEST', message);
          return;
        }
        res.locals.principal = purpose === undefined ? principal : { ...principal, purpose };
        if (principal.kind !== 'anonymous') {
          logger.debug(
            { event: 'authenticated', kind: principal.kind, agencyCode: principal.agencyCode, clientId: principal.clientId },
            'caller authenticated',
          );
        }
        next();
      },
      (error: unknown) => {
        if (!(error instanceof AuthenticationError)) {
          next(error);
          return;
        }
        rejections.inc({ reason: error.reason });
        logger.warn({ event: 'authentication.rejected', reason: error.reason, description: error.description }, 'request not authenticated');
        if (error.reason === 'keys_unavailable') {
          res.setHeader('retry-after', '5');
          sendError(req, res, 503, ErrorCode.UPSTREAM_UNAVAILABLE, error.description);
          return;
        }
        res.setHeader('www-authenticate', challenge(error));
        sendError(req, res, 401, error.reason === 'revoked' ? ErrorCode.CREDENTIAL_REVOKED : ErrorCode.UNAUTHENTICATED, error.description);
      },
    );
  };

  return { middleware, principalFor };
}

/** `Bearer realm="lgsp"` plus `error` and `error_description` when credentials were sent (RFC 6750 §3). */
export function challenge(error: AuthenticationError): string {
  const oauthError = error.oauthError;
  if (oauthError === undefined) return `Bearer realm="${CHALLENGE_REALM}"`;
  const description = error.description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "'");
  return `Bearer realm="${CHALLENGE_REALM}", error="${oauthError}", error_description="${description}"`;
}

function sendError(req: Request, res: Response, status: number, code: string, message: string): void {
  const type = responseMediaType(req.headers.accept) ?? MEDIA_TYPE.JSON;
  res
    .status(status)
    .setHeader('cache-control', 'no-store')
    .type(`${type}; charset=utf-8`)
    .send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

export type { AuthenticationFailure };
