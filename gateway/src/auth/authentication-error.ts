/**
 * Why a request was not authenticated. `reason` is a short stable code (metrics label, logs, tests);
 * `description` is what the caller reads in `error_description` and the GraphQL error message, so it never
 * contains the token, claim values or a quote character (RFC 6750 §3 restricts error_description to
 * %x20-21 / %x23-5B / %x5D-7E).
 */
export type AuthenticationFailure =
  /** Authentication is required (AUTH_REQUIRED) and no Authorization header was sent. */
  | 'missing'
  /** An Authorization scheme other than Bearer (e.g. Basic). */
  | 'unsupported_scheme'
  /** Several Authorization headers, or `Bearer` without a well-formed token. */
  | 'malformed_header'
  /** The token is larger than AUTH_MAX_TOKEN_BYTES (refused before parsing). */
  | 'oversized'
  /** Not a compact JWS (garbage, a JWE, bad base64url or JSON). */
  | 'malformed_token'
  /** `alg` is none or not in AUTH_ALLOWED_ALGS. */
  | 'algorithm'
  /** No `kid`, or a `kid` the realm does not publish (after one refresh). */
  | 'unknown_key'
  /** The key exists but does not fit the token's algorithm. */
  | 'key_mismatch'
  | 'signature'
  | 'expired'
  /** `nbf` or `iat` in the future beyond AUTH_CLOCK_SKEW_SECONDS. */
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  /** A required claim (`exp`, `iat`, `sub`) is missing or not a number/string. */
  | 'missing_claim'
  /** The `typ` claim is not `Bearer` (an ID, refresh or other token). */
  | 'token_type'
  /** The gateway has no realm configured (KEYCLOAK_URL unset) and a Bearer token was presented. */
  | 'not_configured'
  /** The realm's signing keys could not be fetched (answered 503, not 401). */
  | 'keys_unavailable'
  /** The `lgsp_environment` claim holds something other than `test` (absent = production). */
  | 'environment'
  /** The token's client was revoked (CredentialRevocations): 401 with `extensions.code` CREDENTIAL_REVOKED. */
  | 'revoked'
  /** A `citizen` token without a `personal_id` claim of exactly 12 digits (số định danh cá nhân). */
  | 'personal_id'
  /** A `citizen` token whose `enterprise_code` claim is not an enterprise code (10 digits, optionally -NNN). */
  | 'enterprise_code'
  /** A `citizen` token whose `acr` claim (assurance level) is not a short string or number. */
  | 'assurance_level'
  /** A `citizen` token that also names an agency (`agency_code`) or belongs to a service account: a citizen acts for no agency. */
  | 'citizen_agency';

export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  constructor(
    readonly reason: AuthenticationFailure,
    readonly description: string,
  ) {
    super(description);
  }

  /** RFC 6750 §3.1 error code: none when the request carried no (usable) credentials at all. */
  get oauthError(): 'invalid_token' | 'invalid_request' | undefined {
    if (this.reason === 'missing' || this.reason === 'unsupported_scheme') return undefined;
    if (this.reason === 'malformed_header') return 'invalid_request';
    return 'invalid_token';
  }
}
