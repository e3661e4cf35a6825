/**
 * The report bench's data: a province-month of audit activity (BENCH_REPORT_OPERATIONS operations: GraphQL operations
 * with their `served` records, and packets uploaded then acknowledged) made by the tests' generator
 * (subgraphs/monitoring/src/statistics/month-of-records.ts) for a province's agencies, and stored in Redis as the
 * audit log's daily rollups (`<prefix>audit:{audit}:stats:<day>`, the very fields the Redis adapter's append writes:
 * `statisticsDeltas` + `statsField`). A report reads rollups only, never records, so the records themselves are not
 * stored: 5 million chained records would take Redis gigabytes and minutes to append, and change nothing the report
 * reads (the audit bench measures appending). Counters are summed in memory per day and written with HINCRBY.
 */
import { auditKeys, statisticsDeltas, type AuditEntry } from '@lgsp/audit';
import { statsField } from '@lgsp/audit';
import type { RedisClient } from '@lgsp/kit';
import { monthOfRecords, type Provider } from '../../subgraphs/monitoring/src/statistics/month-of-records.ts';
import { daysOf } from '../../subgraphs/monitoring/src/statistics/period.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** A province's agencies: departments and communes (codes invented in the QCVN 102:2016 shape), and the providers. */
export function provinceAgencies(consumers: number): { consumers: string[]; providers: Provider[] } {
  const providers: Provider[] = [
    { agency: '000.00.02.H41', service: 'national-data' },
    { agency: '000.00.03.H41', service: 'enterprise-data' },
    { agency: '000.00.05.H41', service: 'land-data' },
    { agency: '000.00.06.H41', service: 'health-insurance' },
    { agency: '000.00.07.H41', service: 'civil-status' },
    { agency: '000.00.08.H41', service: 'catalogs' },
  ];
  const list = Array.from({ length: consumers }, (_, i) => `000.${pad(10 + Math.floor(i / 100))}.${pad(i % 100)}.H41`);
  return { consumers: list, providers };
}

export interface GeneratedMonth {
  operations: number;
  records: number;
  rollupFields: number;
  seconds: number;
}

export async function generateProvinceMonth(options: {
  redis: RedisClient;
  keyPrefix: string;
  fromDay: string;
  toDay: string;
  operations: number;
  consumers: number;
}): Promise<GeneratedMonth> {
  const started = performance.now();
  const days = [...daysOf(options.fromDay, options.toDay)].length;
  const perDay = Math.max(1, Math.round(options.operations / days));
  const packetsPerDay = Math.round(perDay * 0.05);
  const { consumers, providers } = provinceAgencies(options.consumers);
  const counters = new Map<string, Map<string, number>>();
  let records = 0;
  const count = (entry: AuditEntry) => {
    records += 1;
    for (const delta of statisticsDeltas(entry)) {
      const { day, agency, system, service, environment } = delta.key;
      let fields = counters.get(day);
      if (fields === undefined) counters.set(day, (fields = new Map()));
      for (const [metric, by] of Object.entries(delta.counts)) {
        if (by === 0) continue;
        const field = statsField(environment, agency, system, service, metric);
        fields.set(field, (fields.get(field) ?? 0) + by);
      }
    }
  };
  for (const entry of monthOfRecords({
    fromDay: options.fromDay,
    toDay: options.toDay,
    operationsPerDay: perDay - packetsPerDay,
    packetsPerDay,
    consumers,
    providers,
    systemsPerAgency: 3,
    seed: 2026,
  }))
    count(entry);
  const keys = auditKeys(options.keyPrefix);
  let rollupFields = 0;
  for (const [day, fields] of counters) {
    const flat: string[] = [];
    for (const [field, n] of fields) flat.push(field, String(n));
    rollupFields += fields.size;
    for (let i = 0; i < flat.length; i += 2000) await options.redis.sendCommand(['HSET', keys.stats(day), ...flat.slice(i, i + 2000)]);
  }
  return { operations: perDay * days, records, rollupFields, seconds: (performance.now() - started) / 1000 };
}
