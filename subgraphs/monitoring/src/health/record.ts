/**
 * A pushed health report (`reportSystemHealth`) leaves an `operation` record in the audit trail, accepted or not: the
 * reporting system (agency, system id from its token), the system the report is about, the level and status it
 * claimed and, when accepted, the status the platform now holds. A forged report (another agency's system, a system
 * of someone else) is `denied` / `rejected` with its code and a replay `rejected` with `REPLAYED_REQUEST`, so an
 * operator can see who pushed what. The gateway's `graphql` record of the same request carries the same request id.
 */
import type { AuditWriter } from '@lgsp/audit';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Caller } from '../caller.ts';
import type { HealthReportInput } from './domain/health-service.ts';
import type { SystemState } from './domain/model.ts';

/** A value from the request, kept only when it is a short string (the input may be anything a caller sent). */
const short = (value: unknown, max: number): string | null => (typeof value === 'string' && value.length <= max ? value : null);

export function recordHealthReport(
  audit: AuditWriter,
  at: Date,
  trace: { requestId: string | null; caller: Caller; input: HealthReportInput; state: SystemState | null; error: unknown },
): void {
  const { caller, input, error } = trace;
  const code = error === null ? null : error instanceof LgspError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
  const outcome =
    code === null
      ? 'success'
      : code === ErrorCode.FORBIDDEN || code === ErrorCode.UNAUTHENTICATED
        ? 'denied'
        : error instanceof LgspError
          ? 'rejected'
          : 'error';
  const p = caller.principal;
  audit.write({
    kind: 'operation',
    at: at.toISOString(),
    requestId: trace.requestId,
    source: 'monitoring',
    environment: 'production',
    agency: caller.agencyCode,
    system: caller.systemId,
    user: p.kind === 'user' ? (p.username ?? p.userId ?? null) : null,
    purpose: null,
    action: 'health-report',
    operationType: 'mutation',
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: null,
    service: 'monitoring',
    entityId: short(input?.systemId, 300),
    outcome,
    errorCodes: code === null ? [] : [code],
    durationMs: null,
    bytesIn: null,
    bytesOut: null,
    details: {
      level: typeof input?.level === 'number' && Number.isInteger(input.level) ? input.level : null,
      reportedStatus: short(input?.status, 20),
      observedAt: short(input?.observedAt, 40),
      systemStatus: trace.state?.status ?? null,
    },
    subjects: [],
  });
}
