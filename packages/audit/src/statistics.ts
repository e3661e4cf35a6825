/**
 * Statistics rollups (issue 17 §3): counters per day, agency, system and service, kept by the log as records are
 * appended (so a month's report reads rollups, never millions of records). A record counts for the agency that acted
 * (requests made, errors, personal-data reads, packets sent, bytes) and, when it has one, for the counterpart agency
 * (requests served, packets received).
 */
import type { AuditEntry } from './record.ts';

export const STATISTIC_METRICS = [
  /** GraphQL operations the agency's systems and people made. */
  'requests',
  /** Of those, the ones that did not succeed (partial, error, rejected, denied). */
  'errors',
  /** Of those, the ones that read personal data (a personal-data field was selected and allowed). */
  'personalDataReads',
  /** GraphQL operations the agency's services answered (it was the provider). */
  'served',
  /** Packets the agency uploaded (relay step UPLOADED). */
  'packetsSent',
  /** Packets the agency acknowledged as a recipient (relay step DELIVERED). */
  'packetsReceived',
  /** Packets of the agency that failed (REJECTED by it, or its packets EXPIRED / UNDELIVERABLE). */
  'packetsFailed',
  /** Bytes received from the agency (requests, uploads). */
  'bytesIn',
  /** Bytes sent to the agency (answers, downloads). */
  'bytesOut',
] as const;
export type StatisticMetric = (typeof STATISTIC_METRICS)[number];

/** One day's counters for one (agency, system, service, environment). */
export interface StatisticsRow {
  /** `yyyy-mm-dd` in Vietnam time (UTC+7): the day a report counts the record in. */
  day: string;
  agency: string;
  /** The acting system, `*` for a person or for the counterpart's counters. */
  system: string;
  /** The service (subgraph, relay data type), `*` when none. */
  service: string;
  environment: 'production' | 'test';
  counts: Record<StatisticMetric, number>;
}

export interface StatisticsQuery {
  /** First and last day, inclusive (`yyyy-mm-dd`, Vietnam time). */
  fromDay: string;
  toDay: string;
  agency?: string | undefined;
  environment?: 'production' | 'test' | undefined;
}

/** The day (Vietnam time, UTC+7) an instant falls on. */
export function vietnamDay(at: string): string {
  return new Date(Date.parse(at) + 7 * 3600_000).toISOString().slice(0, 10);
}

/** What one entry adds to one row. */
export interface StatisticsDelta {
  key: Omit<StatisticsRow, 'counts'>;
  counts: Partial<Record<StatisticMetric, number>>;
}

/** The rollup increments of one entry (pure; every adapter applies them with the append, atomically). */
export function statisticsDeltas(entry: AuditEntry): StatisticsDelta[] {
  if (entry.agency === null) return [];
  const day = vietnamDay(entry.at);
  const row = (agency: string, system: string, counts: StatisticsDelta['counts']): StatisticsDelta => ({
    key: { day, agency, system, service: entry.service ?? '*', environment: entry.environment },
    counts,
  });
  const failed = entry.outcome !== 'success';
  const deltas: StatisticsDelta[] = [];
  if (entry.kind === 'graphql') {
    const read = entry.personalFields.length > 0 && entry.outcome !== 'rejected' && entry.outcome !== 'denied';
    deltas.push(
      row(entry.agency, entry.system ?? '*', {
        requests: 1,
        errors: failed ? 1 : 0,
        personalDataReads: read ? 1 : 0,
        bytesIn: entry.bytesIn ?? 0,
        bytesOut: entry.bytesOut ?? 0,
      }),
    );
    if (entry.counterpartAgency !== null) deltas.push(row(entry.counterpartAgency, '*', { served: 1 }));
  } else if (entry.kind === 'relay') {
    // Relay actions are the packet statuses (@lgsp/events PACKET_STATUSES); `agency` is the one that acted.
    if (entry.action === 'UPLOADED') deltas.push(row(entry.agency, entry.system ?? '*', { packetsSent: 1, bytesIn: entry.bytesIn ?? 0 }));
    if (entry.action === 'DELIVERED') deltas.push(row(entry.agency, entry.system ?? '*', { packetsReceived: 1, bytesOut: entry.bytesOut ?? 0 }));
    if (entry.action === 'REJECTED' || entry.action === 'EXPIRED' || entry.action === 'UNDELIVERABLE')
      deltas.push(row(entry.agency, entry.system ?? '*', { packetsFailed: 1 }));
  }
  return deltas.filter((d) => Object.values(d.counts).some((n) => n !== 0));
}
