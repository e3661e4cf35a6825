/**
 * Fault injection and request counting, driven by tests through `/_sim/settings`, `/_sim/stats`, `/_sim/reset`.
 * Decisions come from a seeded generator per endpoint, so a given sequence of requests meets the same faults on
 * every run; a rate of 1 always fails and 0 never does.
 */
import { z } from 'zod';
import { Prng } from './prng.ts';

/** The simulator's endpoints, as named in stats and per-endpoint settings. */
export const ENDPOINTS = ['token', 'dancu.congdan', 'dancu.congdan.batch', 'dkdn.chiTietDoanhNghiep', 'dkdn.chiTietDoanhNghiep.batch'] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

const faultFields = {
  /** Delay added before answering, in ms. */
  latencyMs: z.number().int().min(0).max(600_000),
  /** Share of requests answered with `failureStatus` (0–1). */
  failureRate: z.number().min(0).max(1),
  /** Share of requests never answered (0–1): the connection stays open until the client gives up. */
  hangRate: z.number().min(0).max(1),
};

export const settingsSchema = z.strictObject({
  ...faultFields,
  /** HTTP status of injected failures (5xx). */
  failureStatus: z.number().int().min(500).max(599).default(503),
  /** Overrides per endpoint; unspecified fields fall back to the global values. */
  endpoints: z.partialRecord(z.enum(ENDPOINTS), z.strictObject(faultFields).partial()).default({}),
  /** Seed of the fault decisions. */
  seed: z.number().int().default(1),
});
export type FaultSettings = z.infer<typeof settingsSchema>;
/** What PUT /_sim/settings accepts: every field optional (missing global fields are 0). */
export const settingsInputSchema = settingsSchema.extend({
  latencyMs: faultFields.latencyMs.default(0),
  failureRate: faultFields.failureRate.default(0),
  hangRate: faultFields.hangRate.default(0),
});

export type Fault = { kind: 'none' } | { kind: 'fail'; status: number } | { kind: 'hang' };

export interface EndpointStats {
  /** Every request that reached the endpoint, whatever its outcome. */
  requests: number;
  /** Responses by HTTP status ("200", "401", "503", …); hung requests have none. */
  byStatus: Record<string, number>;
  /** Ids (personal IDs or enterprise codes) asked for: 1 per single lookup, the list length for a batch. */
  idsRequested: number;
  injectedFailures: number;
  injectedHangs: number;
}

export interface SimulatorStats {
  startedAt: string;
  totalRequests: number;
  endpoints: Record<EndpointName, EndpointStats>;
}

export class FaultInjector {
  private settings: FaultSettings;
  private generators = new Map<EndpointName, Prng>();
  private counters: SimulatorStats;

  constructor(private readonly defaults: FaultSettings) {
    this.settings = defaults;
    this.counters = FaultInjector.emptyStats();
  }

  private static emptyStats(): SimulatorStats {
    const endpoints = {} as Record<EndpointName, EndpointStats>;
    for (const name of ENDPOINTS) endpoints[name] = { requests: 0, byStatus: {}, idsRequested: 0, injectedFailures: 0, injectedHangs: 0 };
    return { startedAt: new Date().toISOString(), totalRequests: 0, endpoints };
  }

  current(): FaultSettings {
    return structuredClone(this.settings);
  }

  replace(settings: FaultSettings): void {
    this.settings = settings;
    this.generators.clear();
  }

  /** Clears the counters and restores the start-up settings. */
  reset(): void {
    this.replace(this.defaults);
    this.counters = FaultInjector.emptyStats();
  }

  stats(): SimulatorStats {
    return structuredClone(this.counters);
  }

  latencyFor(endpoint: EndpointName): number {
    return this.settings.endpoints[endpoint]?.latencyMs ?? this.settings.latencyMs;
  }

  /** Counts the request and decides its fate. */
  arrive(endpoint: EndpointName): Fault {
    this.counters.totalRequests++;
    const stats = this.counters.endpoints[endpoint];
    stats.requests++;
    const override = this.settings.endpoints[endpoint];
    const failureRate = override?.failureRate ?? this.settings.failureRate;
    const hangRate = override?.hangRate ?? this.settings.hangRate;
    if (failureRate === 0 && hangRate === 0) return { kind: 'none' };
    let prng = this.generators.get(endpoint);
    if (prng === undefined) {
      prng = new Prng(this.settings.seed * 31 + ENDPOINTS.indexOf(endpoint));
      this.generators.set(endpoint, prng);
    }
    const draw = prng.next();
    if (draw < hangRate) {
      stats.injectedHangs++;
      return { kind: 'hang' };
    }
    if (draw < hangRate + failureRate) {
      stats.injectedFailures++;
      return { kind: 'fail', status: this.settings.failureStatus };
    }
    return { kind: 'none' };
  }

  countIds(endpoint: EndpointName, count: number): void {
    this.counters.endpoints[endpoint].idsRequested += count;
  }

  answered(endpoint: EndpointName, status: number): void {
    const byStatus = this.counters.endpoints[endpoint].byStatus;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
}
