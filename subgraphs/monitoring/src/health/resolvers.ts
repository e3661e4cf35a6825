/** GraphQL ↔ the health module (domain/health-service.ts). */
import { signedIn } from '../caller.ts';
import { moduleState, type MonitoringContext } from '../module.ts';
import type { DailyRollup, HealthSample, HealthTransition, SystemState } from './domain/model.ts';
import type { HealthModuleState } from './index.ts';
import type { HealthReportInput } from './domain/health-service.ts';
import type { AgencyHealth } from './domain/health-service.ts';
import { recordHealthReport } from './record.ts';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const health = (ctx: MonitoringContext) => moduleState<HealthModuleState>(ctx, 'health');

const checkResult = (s: HealthSample) => ({
  level: s.level,
  status: s.status,
  at: iso(s.atMs),
  source: s.source.toUpperCase(),
  latencyMs: s.latencyMs === null ? null : Math.round(s.latencyMs),
  checks: s.checks,
  detail: s.detail,
});

export const healthResolvers = {
  Query: {
    systemHealth: (_: unknown, args: { systemId: string }, ctx: MonitoringContext) => health(ctx).service.system(signedIn(ctx.caller), args.systemId),
    systemsHealth: (_: unknown, args: { agency: string }, ctx: MonitoringContext) => {
      const state = health(ctx);
      return state.service.agency(signedIn(ctx.caller), args.agency, state.registeredIdsOf(args.agency));
    },
    healthHistory: (_: unknown, args: { systemId: string; from: string; to: string }, ctx: MonitoringContext) =>
      health(ctx).service.history(signedIn(ctx.caller), args.systemId, args.from, args.to),
    availability: async (_: unknown, args: { systemId: string; from: string; to: string }, ctx: MonitoringContext) => {
      const a = await health(ctx).service.availability(signedIn(ctx.caller), args.systemId, args.from, args.to);
      return { ...a, systemId: args.systemId, from: iso(a.fromMs), to: iso(a.toMs) };
    },
  },
  Mutation: {
    async reportSystemHealth(_: unknown, args: { input: HealthReportInput }, ctx: MonitoringContext) {
      const state = health(ctx);
      const trace = (systemState: SystemState | null, error: unknown) =>
        recordHealthReport(state.audit, state.now(), { requestId: ctx.requestId, caller: ctx.caller, input: args.input, state: systemState, error });
      try {
        const result = await state.service.report(signedIn(ctx.caller), args.input);
        trace(result, null);
        return result;
      } catch (error) {
        trace(null, error);
        throw error;
      }
    },
  },
  SystemHealth: {
    system: (s: SystemState) => ({ id: s.systemId }),
    since: (s: SystemState) => (s.status === 'UNKNOWN' && s.lastSampleMs === null ? null : iso(s.sinceMs)),
    lastCheckedAt: (s: SystemState) => iso(s.lastSampleMs),
    levels: (s: SystemState) => [s.latest['1'], s.latest['2']].filter((x): x is HealthSample => x !== undefined).map(checkResult),
  },
  AgencyHealth: {
    agency: (a: AgencyHealth) => ({ code: a.agencyCode }),
    relayLastSeenAt: (a: AgencyHealth) => iso(a.relay?.lastSeenMs),
    relaySystems: (a: AgencyHealth) => (a.relay?.systems ?? []).map((s) => ({ systemId: s.systemId, lastSeenAt: iso(s.lastSeenMs) })),
  },
  HealthHistory: {
    samples: (h: { samples: HealthSample[] }) => h.samples.map(checkResult),
    days: (h: { rollups: DailyRollup[] }) => h.rollups,
  },
  HealthTransition: {
    at: (t: HealthTransition) => iso(t.atMs),
    source: (t: HealthTransition) => t.source.toUpperCase(),
  },
};
