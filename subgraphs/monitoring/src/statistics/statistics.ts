/**
 * Statistics per agency, system and service, by day and month (issue 17 §3): the log's daily rollups
 * (`AuditLog.statistics`, kept as records are appended) summed over a period and grouped as asked. Never reads records:
 * a province-month is a few thousand rollup rows whatever the number of operations.
 */
import { STATISTIC_METRICS, type AuditLog, type StatisticMetric, type StatisticsRow } from '@lgsp/audit';
import type { Environment } from '@lgsp/kit';
import type { Period } from './period.ts';

/** What rows can be grouped by. */
export const STATISTICS_GROUPS = ['DAY', 'MONTH', 'AGENCY', 'SYSTEM', 'SERVICE'] as const;
export type StatisticsGroup = (typeof STATISTICS_GROUPS)[number];

export type Counts = Record<StatisticMetric, number>;

/** One group's counters; the dimensions not grouped by are null. */
export interface StatisticsGroupRow {
  day: string | null;
  month: string | null;
  agency: string | null;
  /** `*`: a person acted, or the counters of the agency as counterpart (served, received). */
  system: string | null;
  /** `*`: no service. */
  service: string | null;
  counts: Counts;
}

export interface StatisticsRequest {
  period: Period;
  /** One agency's figures; null for the whole province. */
  agency: string | null;
  environment: Environment;
  groupBy: readonly StatisticsGroup[];
}

export interface StatisticsResult extends StatisticsRequest {
  rows: StatisticsGroupRow[];
  totals: Counts;
}

export function zeroCounts(): Counts {
  return Object.fromEntries(STATISTIC_METRICS.map((m) => [m, 0])) as Counts;
}

export function addCounts(into: Counts, from: Readonly<Counts>): void {
  for (const metric of STATISTIC_METRICS) into[metric] += from[metric] ?? 0;
}

/** The rollups of a request, as the log keeps them (one per day, agency, system, service). */
export function rollupsOf(log: Pick<AuditLog, 'statistics'>, request: Omit<StatisticsRequest, 'groupBy'>): Promise<StatisticsRow[]> {
  return log.statistics({
    fromDay: request.period.fromDay,
    toDay: request.period.toDay,
    agency: request.agency ?? undefined,
    environment: request.environment,
  });
}

/** Sums `rows` into groups; rows sorted by their dimensions in the order DAY/MONTH, AGENCY, SYSTEM, SERVICE. */
export function groupRollups(rows: Iterable<StatisticsRow>, groupBy: readonly StatisticsGroup[]): { rows: StatisticsGroupRow[]; totals: Counts } {
  const by = new Set(groupBy);
  const groups = new Map<string, StatisticsGroupRow>();
  const totals = zeroCounts();
  for (const row of rows) {
    const key: Omit<StatisticsGroupRow, 'counts'> = {
      day: by.has('DAY') ? row.day : null,
      month: by.has('MONTH') ? row.day.slice(0, 7) : null,
      agency: by.has('AGENCY') ? row.agency : null,
      system: by.has('SYSTEM') ? row.system : null,
      service: by.has('SERVICE') ? row.service : null,
    };
    const id = JSON.stringify(key);
    let group = groups.get(id);
    if (group === undefined) {
      group = { ...key, counts: zeroCounts() };
      groups.set(id, group);
    }
    addCounts(group.counts, row.counts);
    addCounts(totals, row.counts);
  }
  const order = (r: StatisticsGroupRow) => [r.day ?? '', r.month ?? '', r.agency ?? '', r.system ?? '', r.service ?? ''].join('\u0000');
  return { rows: [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)), totals };
}

/** The statistics of a period: grouped rows and totals. Authorization is the caller's (access.ts). */
export async function computeStatistics(log: Pick<AuditLog, 'statistics'>, request: StatisticsRequest): Promise<StatisticsResult> {
  const grouped = groupRollups(await rollupsOf(log, request), request.groupBy);
  return { ...request, ...grouped };
}
