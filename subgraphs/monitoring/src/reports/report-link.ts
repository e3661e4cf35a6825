/**
 * Short-lived download links of reports (`report(period, agency, format)` answers one): the token in
 * `/reports/<token>` is an HMAC-SHA256 capability over what the link may download — the period, the agency (or the
 * province), the format, the environment — and who asked (the caller's agency, `*` for the operator), until when.
 * Whoever holds the link downloads that one report until it expires (REPORT_LINK_TTL_SECONDS, 10 minutes by default),
 * through the gateway's `/reports/` proxy and with plain curl, without a bearer token; the caller's agency travels in
 * it so that the download is checked against the same rule as the query (access.ts).
 *
 * Rotating the secret (REPORT_LINK_SECRET): links signed with REPORT_LINK_SECRET_PREVIOUS still download until they
 * expire. Unset: a random key of the process (links die with it).
 */
import { createHmacKeyring, ErrorCode, LgspError, type Environment } from '@lgsp/kit';
import type { ReportFormat } from './report-data.ts';

/**
 * The error codes of a download (`extensions.code` of the JSON error answer; kit's `ErrorCode`, whose `httpStatusFor`
 * gives 403 for an invalid link and 410 for an expired one).
 */
export type ReportLinkCode = typeof ErrorCode.REPORT_LINK_INVALID | typeof ErrorCode.REPORT_LINK_EXPIRED;

export interface ReportGrant {
  /** As written (`2026-11`); parsed again at download. */
  period: string;
  /** null: province-wide. */
  agency: string | null;
  format: ReportFormat;
  environment: Environment;
  /** The agency of the caller who asked; `*` for the operator. */
  caller: string;
  expiresAtMs: number;
}

/** A bad download link: an `LgspError` with one of the two `ReportLinkCode`s. */
export class ReportLinkError extends LgspError {
  declare readonly code: ReportLinkCode;
  constructor(code: ReportLinkCode, message: string) {
    super(code, message);
    this.name = 'ReportLinkError';
  }
}

export interface ReportLinkSigner {
  sign(grant: ReportGrant): string;
  /** The grant; throws `ReportLinkError` (invalid, then expired: a forged token is never called expired). */
  verify(token: string, nowMs: number): ReportGrant;
  /** True when the secret was generated at start-up. */
  readonly ephemeral: boolean;
}

const FORMATS = new Set(['pdf', 'xlsx', 'csv']);

function isGrant(value: unknown): value is ReportGrant {
  const g = value as Partial<ReportGrant> | null;
  return (
    typeof g === 'object' &&
    g !== null &&
    typeof g.period === 'string' &&
    (g.agency === null || typeof g.agency === 'string') &&
    typeof g.format === 'string' &&
    FORMATS.has(g.format) &&
    (g.environment === 'production' || g.environment === 'test') &&
    typeof g.caller === 'string' &&
    typeof g.expiresAtMs === 'number'
  );
}

export function createReportLinkSigner(secret: string | undefined, previousSecret?: string): ReportLinkSigner {
  const keys = createHmacKeyring(secret, previousSecret);
  const forged = () => new ReportLinkError(ErrorCode.REPORT_LINK_INVALID, 'This report link was not issued by the platform or was altered');
  return {
    ephemeral: secret === undefined,
    sign(grant) {
      const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
      return `${payload}.${keys.sign(payload).toString('base64url')}`;
    },
    verify(token, nowMs) {
      const parts = token.split('.');
      if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) throw forged();
      const [payload, signature] = parts as [string, string];
      if (!keys.verify(payload, Buffer.from(signature, 'base64url'))) throw forged();
      let grant: unknown;
      try {
        grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw forged();
      }
      if (!isGrant(grant)) throw forged();
      if (grant.expiresAtMs <= nowMs)
        throw new ReportLinkError(
          ErrorCode.REPORT_LINK_EXPIRED,
          `This report link expired at ${new Date(grant.expiresAtMs).toISOString()}; ask the report query for a new one`,
        );
      return grant;
    },
  };
}
