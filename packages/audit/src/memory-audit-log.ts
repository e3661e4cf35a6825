/** The audit log in memory: embedded mode (`npm start` without Redis) and tests. Same behaviour as Redis (contract.ts). */
import { chainEntries } from './chain.ts';
import type { AuditLog, AuditPage, AuditQuery } from './audit-log.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { AuditRecord, ChainHead } from './record.ts';
import { STATISTIC_METRICS, statisticsDeltas, type StatisticsRow } from './statistics.ts';

export function createMemoryAuditLog(): AuditLog & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  let head: ChainHead | null = null;
  const rollups = new Map<string, StatisticsRow>();
  const checkpoints: Checkpoint[] = [];
  return {
    records,
    async append(entries) {
      const chained = chainEntries(entries, head);
      for (const record of chained) {
        records.push(record);
        for (const delta of statisticsDeltas(record)) {
          const key = JSON.stringify(delta.key);
          let row = rollups.get(key);
          if (row === undefined) {
            row = { ...delta.key, counts: Object.fromEntries(STATISTIC_METRICS.map((m) => [m, 0])) as StatisticsRow['counts'] };
            rollups.set(key, row);
          }
          for (const [metric, n] of Object.entries(delta.counts)) row.counts[metric as keyof StatisticsRow['counts']] += n;
        }
      }
      const last = chained.at(-1);
      if (last !== undefined) head = { seq: last.seq, hash: last.hash };
      return chained;
    },
    async head() {
      return head;
    },
    async range(fromSeq, count) {
      return records.filter((r) => r.seq >= fromSeq).slice(0, count);
    },
    async firstSeq() {
      return records[0]?.seq ?? null;
    },
    async query(query: AuditQuery): Promise<AuditPage> {
      const limit = Math.min(query.limit ?? 100, 1000);
      const before = query.cursor === undefined ? Infinity : Number(query.cursor);
      const matches = records
        .filter((r) => r.seq < before && r.at >= query.from && r.at < query.to)
        .filter((r) => query.kind === undefined || r.kind === query.kind)
        .filter((r) => query.agency === undefined || r.agency === query.agency)
        .filter((r) => query.counterpartAgency === undefined || r.counterpartAgency === query.counterpartAgency)
        .filter((r) => query.purpose === undefined || r.purpose === query.purpose || (r.purpose ?? '').split(':')[0] === query.purpose)
        .filter((r) => query.outcome === undefined || r.outcome === query.outcome)
        .filter((r) => query.subject === undefined || r.subjects.includes(query.subject))
        .filter((r) => query.requestId === undefined || r.requestId === query.requestId)
        .reverse();
      const page = matches.slice(0, limit);
      return { records: page, next: matches.length > limit ? String(page.at(-1)!.seq) : null };
    },
    async statistics(query) {
      return [...rollups.values()].filter(
        (r) =>
          r.day >= query.fromDay &&
          r.day <= query.toDay &&
          (query.agency === undefined || r.agency === query.agency) &&
          (query.environment === undefined || r.environment === query.environment),
      );
    },
    async putCheckpoint(checkpoint) {
      checkpoints.push(checkpoint);
    },
    async checkpoints() {
      return [...checkpoints];
    },
    async trim(throughSeq) {
      let removed = 0;
      while (records.length > 0 && records[0]!.seq <= throughSeq) {
        records.shift();
        removed += 1;
      }
      return removed;
    },
    async close() {},
  };
}
