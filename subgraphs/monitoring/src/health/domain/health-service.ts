/**
 * The health module's operations, without GraphQL: pushed reports (checked, then applied like a pulled sample),
 * and the reads — one system, an agency's systems with the relay's presence, history and availability.
 */
import { vietnamDay } from '@lgsp/audit';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Caller } from '../../caller.ts';
import { parseInstant } from '../../time.ts';
import { requireHealthReader, requireReportingSystem } from '../authorization.table.ts';
import type { HealthStore } from '../store/health-store.ts';
import type { PresenceReader, RelayPresence } from '../presence.ts';
import { availabilityOf, type Availability } from './availability.ts';
import { MAX_CHECKS } from './level2.ts';
import {
  CHECK_STATUSES,
  type CheckStatus,
  type DailyRollup,
  type DependencyCheck,
  type HealthLevel,
  type HealthSample,
  type HealthTransition,
  type SystemState,
} from './model.ts';
import type { HealthTracker } from './tracker.ts';

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
/** The most samples a history answers (raw samples are many: a day at 30 s is 2,880). */
export const MAX_HISTORY_SAMPLES = 5_000;

export interface HealthReportInput {
  systemId: string;
  level: number;
  status: string;
  checks: Array<{ name: string; status: string; detail?: string | null }>;
  observedAt: string;
  nonce: string;
}

export interface HealthServiceOptions {
  store: HealthStore;
  tracker: HealthTracker;
  /** The registered system's agency and whether it has a level-1 endpoint; undefined when the registry is not read. */
  registered(systemId: string): { agencyCode: string; hasLevel1: boolean } | null | undefined;
  presence: PresenceReader | null;
  pushWindowSeconds: number;
  /** Credit cap of a pushed sample (seconds): systems that push are expected at least this often. */
  pushCreditSeconds: number;
  report(outcome: 'accepted' | 'invalid' | 'replayed'): void;
  now: () => Date;
}

export interface AgencyHealth {
  agencyCode: string;
  systems: SystemState[];
  relay: RelayPresence | null;
}

export interface HealthHistory {
  transitions: HealthTransition[];
  samples: HealthSample[];
  rollups: DailyRollup[];
  samplesTruncated: boolean;
}

const invalid = (message: string, argument: string) => new LgspError(ErrorCode.INVALID_HEALTH_REPORT, message, { argument });

const VIETNAM_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The days' rollups with the time since the last sample credited to the current status (as the next sample will
 * credit it, up to the same cap), within [fromMs, toMs) and split at Vietnam midnights: a system online since its
 * first check shows its hours up before its second. Rows for days with no sample yet are added.
 */
export function withOpenSpan(rollups: DailyRollup[], state: SystemState | null, fromMs: number, toMs: number): DailyRollup[] {
  if (state === null || state.lastSampleMs === null || state.status === 'UNKNOWN') return rollups;
  const capMs = (state.creditCapSeconds ?? 0) * 1000;
  let at = Math.max(state.lastSampleMs, fromMs);
  const end = Math.min(toMs, state.lastSampleMs + capMs);
  if (end <= at) return rollups;
  const rows = new Map(rollups.map((r) => [r.day, { ...r }]));
  const field = state.status === 'ONLINE' ? 'upSeconds' : state.status === 'DEGRADED' ? 'degradedSeconds' : 'downSeconds';
  while (at < end) {
    // The next Vietnam midnight after `at`.
    const midnight = Math.floor((at + VIETNAM_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - VIETNAM_OFFSET_MS;
    const stop = Math.min(end, midnight);
    const day = vietnamDay(new Date(at).toISOString());
    const row = rows.get(day) ?? { day, upSeconds: 0, degradedSeconds: 0, downSeconds: 0, samples: 0, failures: 0 };
    row[field] += (stop - at) / 1000;
    rows.set(day, row);
    at = stop;
  }
  return [...rows.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

export class HealthService {
  constructor(private readonly options: HealthServiceOptions) {}

  /** `reportSystemHealth`: the system's own report, once (nonce, newer than the last), within the time window. */
  async report(caller: Caller, input: HealthReportInput): Promise<SystemState> {
    try {
      requireReportingSystem(caller, input.systemId);
      const registered = this.options.registered(input.systemId);
      if (registered === null) throw invalid(`${input.systemId} is not a registered system`, 'systemId');
      const agencyCode = registered?.agencyCode ?? caller.agencyCode;
      if (agencyCode === null || agencyCode === undefined || agencyCode !== caller.agencyCode)
        throw invalid("the report's system is not of the caller's agency", 'systemId');
      if (input.level !== 1 && input.level !== 2) throw invalid('level must be 1 or 2', 'level');
      const status = CHECK_STATUSES.find((s) => s === input.status);
      if (status === undefined) throw invalid('status must be UP, DEGRADED or DOWN', 'status');
      if (input.checks.length > MAX_CHECKS) throw invalid(`at most ${MAX_CHECKS} checks`, 'checks');
      const checks: DependencyCheck[] = input.checks.map((c, i) => {
        const checkStatus = CHECK_STATUSES.find((s) => s === c.status);
        if (typeof c.name !== 'string' || c.name.trim() === '' || c.name.length > 100) throw invalid(`checks[${i}].name: 1 to 100 characters`, 'checks');
        if (checkStatus === undefined) throw invalid(`checks[${i}].status must be UP, DEGRADED or DOWN`, 'checks');
        if (c.detail !== undefined && c.detail !== null && c.detail.length > 500) throw invalid(`checks[${i}].detail: at most 500 characters`, 'checks');
        return { name: c.name.trim(), status: checkStatus as CheckStatus, detail: c.detail ?? null };
      });
      if (!NONCE.test(input.nonce)) throw invalid('nonce must be 16 to 128 letters, digits, _ or - (a fresh random value per report)', 'nonce');
      const observed = parseInstant(input.observedAt, 'observedAt').getTime();
      const nowMs = this.options.now().getTime();
      const windowMs = this.options.pushWindowSeconds * 1000;
      if (Math.abs(nowMs - observed) > windowMs)
        throw invalid(`observedAt must be within ${this.options.pushWindowSeconds} s of the platform's clock (${new Date(nowMs).toISOString()})`, 'observedAt');
      // A nonce is remembered twice the window: past it, its report's observedAt is refused anyway.
      if (!(await this.options.store.acceptPush(input.systemId, input.nonce, observed, 2 * windowMs)))
        throw new LgspError(ErrorCode.REPLAYED_REQUEST, 'this report was received before (its nonce), or one observed later was; nothing was changed', {
          argument: 'nonce',
        });
      const sample: HealthSample = {
        systemId: input.systemId,
        agencyCode,
        level: input.level as HealthLevel,
        source: 'push',
        status,
        atMs: observed,
        latencyMs: null,
        checks,
        detail: status === 'UP' ? null : (checks.find((c) => c.status !== 'UP')?.detail ?? checks.find((c) => c.status !== 'UP')?.name ?? null),
      };
      // A system that reports is answering: a level-1 push, or a level-2 one from a system with no level-1 endpoint, decides.
      const decisive = input.level === 1 || registered === undefined || !registered.hasLevel1;
      const state = await this.options.tracker.observe(sample, { decisive, creditCapSeconds: this.options.pushCreditSeconds });
      this.options.report('accepted');
      return state;
    } catch (error) {
      if (error instanceof LgspError) this.options.report(error.code === ErrorCode.REPLAYED_REQUEST ? 'replayed' : 'invalid');
      throw error;
    }
  }

  /** The agency a system belongs to: the registry's word, else the state kept, else the id's prefix. */
  private async agencyOf(systemId: string): Promise<string> {
    const registered = this.options.registered(systemId);
    if (registered) return registered.agencyCode;
    const state = await this.options.store.state(systemId);
    return state?.agencyCode ?? systemId.split(':')[0]!;
  }

  async system(caller: Caller, systemId: string): Promise<SystemState | null> {
    requireHealthReader(caller, await this.agencyOf(systemId));
    return this.options.store.state(systemId);
  }

  async agency(caller: Caller, agencyCode: string, registeredIds: string[]): Promise<AgencyHealth> {
    requireHealthReader(caller, agencyCode);
    const states = await this.options.store.states(agencyCode);
    const known = new Set(states.map((s) => s.systemId));
    // Registered systems not checked yet are listed as UNKNOWN.
    const unknown: SystemState[] = registeredIds
      .filter((id) => !known.has(id))
      .map((id) => ({ systemId: id, agencyCode, status: 'UNKNOWN', sinceMs: 0, consecutiveFailures: 0, latest: {}, lastSampleMs: null }));
    const relay = this.options.presence === null ? null : await this.options.presence.agency(agencyCode, this.options.now().getTime());
    return { agencyCode, systems: [...states, ...unknown].sort((a, b) => (a.systemId < b.systemId ? -1 : 1)), relay };
  }

  private period(from: string, to: string): { fromMs: number; toMs: number } {
    const fromMs = parseInstant(from, 'from').getTime();
    const toMs = parseInstant(to, 'to').getTime();
    if (toMs <= fromMs) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'to must be after from', { argument: 'to' });
    return { fromMs, toMs };
  }

  async history(caller: Caller, systemId: string, from: string, to: string): Promise<HealthHistory> {
    requireHealthReader(caller, await this.agencyOf(systemId));
    const { fromMs, toMs } = this.period(from, to);
    const samples = await this.options.store.samples(systemId, fromMs, toMs, MAX_HISTORY_SAMPLES + 1);
    const fromDay = vietnamDay(new Date(fromMs).toISOString());
    const toDay = vietnamDay(new Date(toMs - 1).toISOString());
    const rollups = await this.options.store.rollups(systemId, fromDay, toDay);
    return {
      transitions: await this.options.store.transitions(systemId, fromMs, toMs),
      samples: samples.slice(0, MAX_HISTORY_SAMPLES),
      samplesTruncated: samples.length > MAX_HISTORY_SAMPLES,
      rollups: withOpenSpan(rollups, await this.options.store.state(systemId), fromMs, Math.min(toMs, this.options.now().getTime())),
    };
  }

  async availability(caller: Caller, systemId: string, from: string, to: string): Promise<Availability & { fromMs: number; toMs: number }> {
    requireHealthReader(caller, await this.agencyOf(systemId));
    const period = this.period(from, to);
    // Only the past counts: the rest of a period not over yet is not known.
    const toMs = Math.min(period.toMs, this.options.now().getTime());
    const fromMs = Math.min(period.fromMs, toMs);
    const state = await this.options.store.state(systemId);
    const transitions = await this.options.store.transitions(systemId, fromMs, toMs);
    if (state === null || state.lastSampleMs === null)
      return { ...availabilityOf('UNKNOWN', transitions, fromMs, toMs), reason: 'NEVER_CHECKED', fromMs, toMs };
    const before = await this.options.store.lastTransitionBefore(systemId, fromMs);
    // The status at the start: the last transition before it; when none is kept (a system in one status since its
    // first check, longer ago than the history kept), the current status if it already held then.
    const start = before?.to ?? (state.status !== 'UNKNOWN' && state.sinceMs <= fromMs ? state.status : 'UNKNOWN');
    return { ...availabilityOf(start, transitions, fromMs, toMs), fromMs, toMs };
  }
}
