/**
 * The `maintenance-announced` platform topic as this subgraph serves it (`maintenanceAnnounced`): maintenance windows
 * (announced, changed, cancelled, started, ended) for every signed-in caller, and incidents (recorded, updated,
 * resolved) for the agencies they affect and operators. The fields are `@lgsp/events`' (maintenance-events.ts),
 * written by the registry.
 */
import { MAINTENANCE_CHANGES, MAINTENANCE_KINDS, type MaintenanceChange, type MaintenanceKind } from '@lgsp/events/topics';
import type { Principal } from '@lgsp/kit';
import { isOperator } from './access.ts';
import { occurredAtOf, type EventHeader, type RawEvent } from './topics.ts';

export { MAINTENANCE_CHANGES, MAINTENANCE_KINDS };

/** A maintenance window or incident was announced or changed (`maintenance-announced`). */
export interface MaintenanceAnnounced extends EventHeader {
  kind: MaintenanceKind;
  id: string;
  change: MaintenanceChange;
  summary: string;
  /** A window's start, an incident's start. */
  startsAt: string | null;
  /** A window's end, an incident's resolution. */
  endsAt: string | null;
  emergency: boolean;
  affectedAgencies: string[];
  affectedServices: string[];
  expectedFixAt: string | null;
}

const list = (value: string | undefined) => (value ?? '').split(',').filter((v) => v.trim() !== '');
const instant = (value: string | undefined) => (value === undefined || value === '' || Number.isNaN(Date.parse(value)) ? null : new Date(value).toISOString());
const oneOf = <T extends string>(values: readonly T[], value: string | undefined): T | null => (values.includes(value as T) ? (value as T) : null);

/** Decodes an entry; null when a field the event needs is missing. */
export function decodeMaintenanceAnnounced(event: RawEvent): MaintenanceAnnounced | null {
  const kind = oneOf(MAINTENANCE_KINDS, event.fields.kind);
  const change = oneOf(MAINTENANCE_CHANGES, event.fields.change);
  const id = event.fields.id;
  if (kind === null || change === null || id === undefined || id === '') return null;
  return {
    eventId: event.id,
    occurredAt: occurredAtOf(event),
    kind,
    id,
    change,
    summary: event.fields.summary ?? '',
    startsAt: instant(event.fields.startsAt),
    endsAt: instant(event.fields.endsAt),
    emergency: event.fields.emergency === 'true',
    affectedAgencies: list(event.fields.affectedAgencies),
    affectedServices: list(event.fields.affectedServices),
    expectedFixAt: instant(event.fields.expectedFixAt),
  };
}

/** Windows concern everyone; an incident its affected agencies (none named: every agency) and operators. */
export function maintenanceEventVisible(principal: Principal, event: MaintenanceAnnounced): boolean {
  if (event.kind === 'MAINTENANCE' || event.affectedAgencies.length === 0 || isOperator(principal)) return true;
  return principal.agencyCode !== undefined && event.affectedAgencies.includes(principal.agencyCode);
}
