/**
 * The health of connected systems (App01 §2.3), as plain data: samples (one check, pulled or pushed), the state of
 * each system, its transitions (the connect/disconnect history) and daily rollups (kept ≥ 93 days).
 */
import type { SystemHealthStatus } from '@lgsp/events/topics';

export type { SystemHealthStatus };

/** Level 1: the system answers. Level 2: its own dependencies (database, cache, services it calls). */
export type HealthLevel = 1 | 2;

/** What one check found. UP: answered, everything fine; DEGRADED: answered, a dependency failing; DOWN: failed. */
export type CheckStatus = 'UP' | 'DEGRADED' | 'DOWN';
export const CHECK_STATUSES: readonly CheckStatus[] = ['UP', 'DEGRADED', 'DOWN'];

export type HealthSource = 'pull' | 'push';

/** One dependency of a level-2 answer. */
export interface DependencyCheck {
  name: string;
  status: CheckStatus;
  detail: string | null;
}

/** One check of one system. */
export interface HealthSample {
  systemId: string;
  agencyCode: string;
  level: HealthLevel;
  source: HealthSource;
  status: CheckStatus;
  /** When it was observed (ms since the epoch): the check's end, or a push's `observedAt`. */
  atMs: number;
  /** How long the endpoint took to answer (pull); null for a push or no answer. */
  latencyMs: number | null;
  checks: DependencyCheck[];
  /** Why it failed (timeout, HTTP 503, malformed answer), or the system's own words; null when fine. */
  detail: string | null;
}

/** What the monitoring holds about a system between checks. */
export interface SystemState {
  systemId: string;
  agencyCode: string;
  status: SystemHealthStatus;
  /** Since when it has had this status (ms). */
  sinceMs: number;
  /** Failures in a row of the check that decides whether it answers (level 1, or level 2 without level 1). */
  consecutiveFailures: number;
  /** The latest sample of each level. */
  latest: Partial<Record<'1' | '2', HealthSample>>;
  /** When the last sample of any kind was taken (ms); null before the first. */
  lastSampleMs: number | null;
  /**
   * The longest time after the last sample the next one would credit to the current status (seconds): the history's
   * days count the time since the last sample up to this (absent on states written before it was kept).
   */
  creditCapSeconds?: number;
}

/** A change of a system's status: online/offline transitions are its connect/disconnect history. */
export interface HealthTransition {
  systemId: string;
  agencyCode: string;
  from: SystemHealthStatus;
  to: SystemHealthStatus;
  atMs: number;
  level: HealthLevel;
  source: HealthSource;
  detail: string | null;
}

/** One Vietnam day (UTC+7) of one system: seconds in each status (credited at each sample), samples, failures. */
export interface DailyRollup {
  day: string;
  upSeconds: number;
  degradedSeconds: number;
  downSeconds: number;
  samples: number;
  failures: number;
}

export type RollupDelta = Omit<DailyRollup, 'day'>;
