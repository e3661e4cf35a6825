/** The audit log in memory: embedded mode (`npm start` without Redis) and tests. Same behaviour as Redis (contract.ts). */
import { chainEntries } from './chain.ts';
import type { AuditLog, AuditPage, AuditQuery } from './audit-log.ts';
import type { Checkpoint } from './checkpoint.ts';
import { checkSeq, encodeCursor, parseAuditEntries, parseAuditQuery, parseCheckpoint, parseStatisticsQuery } from './entry-schema.ts';
import { isPastCursor, MAX_RANGE_COUNT, newestFirst, recordMatches, statisticsOrder } from './query.ts';
import type { AuditRecord, ChainHead } from './record.ts';
import { STATISTIC_METRICS, statisticsDeltas, type StatisticsRow } from './statistics.ts';

export function createMemoryAuditLog(): AuditLog & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  let head: ChainHead | null = null;
  const rollups = new Map<string, StatisticsRow>();
  const checkpoints: Checkpoint[] = [];
  /** Where `seq` n sits in `records`: records[n - offset] (records hold consecutive seqs). */
  const indexOf = (seq: number) => (records.length === 0 ? -1 : seq - records[0]!.seq);
  return {
    records,
    async append(input) {
      const entries = parseAuditEntries(input);
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
      return structuredClone(chained);
    },
    async head() {
      return head === null ? null : { ...head };
    },
    async range(fromSeq, count) {
      checkSeq('fromSeq', fromSeq, 0);
      checkSeq('count', count, 1);
      const start = Math.max(0, indexOf(fromSeq));
      return structuredClone(records.slice(start, start + Math.min(count, MAX_RANGE_COUNT)));
    },
    async firstSeq() {
      return records[0]?.seq ?? null;
    },
    async query(input: AuditQuery): Promise<AuditPage> {
      const query = parseAuditQuery(input);
      const matches = records
        .map((record) => ({ record, atMs: Date.parse(record.at), seq: record.seq }))
        .filter((r) => r.atMs >= query.fromMs && r.atMs < query.toMs && isPastCursor(r.atMs, r.seq, query.after) && recordMatches(r.record, query))
        .sort(newestFirst);
      const page = matches.slice(0, query.pageLimit);
      const last = page.at(-1);
      return {
        records: structuredClone(page.map((m) => m.record)),
        next: matches.length > query.pageLimit && last !== undefined ? encodeCursor(last) : null,
      };
    },
    async statistics(input) {
      const query = parseStatisticsQuery(input);
      return structuredClone(
        [...rollups.values()]
          .filter(
            (r) =>
              r.day >= query.fromDay &&
              r.day <= query.toDay &&
              (query.agency === undefined || r.agency === query.agency) &&
              (query.environment === undefined || r.environment === query.environment),
          )
          .sort(statisticsOrder),
      );
    },
    async putCheckpoint(input) {
      checkpoints.push(parseCheckpoint(input));
    },
    async checkpoints() {
      return structuredClone(checkpoints);
    },
    async trim(throughSeq) {
      checkSeq('throughSeq', throughSeq, 0);
      const removed = Math.max(0, Math.min(records.length, indexOf(throughSeq) + 1));
      records.splice(0, removed);
      return removed;
    },
    async close() {},
  };
}
