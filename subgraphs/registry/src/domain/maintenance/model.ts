/**
 * Maintenance windows (lịch bảo trì) and incidents (sự cố) of the platform (DL:12.6, DL:13.5): plain records the
 * registry keeps in its store (collections `maintenanceWindows` and `incidents`), written over the revision read like
 * every registry record.
 */
import type { Revisioned } from '../model.ts';

/** Where a window stands, derived from its times and whether it was cancelled (never stored). */
export type MaintenanceStatus = 'SCHEDULED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED';

/** A planned (or emergency) maintenance window during which the gateway answers 503 (to the services it names). */
export interface MaintenanceWindow extends Revisioned {
  id: string;
  /** ISO instants (UTC). `endsAt` is moved to the moment a started window is ended early. */
  startsAt: string;
  endsAt: string;
  summary: string;
  /** Why (for an emergency: why it could not be announced 24 hours ahead). */
  reason: string;
  /** Registry service codes it makes unavailable; empty = the whole gateway. */
  affectedServices: string[];
  /** Announced less than 24 hours ahead (DL:12.6 allows it only as an emergency, recorded as such). */
  emergency: boolean;
  announcedAt: string;
  /** Who announced it (the operator's username). */
  announcedBy: string;
  /** Set when it was cancelled before it started. */
  cancelledAt: string | null;
  /** Set when it was ended before its planned end. */
  endedEarlyAt: string | null;
  /** Why it was cancelled or ended early. */
  cancelReason: string | null;
  /** The sweep announced its start / its end (each once). */
  startAnnounced: boolean;
  endAnnounced: boolean;
}

/** An incident: something broke, the agencies it affects are told, with the expected fix time. */
export interface Incident extends Revisioned {
  id: string;
  summary: string;
  /** Agency codes told of it; empty = every agency. */
  affectedAgencies: string[];
  /** Registry service codes affected (informative). */
  affectedServices: string[];
  startedAt: string;
  /** When the operator expects it fixed; null when not known yet. */
  expectedFixAt: string | null;
  recordedBy: string;
  resolvedAt: string | null;
  resolution: string | null;
}

/** The status of `window` at `now`. */
export function maintenanceStatus(window: MaintenanceWindow, now: Date): MaintenanceStatus {
  if (window.cancelledAt !== null) return 'CANCELLED';
  const t = now.getTime();
  if (t < Date.parse(window.startsAt)) return 'SCHEDULED';
  if (t < Date.parse(window.endsAt)) return 'IN_PROGRESS';
  return 'COMPLETED';
}
