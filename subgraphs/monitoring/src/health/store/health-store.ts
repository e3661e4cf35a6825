/**
 * Where health history lives: one port, two adapters (memory, Redis) under one contract (health-store.contract.ts).
 * Raw samples are trimmed by time (HEALTH_RAW_RETENTION_DAYS); transitions and daily rollups are kept
 * HEALTH_HISTORY_DAYS (≥ 93: DL App.01 §2.3 keeps status history at least 3 months).
 */
import type { DailyRollup, HealthSample, HealthTransition, RollupDelta, SystemState } from '../domain/model.ts';

export interface HealthStore {
  state(systemId: string): Promise<SystemState | null>;
  /** Every system's state, or one agency's. */
  states(agencyCode?: string): Promise<SystemState[]>;
  putState(state: SystemState): Promise<void>;
  addSample(sample: HealthSample): Promise<void>;
  /** Samples with `fromMs <= atMs < toMs`, oldest first, at most `limit`. */
  samples(systemId: string, fromMs: number, toMs: number, limit: number): Promise<HealthSample[]>;
  addTransition(transition: HealthTransition): Promise<void>;
  /** Transitions with `fromMs <= atMs < toMs`, oldest first. */
  transitions(systemId: string, fromMs: number, toMs: number): Promise<HealthTransition[]>;
  /** The last transition before `beforeMs` (the status a period starts in); null when none is kept. */
  lastTransitionBefore(systemId: string, beforeMs: number): Promise<HealthTransition | null>;
  /** Adds `delta` to the system's rollup of `day`. */
  addToRollup(systemId: string, day: string, delta: RollupDelta): Promise<void>;
  /** Rollups of days `fromDay`..`toDay` inclusive, oldest first. */
  rollups(systemId: string, fromDay: string, toDay: string): Promise<DailyRollup[]>;
  /**
   * Accepts a pushed report once: answers false when `nonce` was seen for the system (within `nonceTtlMs`) or
   * `observedAtMs` is not newer than the last accepted report's; else records both and answers true. Atomic.
   */
  acceptPush(systemId: string, nonce: string, observedAtMs: number, nonceTtlMs: number): Promise<boolean>;
  /** Removes samples older than `samplesBeforeMs`, and transitions and rollups older than `historyBeforeMs`/`historyBeforeDay`. */
  trim(samplesBeforeMs: number, historyBeforeMs: number, historyBeforeDay: string): Promise<{ samples: number; transitions: number; rollups: number }>;
  close(): Promise<void>;
}

export const emptyRollup = (day: string): DailyRollup => ({ day, upSeconds: 0, degradedSeconds: 0, downSeconds: 0, samples: 0, failures: 0 });
