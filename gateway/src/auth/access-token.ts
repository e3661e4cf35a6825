/**
 * Verifies a Keycloak access token locally: compact JWS only, size bound before parsing, algorithm allow-list,
 * signature against the realm's keys, issuer, audience, `exp` required, `nbf` and `iat` not in the future beyond
 * the clock skew, and Keycloak's `typ: "Bearer"` claim (an ID token says "ID", a refresh token "Refresh").
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { AuthenticationError } from './authentication-error.ts';
import type { RealmKeySet } from './realm-keys.ts';

export interface AccessTokenPolicy {
  /** The realm URL: every token's `iss` (KEYCLOAK_URL). */
  issuer: string;
  /** Must be in `aud` (AUTH_AUDIENCE). */
  audience: string;
  /** AUTH_ALLOWED_ALGS; asymmetric only. */
  algorithms: string[];
  /** AUTH_CLOCK_SKEW_SECONDS. */
  clockSkewSeconds: number;
  /** AUTH_MAX_TOKEN_BYTES: larger tokens are refused before any decoding. */
  maxTokenBytes: number;
  /** Milliseconds since the epoch (Date.now); tests pass a clock they move by hand. */
  clock?: () => number;
}

export interface AccessTokenVerifier {
  /** The verified claims, or throws AuthenticationError. */
  verify(token: string): Promise<JWTPayload>;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Keycloak's `typ` claim of access tokens. */
export const ACCESS_TOKEN_TYPE = 'Bearer';

/**
 * Whether a token with this `exp` is expired at `nowMs`: jose's rule (`exp <= now - clockTolerance`, `now` in whole
 * seconds, webapi/lib/jwt_claims_set.js), so that a verdict reached without jose (verified-token-cache.ts) is
 * the one jose would reach.
 */
export function isExpired(exp: number, nowMs: number, clockSkewSeconds: number): boolean {
  return exp <= Math.floor(nowMs / 1000) - clockSkewSeconds;
}

/** The refusal of an expired token, wherever it is noticed. */
export function expiredTokenError(): AuthenticationError {
  return new AuthenticationError('expired', 'Token has expired');
}

export function createAccessTokenVerifier(policy: AccessTokenPolicy, keys: RealmKeySet): AccessTokenVerifier {
  const allowed = new Set(policy.algorithms);
  const clock = policy.clock ?? Date.now;
  return {
    async verify(token) {
      if (token.length > policy.maxTokenBytes) {
        throw new AuthenticationError('oversized', `Token is larger than ${policy.maxTokenBytes} bytes`);
      }
      if (COMPACT_JWE.test(token)) throw new AuthenticationError('malformed_token', 'Encrypted tokens (JWE) are not accepted; send the signed access token');
      if (!COMPACT_JWS.test(token)) throw new AuthenticationError('malformed_token', 'Token is not a signed JWT (compact JWS)');
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw new AuthenticationError('malformed_token', 'Token header is not base64url JSON');
      }
      if (typeof alg !== 'string' || alg.toLowerCase() === 'none') throw new AuthenticationError('algorithm', 'Unsigned tokens (alg none) are not accepted');
      if (!allowed.has(alg)) {
        throw new AuthenticationError(
          'algorithm',
          `Algorithm ${alg.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)} is not accepted (allowed: ${policy.algorithms.join(', ')})`,
        );
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, (header) => keys.keyFor(header), {
          algorithms: policy.algorithms,
          issuer: policy.issuer,
          audience: policy.audience,
          clockTolerance: policy.clockSkewSeconds,
          // Without a test clock jose reads the time itself, after the key lookup (which may wait for a JWKS fetch).
          ...(policy.clock !== undefined && { currentDate: new Date(policy.clock()) }),
          requiredClaims: ['exp', 'iat'],
        }));
      } catch (error) {
        throw asAuthenticationError(error);
      }
      if (typeof payload.iat === 'number' && payload.iat > clock() / 1000 + policy.clockSkewSeconds) {
        throw new AuthenticationError('not_yet_valid', 'Token is issued in the future (iat)');
      }
      if (payload.typ !== ACCESS_TOKEN_TYPE) {
        throw new AuthenticationError('token_type', `Token is not an access token (typ must be ${ACCESS_TOKEN_TYPE})`);
      }
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new AuthenticationError('missing_claim', 'Token has no sub claim');
      return payload;
    },
  };
}

/** jose's errors → our reasons, with descriptions that carry no claim values. */
function asAuthenticationError(error: unknown): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof errors.JWTExpired) return expiredTokenError();
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return new AuthenticationError('issuer', 'Token is not issued by this realm (iss)');
      case 'aud':
        return new AuthenticationError('audience', 'Token is not meant for this gateway (aud)');
      case 'nbf':
        return error.reason === 'check_failed'
          ? new AuthenticationError('not_yet_valid', 'Token is not yet valid (nbf)')
          : new AuthenticationError('missing_claim', 'Token nbf claim is not a number');
      case 'exp':
      case 'iat':
        return new AuthenticationError('missing_claim', `Token has no valid ${error.claim} claim`);
      default:
        return new AuthenticationError('missing_claim', 'Token claims are invalid');
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('signature', 'Token signature verification failed');
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('algorithm', 'Token algorithm is not accepted');
  if (error instanceof errors.JOSENotSupported) return new AuthenticationError('key_mismatch', 'Token key or algorithm is not supported');
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid)
    return new AuthenticationError('malformed_token', 'Token is not a well-formed JWT');
  return new AuthenticationError('malformed_token', 'Token could not be verified');
}
