/**
 * What storing one record writes in Redis (../keys.ts): the stream entry, its index entries and its rollup
 * increments. The append script applies them atomically; the bench's generator pipelines the very same writes.
 */
import { canonicalJson } from '../chain.ts';
import { indexMember, type AuditKeys } from '../keys.ts';
import type { AuditRecord } from '../record.ts';
import { statisticsDeltas, vietnamDay } from '../statistics.ts';

export type RecordWrite =
  | { op: 'xadd'; key: string; id: string; json: string }
  | { op: 'zadd'; key: string; score: number; member: string }
  | { op: 'hincrby'; key: string; field: string; by: number };

/** The stream id of a record: `<seq>-0`, so XRANGE by seq needs no mapping. */
export const streamId = (seq: number) => `${seq}-0`;

/** The field of a rollup counter in `stats:<day>`. */
export const statsField = (environment: string, agency: string, system: string, service: string, metric: string) =>
  JSON.stringify([environment, agency, system, service, metric]);

/** The index keys a record is listed under. */
export function indexKeysOf(keys: AuditKeys, record: AuditRecord): string[] {
  const day = vietnamDay(record.at);
  const list = [keys.dayIndex(day)];
  if (record.agency !== null) list.push(keys.agencyIndex(day, record.agency));
  if (record.counterpartAgency !== null) list.push(keys.counterpartIndex(day, record.counterpartAgency));
  for (const subject of new Set(record.subjects)) list.push(keys.subjectIndex(subject));
  return list;
}

export function recordWrites(keys: AuditKeys, record: AuditRecord): RecordWrite[] {
  const writes: RecordWrite[] = [{ op: 'xadd', key: keys.log, id: streamId(record.seq), json: canonicalJson(record) }];
  const score = Date.parse(record.at);
  const member = indexMember(record.seq);
  for (const key of indexKeysOf(keys, record)) writes.push({ op: 'zadd', key, score, member });
  for (const delta of statisticsDeltas(record)) {
    const { day, agency, system, service, environment } = delta.key;
    for (const [metric, by] of Object.entries(delta.counts)) {
      if (by !== 0) writes.push({ op: 'hincrby', key: keys.stats(day), field: statsField(environment, agency, system, service, metric), by });
    }
  }
  return writes;
}
