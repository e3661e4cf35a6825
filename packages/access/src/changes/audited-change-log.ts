/**
 * Every change record is also an audit record (issue 17, `kind: 'change'`): the registry's changes (agencies, systems,
 * credentials, services, access requests and the grants they write) and the operators' `npm run grants` changes all
 * go through a ChangeLog, so one decorator covers them. The audit entry is written only once the change log took the
 * record — which the registry does only after the change committed — and it names the change log record
 * (`details.changeId`) instead of copying its before/after bodies: they stay in the change log, and a credential's
 * secret is never in either.
 */
import type { AuditEntryInput, AuditWriter } from '@lgsp/audit';
import type { ChangeLog, ChangeRecord } from './change-log.ts';

/** Fields of a changed entity that name the agency it belongs to, most specific first. */
const AGENCY_FIELDS = ['agencyCode', 'consumerAgency', 'consumer', 'ownerAgency', 'providerAgency', 'provider'] as const;

function fieldsOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The agency a changed entity belongs to (an agency's own code, a system's or request's agency), when it says. */
function concernedAgency(record: ChangeRecord): string | null {
  const body = fieldsOf(record.after) ?? fieldsOf(record.before);
  if (body === null) return null;
  if (/^agency$/i.test(record.entity) && typeof body.code === 'string') return body.code;
  for (const field of AGENCY_FIELDS) {
    const value = body[field];
    if (typeof value === 'string' && value !== '*') return value;
  }
  // A system id is `<agency code>:<slug>` (a credential's record names its system).
  const systemId = body.systemId ?? body.consumerSystem;
  if (typeof systemId === 'string' && systemId.includes(':')) return systemId.slice(0, systemId.indexOf(':'));
  return null;
}

/** The environment a changed entity is for: `test` when it says so (a test credential, a test grant), else production. */
function environmentOf(record: ChangeRecord): 'production' | 'test' {
  const body = fieldsOf(record.after) ?? fieldsOf(record.before);
  return body?.environment === 'test' || /:test$/.test(record.entityId) ? 'test' : 'production';
}

/** The audit entry of a stored change record (`source`: the component that made the change). */
export function changeAuditEntry(record: ChangeRecord, source: string): AuditEntryInput {
  const concerned = concernedAgency(record);
  return {
    kind: 'change',
    at: record.at,
    requestId: null,
    source,
    environment: environmentOf(record),
    agency: record.actor.agencyCode ?? null,
    system: null,
    user: record.actor.username ?? null,
    purpose: null,
    action: record.action,
    operationType: null,
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: concerned,
    service: record.entity,
    entityId: record.entityId,
    outcome: 'success',
    errorCodes: [],
    durationMs: null,
    bytesIn: null,
    bytesOut: null,
    details: { changeId: record.id, actorKind: record.actor.kind },
    subjects: [],
  };
}

/** `log` with every record it stores also written to `audit` as a `kind: 'change'` entry. */
export function auditedChangeLog<L extends Pick<ChangeLog, 'append'>>(log: L, audit: AuditWriter, options: { source: string }): L {
  const append: ChangeLog['append'] = async (input) => {
    const record = await log.append(input);
    audit.write(changeAuditEntry(record, options.source));
    return record;
  };
  // Everything else (list, close, an adapter's extras) is the log's own, called on it.
  return new Proxy(log, {
    get(target, property) {
      if (property === 'append') return append;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
