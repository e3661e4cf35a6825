/**
 * The query semantics every adapter shares: which records match a query, and their order — newest first: `at`
 * descending, then `seq` descending (appends from several processes are not strictly in time order). A page's
 * `next` is the position of the last record looked at; the next page continues strictly after it.
 */
import type { AuditCursor, ParsedAuditQuery } from './entry-schema.ts';
import type { AuditRecord } from './record.ts';

/** Does the record meet every filter of the query but the period and the cursor? */
export function recordMatches(record: AuditRecord, query: ParsedAuditQuery): boolean {
  return (
    (query.kind === undefined || record.kind === query.kind) &&
    (query.agency === undefined || record.agency === query.agency) &&
    (query.counterpartAgency === undefined || record.counterpartAgency === query.counterpartAgency) &&
    (query.purpose === undefined || record.purpose === query.purpose || (record.purpose ?? '').split(':')[0] === query.purpose) &&
    (query.outcome === undefined || record.outcome === query.outcome) &&
    (query.subject === undefined || record.subjects.includes(query.subject)) &&
    (query.requestId === undefined || record.requestId === query.requestId)
  );
}

/** Is position (atMs, seq) strictly after the cursor in newest-first order (i.e. older)? */
export function isPastCursor(atMs: number, seq: number, cursor: AuditCursor | null): boolean {
  if (cursor === null) return true;
  return atMs < cursor.atMs || (atMs === cursor.atMs && seq < cursor.seq);
}

/** Newest first: `at` descending, then `seq` descending. */
export function newestFirst(a: { atMs: number; seq: number }, b: { atMs: number; seq: number }): number {
  return b.atMs - a.atMs || b.seq - a.seq;
}

/** The most records `range` answers per call. */
export const MAX_RANGE_COUNT = 10_000;

/** Statistics rows in one order, whatever the adapter: day, agency, system, service, environment. */
export function statisticsOrder(
  a: { day: string; agency: string; system: string; service: string; environment: string },
  b: { day: string; agency: string; system: string; service: string; environment: string },
): number {
  for (const key of ['day', 'agency', 'system', 'service', 'environment'] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  return 0;
}
