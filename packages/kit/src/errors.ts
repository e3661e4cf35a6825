/**
 * The one error module: every domain error the platform raises has a stable code, which becomes the GraphQL
 * `extensions.code` and, where the request itself is at fault, an HTTP status.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  /** The request is malformed or an argument is invalid (generic). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** A personal identification number (số định danh cá nhân / CCCD) is not 12 digits. */
  INVALID_PERSONAL_ID: 'INVALID_PERSONAL_ID',
  /** An enterprise code (mã số doanh nghiệp) is not 10 digits, optionally followed by -NNN. */
  INVALID_ENTERPRISE_CODE: 'INVALID_ENTERPRISE_CODE',
  /** A pagination cursor was not issued by this service or was altered. */
  INVALID_CURSOR: 'INVALID_CURSOR',
  /** A code, version or key does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** Too many items requested in one call. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** The national platform (or another upstream) failed or its circuit is open. */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  /** The national platform did not answer in time. */
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  /** No valid credentials. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Credentials are valid but do not allow this. */
  FORBIDDEN: 'FORBIDDEN',
  /** A field or type the caller is not granted. */
  UNAUTHORIZED_FIELD_OR_TYPE: 'UNAUTHORIZED_FIELD_OR_TYPE',
  /** Personal data requested without a declared purpose (X-LGSP-Purpose). */
  PURPOSE_REQUIRED: 'PURPOSE_REQUIRED',
  /** An agency identifier code (mã định danh cơ quan, QCVN 102:2016 `AAA.BB.CC.XNN`) is malformed. */
  INVALID_AGENCY_CODE: 'INVALID_AGENCY_CODE',
  /** A public key, certificate or JWKS URL given for a credential is not one (or not an accepted kind). */
  INVALID_PUBLIC_KEY: 'INVALID_PUBLIC_KEY',
  /** A date or date-time argument is not a valid ISO 8601 value. */
  INVALID_DATE: 'INVALID_DATE',
  /** The record already exists (a duplicate registration, a client id already taken). */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** The record is not in a state that allows this step (an illegal onboarding transition, retiring too early). */
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  /** A request names field sets the service version does not offer. */
  UNKNOWN_FIELD_SET: 'UNKNOWN_FIELD_SET',
  /** The caller's credential (its Keycloak client) was disabled or deleted; its tokens no longer work. */
  CREDENTIAL_REVOKED: 'CREDENTIAL_REVOKED',
  /** The caller's agency used up the quota its access request fixed; retry after `Retry-After` seconds (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The identity provider (Keycloak's Admin REST API) failed; nothing was changed. */
  IDENTITY_PROVIDER_UNAVAILABLE: 'IDENTITY_PROVIDER_UNAVAILABLE',
  /** A reporting or statistics period that does not exist (`2026-13`, `2026-Q5`, a day that is not in the calendar). */
  INVALID_PERIOD: 'INVALID_PERIOD',
  /** A health report that is not the calling system's own, or whose signature or token does not match it. */
  INVALID_HEALTH_REPORT: 'INVALID_HEALTH_REPORT',
  /** A request seen before (a health report's nonce, or one no newer than the last accepted); nothing was changed. */
  REPLAYED_REQUEST: 'REPLAYED_REQUEST',
  /** A backup archive that is damaged (a checksum or the audit chain fails) or was not made by this platform; nothing was restored. */
  INVALID_ARCHIVE: 'INVALID_ARCHIVE',
  /** A maintenance window that starts in the past, ends before it starts, or is announced under 24 hours ahead without EMERGENCY. */
  INVALID_MAINTENANCE_WINDOW: 'INVALID_MAINTENANCE_WINDOW',
  /** The platform is in an announced maintenance window; retry after `Retry-After` seconds (HTTP 503). */
  UNDER_MAINTENANCE: 'UNDER_MAINTENANCE',
  /** The audit chain does not verify: a record was changed, removed or reordered (details name the first one). */
  AUDIT_CHAIN_BROKEN: 'AUDIT_CHAIN_BROKEN',
  /** A report download link (`/reports/<token>`) that the platform did not issue, or that was altered (HTTP 403). */
  REPORT_LINK_INVALID: 'REPORT_LINK_INVALID',
  /** A genuine report download link whose time is over: ask the `report` query for a new one (HTTP 410). */
  REPORT_LINK_EXPIRED: 'REPORT_LINK_EXPIRED',
  /** An unexpected failure inside the platform; details are in the logs under the request id. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /**
   * A single sign-on application's login, logout or redirect URL that is not absolute https (http only on localhost
   * outside production), carries a fragment, credentials or a wildcard, or whose login/logout URL is not on the origin
   * of a redirect URI (details: `argument`, `reason`); nothing was created.
   */
  INVALID_APPLICATION_URL: 'INVALID_APPLICATION_URL',
  /** A provider approving field sets of an access request that the request does not ask for (details: `notRequested`); nothing was changed. */
  FIELD_SET_NOT_REQUESTED: 'FIELD_SET_NOT_REQUESTED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A domain error: plain TypeScript, no GraphQL. Resolvers throw it, the server maps it. */
export class LgspError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'LgspError';
    this.code = code;
    this.details = details;
  }
}

/** HTTP status for an error that rejects a whole request (not a field error inside a 200 response). */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE:
    case ErrorCode.PURPOSE_REQUIRED:
    case ErrorCode.REPORT_LINK_INVALID:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.ILLEGAL_TRANSITION:
    case ErrorCode.REPLAYED_REQUEST:
      return 409;
    case ErrorCode.REPORT_LINK_EXPIRED:
      return 410;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.CREDENTIAL_REVOKED:
      return 401;
    case ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE:
    case ErrorCode.UNDER_MAINTENANCE:
      return 503;
    case ErrorCode.UPSTREAM_UNAVAILABLE:
      return 502;
    case ErrorCode.UPSTREAM_TIMEOUT:
      return 504;
    case ErrorCode.INTERNAL_SERVER_ERROR:
      return 500;
    default:
      return 400;
  }
}

/** The GraphQL form of a domain error, with `extensions.code` and any safe details. */
export function toGraphQLError(error: LgspError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: error.code, ...(error.details ?? {}) } });
}

/** A JSON body in the GraphQL response shape, for errors raised before GraphQL execution (e.g. 401). */
export function errorBody(code: ErrorCode, message: string): { errors: Array<{ message: string; extensions: { code: ErrorCode } }> } {
  return { errors: [{ message, extensions: { code } }] };
}
