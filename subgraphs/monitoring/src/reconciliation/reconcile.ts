/**
 * Reconciliation (đối soát, DL App.01 §4b): for a period, what a provider agency served a consumer agency and what the
 * consumer received, from both sides' own records, with every discrepancy listed.
 *
 * - Queries: the gateway's `graphql` records of the consumer that touched the provider (`counterpartAgency`, or listed
 *   in `details.providers`) against the provider subgraph's `served` records (caller = the consumer, counterpart = the
 *   provider), matched by request id. One operation may be served by several subgraph calls (entity fetches): every
 *   `served` record of a request id matches its one `graphql` record.
 * - Packets, both ways between the two agencies: the sender's `UPLOADED` per recipient (`counterpartAgency`, or listed
 *   in `details.recipients`) against the recipient's `DELIVERED` / `REJECTED` of that packet (its acknowledgement).
 *
 * Records are read through `AuditLog.query` one day window at a time (pages of 1,000), so memory holds one day of the
 * pair's records plus those still waiting for their other side within the grace (a request's two records are a few
 * seconds apart; a packet may wait days to be claimed). Windows reach `grace` beyond the period on both sides, so a
 * record near the edge still finds its other side; discrepancies and counts are those of records inside the period.
 */
import { ErrorCode, LgspError, type Environment } from '@lgsp/kit';
import type { AuditLog, AuditQuery, AuditRecord } from '@lgsp/audit';
import { periodInstants, type Period } from '../statistics/period.ts';

export const DISCREPANCY_KINDS = [
  /** The provider served the request, but the consumer's gateway record of it is missing. */
  'SERVED_NOT_RECEIVED',
  /** The provider served the request successfully, but the consumer's record of it failed (error, rejected, denied). */
  'SERVED_BUT_FAILED',
  /** The consumer's record says the request reached the provider (success or partial), but no `served` record exists. */
  'RECEIVED_NOT_SERVED',
  /** A packet was uploaded for the recipient, which never acknowledged it (no DELIVERED or REJECTED). */
  'PACKET_NOT_ACKNOWLEDGED',
  /** The recipient acknowledged (DELIVERED or REJECTED) a packet the sender has no upload record of. */
  'PACKET_ACKNOWLEDGED_NOT_SENT',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export interface Discrepancy {
  kind: DiscrepancyKind;
  /** When the record that is there happened. */
  at: string;
  /** The request (queries) or null. */
  requestId: string | null;
  /** The packet (relay) or null. */
  packetId: string | null;
  /** Who sent: the consumer for queries, the packet's sender for the relay. */
  from: string;
  /** Who received: the provider for queries, the packet's recipient. */
  to: string;
  /** The `seq` of the record that is there (and of its failed other side, for SERVED_BUT_FAILED). */
  recordSeq: number;
  otherRecordSeq: number | null;
  /** The outcome or relay step of the record that is there. */
  detail: string;
}

export interface QueryCounts {
  /** The consumer's gateway records touching the provider. */
  consumerRecords: number;
  /** Of those, the ones that reached the provider (success or partial). */
  consumerReached: number;
  /** The provider's `served` records for the consumer. */
  providerRecords: number;
  /** Consumer records with at least one `served` record. */
  matched: number;
}

export interface PacketCounts {
  from: string;
  to: string;
  /** UPLOADED records of the sender for this recipient. */
  sent: number;
  /** DELIVERED and REJECTED records of the recipient for packets of this sender. */
  delivered: number;
  rejected: number;
  /** Uploads acknowledged by the recipient. */
  matched: number;
}

export interface ReconciliationRequest {
  period: Period;
  provider: string;
  consumer: string;
  environment: Environment;
}

export interface ReconciliationResult extends ReconciliationRequest {
  queries: QueryCounts;
  /** Provider → consumer, then consumer → provider. */
  packets: [PacketCounts, PacketCounts];
  totalDiscrepancies: number;
  /** The page asked for. */
  discrepancies: Discrepancy[];
  /** The cursor of the next page; null at the end. */
  next: string | null;
}

export interface ReconcileOptions {
  /** The page: discrepancies after `after` (a cursor), at most `first` (default 100, at most 1,000). */
  first?: number | undefined;
  after?: string | undefined;
  /** How far apart a request's two records may be (default 5 minutes). */
  queryGraceMs?: number;
  /** How long an uploaded packet may wait for its acknowledgement (default 3 days). */
  relayGraceMs?: number;
  /** Now: windows never go past it. */
  now?: Date;
}

const DAY_MS = 86_400_000;
const PAGE = 1000;
export const MAX_PAGE = 1000;

/** Every record of a query, newest first within the window, page by page. */
async function* recordsOf(log: Pick<AuditLog, 'query'>, query: Omit<AuditQuery, 'limit' | 'cursor'>): AsyncGenerator<AuditRecord> {
  let cursor: string | undefined;
  do {
    const page = await log.query({ ...query, limit: PAGE, cursor });
    yield* page.records;
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
}

const listed = (value: string | number | boolean | null | undefined): string[] =>
  typeof value === 'string' && value !== '' ? value.split(',').map((s) => s.trim()) : [];

const REACHED = new Set(['success', 'partial']);
const FAILED = new Set(['error', 'rejected', 'denied']);

function encodeCursor(offset: number): string {
  return Buffer.from(`reconciliation:${offset}`).toString('base64url');
}
function decodeCursor(cursor: string): number {
  const match = /^reconciliation:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw new LgspError(ErrorCode.INVALID_CURSOR, `Cursor "${cursor}" was not issued by reconciliation`);
  return Number(match[1]);
}

/** A record waiting for its other side. */
interface Waiting {
  record: AuditRecord;
  atMs: number;
}

export async function reconcile(log: Pick<AuditLog, 'query'>, request: ReconciliationRequest, options: ReconcileOptions = {}): Promise<ReconciliationResult> {
  const first = options.first ?? 100;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE)
    throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `first must be an integer from 0 to ${MAX_PAGE} (got ${first})`);
  const offset = options.after === undefined ? 0 : decodeCursor(options.after);
  const queryGrace = options.queryGraceMs ?? 5 * 60_000;
  const relayGrace = options.relayGraceMs ?? 3 * DAY_MS;
  const nowMs = (options.now ?? new Date()).getTime();
  const { provider, consumer, environment } = request;
  const bounds = periodInstants(request.period.fromDay, request.period.toDay);
  const fromMs = Date.parse(bounds.from);
  const toMs = Date.parse(bounds.to);
  const inPeriod = (atMs: number) => atMs >= fromMs && atMs < toMs;

  const queries: QueryCounts = { consumerRecords: 0, consumerReached: 0, providerRecords: 0, matched: 0 };
  const directions: Array<[string, string]> = [
    [provider, consumer],
    [consumer, provider],
  ];
  const packets = directions.map(([from, to]) => ({ from, to, sent: 0, delivered: 0, rejected: 0, matched: 0 })) as [PacketCounts, PacketCounts];

  // The page is kept while counting all: memory holds at most one page of discrepancies.
  let total = 0;
  const page: Discrepancy[] = [];
  const emit = (batch: Discrepancy[]) => {
    batch.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.recordSeq - b.recordSeq));
    for (const d of batch) {
      if (total >= offset && page.length < first) page.push(d);
      total += 1;
    }
  };

  // Queries: waiting consumer records and served records by request id; request ids already matched (a later
  // `served` record of the same request matches too), each forgotten after the grace.
  const consumerWaiting = new Map<string, Waiting>();
  const servedWaiting = new Map<string, Waiting[]>();
  const consumerMatched = new Map<string, { record: AuditRecord; atMs: number }>();
  // Packets: `<packet id>|<recipient>` → the upload, the acknowledgement; acknowledged keys for the grace.
  const sentWaiting = new Map<string, Waiting>();
  const ackWaiting = new Map<string, Waiting>();
  const acknowledged = new Map<string, number>();

  const serveMatches = (c: AuditRecord, s: AuditRecord, out: Discrepancy[]) => {
    if (!inPeriod(Date.parse(s.at))) return;
    if (s.outcome === 'success' && FAILED.has(c.outcome))
      out.push({
        kind: 'SERVED_BUT_FAILED',
        at: s.at,
        requestId: s.requestId,
        packetId: null,
        from: consumer,
        to: provider,
        recordSeq: s.seq,
        otherRecordSeq: c.seq,
        detail: `served ${s.outcome}; the consumer's record is ${c.outcome}${c.errorCodes.length > 0 ? ` (${c.errorCodes.join(', ')})` : ''}`,
      });
  };

  const onConsumer = (c: AuditRecord, out: Discrepancy[]) => {
    const atMs = Date.parse(c.at);
    if (inPeriod(atMs)) {
      queries.consumerRecords += 1;
      if (REACHED.has(c.outcome)) queries.consumerReached += 1;
    }
    const id = c.requestId;
    if (id === null) return;
    const served = servedWaiting.get(id);
    if (served !== undefined) {
      servedWaiting.delete(id);
      consumerMatched.set(id, { record: c, atMs });
      if (inPeriod(atMs)) queries.matched += 1;
      for (const s of served) serveMatches(c, s.record, out);
    } else consumerWaiting.set(id, { record: c, atMs });
  };

  const onServed = (s: AuditRecord, out: Discrepancy[]) => {
    const atMs = Date.parse(s.at);
    if (inPeriod(atMs)) queries.providerRecords += 1;
    const id = s.requestId ?? `seq:${s.seq}`;
    const waiting = consumerWaiting.get(id);
    if (waiting !== undefined) {
      consumerWaiting.delete(id);
      consumerMatched.set(id, waiting);
      if (inPeriod(waiting.atMs)) queries.matched += 1;
      serveMatches(waiting.record, s, out);
      return;
    }
    const matched = consumerMatched.get(id);
    if (matched !== undefined) {
      serveMatches(matched.record, s, out);
      return;
    }
    const list = servedWaiting.get(id) ?? [];
    list.push({ record: s, atMs });
    servedWaiting.set(id, list);
  };

  const onUpload = (r: AuditRecord, to: PacketCounts) => {
    const atMs = Date.parse(r.at);
    if (inPeriod(atMs)) to.sent += 1;
    const key = `${r.entityId}|${to.to}`;
    const ack = ackWaiting.get(key);
    if (ack !== undefined) {
      ackWaiting.delete(key);
      acknowledged.set(key, Math.max(atMs, ack.atMs));
      if (inPeriod(atMs)) to.matched += 1;
    } else if (!acknowledged.has(key)) sentWaiting.set(key, { record: r, atMs });
  };

  const onAck = (r: AuditRecord, to: PacketCounts) => {
    const atMs = Date.parse(r.at);
    if (inPeriod(atMs)) {
      if (r.action === 'DELIVERED') to.delivered += 1;
      else to.rejected += 1;
    }
    const key = `${r.entityId}|${to.to}`;
    const sent = sentWaiting.get(key);
    if (sent !== undefined) {
      sentWaiting.delete(key);
      acknowledged.set(key, atMs);
      if (inPeriod(sent.atMs)) to.matched += 1;
    } else if (!acknowledged.has(key) && !ackWaiting.has(key)) ackWaiting.set(key, { record: r, atMs });
  };

  /** Emits what waited past its grace (all of it at the end), and forgets matched keys past the grace. */
  const settle = (horizonMs: number, out: Discrepancy[]) => {
    for (const [id, w] of consumerWaiting) {
      if (w.atMs >= horizonMs - queryGrace) continue;
      consumerWaiting.delete(id);
      if (inPeriod(w.atMs) && REACHED.has(w.record.outcome))
        out.push({
          kind: 'RECEIVED_NOT_SERVED',
          at: w.record.at,
          requestId: w.record.requestId,
          packetId: null,
          from: consumer,
          to: provider,
          recordSeq: w.record.seq,
          otherRecordSeq: null,
          detail: `the consumer's record is ${w.record.outcome}; no served record of ${provider}`,
        });
    }
    for (const [id, list] of servedWaiting) {
      if (list[0]!.atMs >= horizonMs - queryGrace) continue;
      servedWaiting.delete(id);
      const w = list[0]!;
      if (inPeriod(w.atMs))
        out.push({
          kind: 'SERVED_NOT_RECEIVED',
          at: w.record.at,
          requestId: w.record.requestId,
          packetId: null,
          from: consumer,
          to: provider,
          recordSeq: w.record.seq,
          otherRecordSeq: null,
          detail: `served ${w.record.outcome}${list.length > 1 ? ` (${list.length} served records)` : ''}; no gateway record of ${consumer}`,
        });
    }
    for (const [id, m] of consumerMatched) if (m.atMs < horizonMs - 2 * queryGrace) consumerMatched.delete(id);
    for (const [key, w] of sentWaiting) {
      if (w.atMs >= horizonMs - relayGrace) continue;
      sentWaiting.delete(key);
      const to = key.slice(key.indexOf('|') + 1);
      if (inPeriod(w.atMs))
        out.push({
          kind: 'PACKET_NOT_ACKNOWLEDGED',
          at: w.record.at,
          requestId: null,
          packetId: w.record.entityId,
          from: w.record.agency ?? '',
          to,
          recordSeq: w.record.seq,
          otherRecordSeq: null,
          detail: `UPLOADED; no DELIVERED or REJECTED by ${to} as of ${new Date(Math.min(horizonMs, nowMs)).toISOString()}`,
        });
    }
    for (const [key, w] of ackWaiting) {
      if (w.atMs >= horizonMs - relayGrace) continue;
      ackWaiting.delete(key);
      if (inPeriod(w.atMs))
        out.push({
          kind: 'PACKET_ACKNOWLEDGED_NOT_SENT',
          at: w.record.at,
          requestId: null,
          packetId: w.record.entityId,
          from: w.record.counterpartAgency ?? '',
          to: w.record.agency ?? '',
          recordSeq: w.record.seq,
          otherRecordSeq: null,
          detail: `${w.record.action}; no UPLOADED by ${w.record.counterpartAgency ?? '?'} for ${w.record.agency ?? '?'}`,
        });
    }
    for (const [key, atMs] of acknowledged) if (atMs < horizonMs - 2 * relayGrace) acknowledged.delete(key);
  };

  const grace = Math.max(queryGrace, relayGrace);
  const startMs = fromMs - grace;
  const endMs = Math.min(toMs + grace, Math.max(nowMs, toMs));
  for (let windowStart = startMs; windowStart < endMs; windowStart += DAY_MS) {
    const windowEnd = Math.min(windowStart + DAY_MS, endMs);
    const window = { from: new Date(windowStart).toISOString(), to: new Date(windowEnd).toISOString() };
    // Query records matter only within their (short) grace of the period.
    const queriesToo = windowEnd > fromMs - queryGrace && windowStart < toMs + queryGrace;
    const events: Array<{ record: AuditRecord; apply: (out: Discrepancy[]) => void }> = [];
    if (queriesToo) {
      for await (const r of recordsOf(log, { ...window, kind: 'graphql', agency: consumer }))
        if (r.environment === environment && (r.counterpartAgency === provider || listed(r.details.providers).includes(provider)))
          events.push({ record: r, apply: (out) => onConsumer(r, out) });
      for await (const r of recordsOf(log, { ...window, kind: 'served', agency: consumer, counterpartAgency: provider }))
        if (r.environment === environment) events.push({ record: r, apply: (out) => onServed(r, out) });
    }
    for (const counts of packets) {
      for await (const r of recordsOf(log, { ...window, kind: 'relay', agency: counts.from }))
        if (r.environment === environment && r.action === 'UPLOADED' && (r.counterpartAgency === counts.to || listed(r.details.recipients).includes(counts.to)))
          events.push({ record: r, apply: () => onUpload(r, counts) });
      for await (const r of recordsOf(log, { ...window, kind: 'relay', agency: counts.to, counterpartAgency: counts.from }))
        if (r.environment === environment && (r.action === 'DELIVERED' || r.action === 'REJECTED')) events.push({ record: r, apply: () => onAck(r, counts) });
    }
    events.sort((a, b) => a.record.seq - b.record.seq);
    const out: Discrepancy[] = [];
    for (const event of events) event.apply(out);
    settle(windowEnd, out);
    emit(out);
  }
  const out: Discrepancy[] = [];
  settle(Number.POSITIVE_INFINITY, out);
  emit(out);
  const end = offset + page.length;
  return { ...request, queries, packets, totalDiscrepancies: total, discrepancies: page, next: end < total ? encodeCursor(end) : null };
}
