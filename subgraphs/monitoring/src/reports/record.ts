/**
 * Reports leave a trace in the audit trail like the audit queries do (who looked): an `operation` record when a
 * report link is issued (the caller, the period, the scope, the format) and when a link is downloaded (the agency the
 * link was made for; `*` the operator), with the outcome. Statistics are aggregates without personal data and are not
 * recorded per query.
 */
import type { AuditWriter } from '@lgsp/audit';
import type { Principal } from '@lgsp/kit';

export interface ReportTrace {
  action: 'report-link' | 'report-download';
  requestId: string | null;
  /** Who asked (link), or null for a download (the link is the authorisation). */
  principal: Principal | null;
  /** The agency the link was made for (download), or the caller's. */
  agency: string | null;
  period: string;
  scope: string | null;
  format: string;
  environment: 'production' | 'test';
  outcome: 'success' | 'rejected' | 'denied' | 'error';
  errorCodes: string[];
}

export function recordReport(audit: AuditWriter, now: Date, trace: ReportTrace): void {
  const p = trace.principal;
  audit.write({
    kind: 'operation',
    at: now.toISOString(),
    requestId: trace.requestId,
    source: 'monitoring',
    environment: trace.environment,
    agency: p?.agencyCode ?? trace.agency,
    system: p?.kind === 'system' ? (p.systemId ?? null) : null,
    user: p?.kind === 'user' ? (p.username ?? p.userId ?? null) : null,
    purpose: p?.purpose ?? null,
    action: trace.action,
    operationType: trace.action === 'report-link' ? 'query' : null,
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: null,
    service: 'monitoring',
    entityId: null,
    outcome: trace.outcome,
    errorCodes: trace.errorCodes,
    durationMs: null,
    bytesIn: null,
    bytesOut: null,
    details: { period: trace.period, scope: trace.scope ?? 'province', format: trace.format },
    subjects: [],
  });
}
