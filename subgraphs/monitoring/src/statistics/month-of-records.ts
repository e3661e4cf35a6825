/**
 * A province's audit records for a period, made up but shaped as the gateway, the provider subgraphs and the relay
 * write them (the entry conventions of issue 17): for the tests of statistics, reconciliation and reports, and for
 * the report bench (bench/reports). Deterministic for a seed; yields entries in time order, one at a time (a bench
 * makes millions without holding them).
 */
import { blankEntry, type AuditEntry } from '@lgsp/audit';
import { daysOf } from './period.ts';

/** Development agencies (subgraphs/catalogs' development list), with the service each provides. */
export const FIXTURE_AGENCIES = {
  police: '000.00.02.H41',
  finance: '000.00.03.H41',
  justice: '000.00.04.H41',
  office: '000.00.01.H41',
  quephong: '000.00.22.H41',
} as const;

export interface Provider {
  agency: string;
  /** The subgraph that serves for it. */
  service: string;
}

export interface MonthOptions {
  fromDay: string;
  toDay: string;
  /** GraphQL operations per day (each with its `served` record when it reached the provider). */
  operationsPerDay: number;
  /** Packets per day (each UPLOADED, then DELIVERED or REJECTED some hours later). */
  packetsPerDay?: number;
  seed?: number;
  consumers?: readonly string[];
  providers?: readonly Provider[];
  /** Systems per consumer agency (`<agency>:system-<n>`). */
  systemsPerAgency?: number;
  environment?: 'production' | 'test';
}

export const DEFAULT_CONSUMERS = [FIXTURE_AGENCIES.justice, FIXTURE_AGENCIES.office, FIXTURE_AGENCIES.quephong, FIXTURE_AGENCIES.finance];
export const DEFAULT_PROVIDERS: Provider[] = [
  { agency: FIXTURE_AGENCIES.police, service: 'national-data' },
  { agency: FIXTURE_AGENCIES.finance, service: 'enterprise-data' },
];

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A complete entry with neutral values (subjects already hashed), written by the gateway unless overridden. */
export function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return blankEntry({ source: 'gateway', ...overrides });
}

/** The records of the period, in time order. */
export function* monthOfRecords(options: MonthOptions): Generator<AuditEntry> {
  const rnd = random(options.seed ?? 17);
  const consumers = options.consumers ?? DEFAULT_CONSUMERS;
  const providers = options.providers ?? DEFAULT_PROVIDERS;
  const systems = options.systemsPerAgency ?? 2;
  const environment = options.environment ?? 'production';
  const packetsPerDay = options.packetsPerDay ?? 0;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  let n = 0;
  // Acknowledgements come hours after their upload: held until their time comes (at most a day's worth).
  let later: AuditEntry[] = [];
  for (const day of daysOf(options.fromDay, options.toDay)) {
    const dayStart = Date.parse(`${day}T00:00:00+07:00`);
    const dayEnd = dayStart + 86_400_000;
    const total = options.operationsPerDay + packetsPerDay;
    const step = 86_400_000 / Math.max(1, total);
    const due = later.filter((e) => Date.parse(e.at) < dayEnd).sort((a, b) => (a.at < b.at ? -1 : 1));
    later = later.filter((e) => Date.parse(e.at) >= dayEnd);
    let dueIndex = 0;
    for (let i = 0; i < total; i++) {
      const atMs = Math.floor(dayStart + i * step + rnd() * step * 0.5);
      while (dueIndex < due.length && Date.parse(due[dueIndex]!.at) <= atMs) yield due[dueIndex++]!;
      n += 1;
      const at = new Date(atMs).toISOString();
      if (i % Math.max(1, Math.round(total / Math.max(1, packetsPerDay))) === 0 && packetsPerDay > 0) {
        // A packet between two agencies.
        const from = pick([...consumers, ...providers.map((p) => p.agency)]);
        let to = pick([...consumers, ...providers.map((p) => p.agency)]);
        if (to === from) to = from === consumers[0] ? providers[0]!.agency : consumers[0]!;
        const packetId = `pkt-${options.seed ?? 17}-${n}`;
        const size = 2_000 + Math.floor(rnd() * 200_000);
        const system = `${from}:system-${1 + Math.floor(rnd() * systems)}`;
        yield entry({
          kind: 'relay',
          source: 'relay',
          at,
          environment,
          agency: from,
          system,
          action: 'UPLOADED',
          counterpartAgency: to,
          service: 'EDXML_DOCUMENT',
          entityId: packetId,
          bytesIn: size,
        });
        const ackAt = new Date(atMs + 60_000 + Math.floor(rnd() * 6 * 3600_000)).toISOString();
        const rejected = rnd() < 0.08;
        later.push(
          entry({
            kind: 'relay',
            source: 'relay',
            at: ackAt,
            environment,
            agency: to,
            system: `${to}:system-1`,
            action: rejected ? 'REJECTED' : 'DELIVERED',
            outcome: rejected ? 'rejected' : 'success',
            counterpartAgency: from,
            service: 'EDXML_DOCUMENT',
            entityId: packetId,
            bytesOut: rejected ? 0 : size,
          }),
        );
        continue;
      }
      const consumer = pick(consumers);
      let provider = pick(providers);
      if (provider.agency === consumer) provider = providers.find((p) => p.agency !== consumer) ?? provider;
      const requestId = `req-${options.seed ?? 17}-${n}`;
      const r = rnd();
      const outcome = r < 0.92 ? 'success' : r < 0.95 ? 'partial' : r < 0.98 ? 'error' : 'denied';
      const personal = rnd() < 0.6;
      const fields = personal ? ['Citizen.fullName', 'Citizen.dateOfBirth'] : ['Enterprise.name'];
      const bytesOut = 500 + Math.floor(rnd() * 20_000);
      const system = rnd() < 0.9 ? `${consumer}:system-${1 + Math.floor(rnd() * systems)}` : null;
      yield entry({
        kind: 'graphql',
        source: 'gateway',
        at,
        requestId,
        environment,
        agency: consumer,
        system,
        user: system === null ? 'canbo.mot-cua' : null,
        purpose: 'public-service:HS-2026',
        action: 'LookUp',
        operationType: 'query',
        fields,
        personalFields: personal && outcome !== 'denied' ? ['Citizen.fullName', 'Citizen.dateOfBirth'] : [],
        counterpartAgency: provider.agency,
        service: provider.service,
        outcome,
        errorCodes: outcome === 'success' ? [] : outcome === 'denied' ? ['UNAUTHORIZED_FIELD_OR_TYPE'] : ['UPSTREAM_UNAVAILABLE'],
        durationMs: 20 + Math.floor(rnd() * 200),
        bytesIn: 300 + Math.floor(rnd() * 700),
        bytesOut: outcome === 'denied' ? 120 : bytesOut,
        details: { providers: provider.agency, services: provider.service },
      });
      if (outcome === 'denied') continue;
      yield entry({
        kind: 'served',
        source: provider.service,
        at: new Date(atMs + 5).toISOString(),
        requestId,
        environment,
        agency: consumer,
        system,
        purpose: 'public-service:HS-2026',
        action: 'LookUp',
        fields,
        counterpartAgency: provider.agency,
        service: provider.service,
        outcome: outcome === 'error' ? 'error' : 'success',
        bytesOut: outcome === 'error' ? 0 : bytesOut,
      });
    }
    for (; dueIndex < due.length; dueIndex++) yield due[dueIndex]!;
  }
  yield* later.sort((a, b) => (a.at < b.at ? -1 : 1));
}
