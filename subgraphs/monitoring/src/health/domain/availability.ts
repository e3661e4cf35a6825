/**
 * Availability of a system over a period, from its transitions (kept HEALTH_HISTORY_DAYS): the time in each status,
 * the status at the start being the last transition before it. Time ONLINE or DEGRADED is up, OFFLINE is down, and
 * UNKNOWN (never checked yet, or before the history kept) counts for neither: availability = up / (up + down).
 */
import type { HealthTransition, SystemHealthStatus } from './model.ts';

export interface Availability {
  upSeconds: number;
  degradedSeconds: number;
  downSeconds: number;
  unknownSeconds: number;
  /** 0–100, null when no time of the period is known. */
  percent: number | null;
  /** Why `percent` is null: the system was never checked, or not within the period (kept history); null otherwise. */
  reason: AvailabilityUnknownReason | null;
}

export type AvailabilityUnknownReason = 'NEVER_CHECKED' | 'NOT_CHECKED_IN_PERIOD';

export function availabilityOf(startStatus: SystemHealthStatus, transitions: readonly HealthTransition[], fromMs: number, toMs: number): Availability {
  const seconds: Record<SystemHealthStatus, number> = { ONLINE: 0, DEGRADED: 0, OFFLINE: 0, UNKNOWN: 0 };
  let status = startStatus;
  let at = fromMs;
  for (const t of transitions) {
    if (t.atMs < fromMs) {
      status = t.to;
      continue;
    }
    if (t.atMs >= toMs) break;
    seconds[status] += (t.atMs - at) / 1000;
    status = t.to;
    at = t.atMs;
  }
  seconds[status] += Math.max(0, toMs - at) / 1000;
  const up = seconds.ONLINE + seconds.DEGRADED;
  const known = up + seconds.OFFLINE;
  return {
    upSeconds: up,
    degradedSeconds: seconds.DEGRADED,
    downSeconds: seconds.OFFLINE,
    unknownSeconds: seconds.UNKNOWN,
    percent: known === 0 ? null : Math.round((up / known) * 100_000) / 1000,
    reason: known === 0 ? 'NOT_CHECKED_IN_PERIOD' : null,
  };
}
