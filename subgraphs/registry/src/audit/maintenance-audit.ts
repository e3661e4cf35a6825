/**
 * Issue 17's entry conventions: an operator's action on the platform is a `kind: 'operation'` audit record, and
 * announcing, changing and cancelling a maintenance window or recording, updating and resolving an incident are such
 * actions (DL:12.6, DL:13.5). Every one of them is already a change log record (domain/maintenance, so also a
 * `kind: 'change'` record through @lgsp/access's auditedChangeLog); this decorator writes the operation record from
 * the same stored change, so it exists only when the change committed, with the operator as actor and what an
 * auditor looks for (times, emergency, the services and agencies concerned) in `details`, and the change log id that
 * holds the full bodies.
 *
 * The sweep's `START` / `END` (the platform noting that a window's time came) are no operator's action: they stay
 * change records only.
 */
import type { AuditEntryInput, AuditWriter } from '@lgsp/audit';
import type { ChangeLog, ChangeRecord } from '@lgsp/access';

/** `<entity>:<change action>` → the operation record's `action`. */
export const MAINTENANCE_OPERATIONS: Readonly<Record<string, string>> = {
  'MaintenanceWindow:ANNOUNCE': 'maintenance-announce',
  'MaintenanceWindow:ANNOUNCE_EMERGENCY': 'maintenance-announce-emergency',
  'MaintenanceWindow:CHANGE': 'maintenance-change',
  'MaintenanceWindow:CANCEL': 'maintenance-cancel',
  'MaintenanceWindow:END_EARLY': 'maintenance-end-early',
  'Incident:RECORD': 'incident-record',
  'Incident:UPDATE': 'incident-update',
  'Incident:RESOLVE': 'incident-resolve',
};

type Details = AuditEntryInput['details'];

function body(record: ChangeRecord): Record<string, unknown> {
  const value = record.after ?? record.before;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const list = (value: unknown): string => (Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(',') : '');

function detailsOf(record: ChangeRecord): Details {
  const b = body(record);
  const common: Details = { changeId: record.id, actorKind: record.actor.kind, summary: text(b.summary), affectedServices: list(b.affectedServices) };
  if (record.entity === 'MaintenanceWindow')
    return {
      ...common,
      startsAt: text(b.startsAt),
      endsAt: text(b.endsAt),
      emergency: b.emergency === true,
      ...(record.action === 'CANCEL' || record.action === 'END_EARLY' ? { cancelReason: text(b.cancelReason) } : {}),
    };
  return {
    ...common,
    affectedAgencies: list(b.affectedAgencies),
    startedAt: text(b.startedAt),
    expectedFixAt: text(b.expectedFixAt),
    resolvedAt: text(b.resolvedAt),
  };
}

/** The operation entry of a stored maintenance or incident change; null for any other change (or the sweep's). */
export function maintenanceOperationEntry(record: ChangeRecord, source: string): AuditEntryInput | null {
  const action = MAINTENANCE_OPERATIONS[`${record.entity}:${record.action}`];
  if (action === undefined) return null;
  return {
    kind: 'operation',
    at: record.at,
    requestId: null,
    source,
    environment: 'production',
    agency: record.actor.agencyCode ?? null,
    system: null,
    user: record.actor.username ?? null,
    purpose: null,
    action,
    operationType: null,
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: null,
    service: record.entity === 'MaintenanceWindow' ? 'maintenance-window' : 'incident',
    entityId: record.entityId,
    outcome: 'success',
    errorCodes: [],
    durationMs: null,
    bytesIn: null,
    bytesOut: null,
    details: detailsOf(record),
    subjects: [],
  };
}

/** `log` with every maintenance window and incident change it stores also written to `audit` as an operation. */
export function withMaintenanceOperations<L extends Pick<ChangeLog, 'append'>>(log: L, audit: AuditWriter, options: { source: string }): L {
  const append: ChangeLog['append'] = async (input) => {
    const record = await log.append(input);
    const entry = maintenanceOperationEntry(record, options.source);
    if (entry !== null) audit.write(entry);
    return record;
  };
  return new Proxy(log, {
    get(target, property) {
      if (property === 'append') return append;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
