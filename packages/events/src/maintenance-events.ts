/**
 * What the platform topic `maintenance-announced` carries (TopicFamily.maintenanceAnnounced), one definition for the
 * registry that publishes it and the subscriptions subgraph that decodes it. Pure, like topics.ts.
 *
 * - kind `MAINTENANCE`: a window was ANNOUNCED, CHANGED (times, summary, services), CANCELLED (before it started),
 *   STARTED or ENDED (the registry's sweep, as the times pass; ENDED also when the operator ends it early);
 * - kind `INCIDENT`: an incident was RECORDED, UPDATED (expected fix time, summary, agencies) or RESOLVED. Incidents
 *   name the agencies they affect in `affectedAgencies`; subscribers other than operators get only those naming
 *   their agency (or none: every agency).
 */

export const MAINTENANCE_KINDS = ['MAINTENANCE', 'INCIDENT'] as const;
export type MaintenanceKind = (typeof MAINTENANCE_KINDS)[number];

export const MAINTENANCE_CHANGES = ['ANNOUNCED', 'CHANGED', 'CANCELLED', 'STARTED', 'ENDED', 'RECORDED', 'UPDATED', 'RESOLVED'] as const;
export type MaintenanceChange = (typeof MAINTENANCE_CHANGES)[number];

/** The flat fields of a `maintenance-announced` event (lists comma-separated, absent values left out). */
export function maintenanceEventFields(event: {
  kind: MaintenanceKind;
  id: string;
  change: MaintenanceChange;
  summary: string;
  startsAt?: string | null;
  endsAt?: string | null;
  emergency?: boolean;
  affectedAgencies?: readonly string[];
  affectedServices?: readonly string[];
  expectedFixAt?: string | null;
  occurredAt?: string;
}): Record<string, string> {
  const fields: Record<string, string> = { kind: event.kind, id: event.id, change: event.change, summary: event.summary };
  const put = (name: string, value: string | null | undefined) => {
    if (value !== undefined && value !== null && value !== '') fields[name] = value;
  };
  put('startsAt', event.startsAt);
  put('endsAt', event.endsAt);
  if (event.emergency !== undefined) fields.emergency = String(event.emergency);
  put('affectedAgencies', event.affectedAgencies?.join(','));
  put('affectedServices', event.affectedServices?.join(','));
  put('expectedFixAt', event.expectedFixAt);
  put('occurredAt', event.occurredAt);
  return fields;
}
