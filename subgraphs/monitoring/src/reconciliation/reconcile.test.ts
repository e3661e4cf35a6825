/**
 * Reconciliation on a month of records: none when both sides agree; each injected discrepancy listed exactly, once,
 * with paging; records outside the period do not count.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createMemoryAuditLog, type AuditEntry, type AuditLog } from '@lgsp/audit';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { parsePeriod } from '../statistics/period.ts';
import { FIXTURE_AGENCIES, monthOfRecords } from '../statistics/month-of-records.ts';
import { injectedDiscrepancies } from './injected-discrepancies.ts';
import { reconcile, type ReconciliationRequest } from './reconcile.ts';

const { police: PROVIDER, justice: CONSUMER } = FIXTURE_AGENCIES;
const period = parsePeriod('2026-11', new Date('2026-12-06T00:00:00Z'));
const request: ReconciliationRequest = { period, provider: PROVIDER, consumer: CONSUMER, environment: 'production' };
const now = new Date('2026-12-06T00:00:00Z');

describe('reconciliation (đối soát)', () => {
  let log: AuditLog;
  before(async () => {
    log = createMemoryAuditLog();
    const batch: AuditEntry[] = [];
    for (const e of monthOfRecords({ fromDay: '2026-11-01', toDay: '2026-11-30', operationsPerDay: 40, packetsPerDay: 6, seed: 3 })) {
      batch.push(e);
      if (batch.length === 500) await log.append(batch.splice(0));
    }
    await log.append(batch);
  });

  it('finds nothing when both sides agree, and counts each side', async () => {
    const result = await reconcile(log, request, { now });
    assert.equal(result.totalDiscrepancies, 0, JSON.stringify(result.discrepancies.slice(0, 3)));
    assert.ok(result.queries.consumerRecords > 50);
    assert.ok(result.queries.providerRecords > 50);
    assert.equal(result.queries.matched, result.queries.consumerReached);
    const sent = result.packets[0].sent + result.packets[1].sent;
    assert.ok(sent > 0);
    assert.equal(result.packets[0].matched, result.packets[0].sent);
    assert.equal(result.packets[0].delivered + result.packets[0].rejected, result.packets[0].sent);
  });

  it('lists every injected discrepancy exactly, in time order, page by page', async () => {
    const before = await reconcile(log, request, { now });
    const records = await log.append(injectedDiscrepancies());
    const seq = (requestOrPacket: string) => records.find((r) => r.requestId === requestOrPacket || r.entityId === requestOrPacket)!.seq;
    const result = await reconcile(log, request, { now });
    assert.deepEqual(
      result.discrepancies.map((d) => [d.kind, d.requestId ?? d.packetId, d.from, d.to, d.recordSeq]),
      [
        ['SERVED_NOT_RECEIVED', 'inj-served-only', CONSUMER, PROVIDER, seq('inj-served-only')],
        ['SERVED_BUT_FAILED', 'inj-failed', CONSUMER, PROVIDER, records.find((r) => r.requestId === 'inj-failed' && r.kind === 'served')!.seq],
        ['RECEIVED_NOT_SERVED', 'inj-received-only', CONSUMER, PROVIDER, seq('inj-received-only')],
        ['PACKET_NOT_ACKNOWLEDGED', 'inj-pkt-unacked', PROVIDER, CONSUMER, seq('inj-pkt-unacked')],
        ['PACKET_ACKNOWLEDGED_NOT_SENT', 'inj-pkt-unsent', CONSUMER, PROVIDER, seq('inj-pkt-unsent')],
      ],
    );
    assert.equal(result.discrepancies[1]!.otherRecordSeq, records.find((r) => r.requestId === 'inj-failed' && r.kind === 'graphql')!.seq);
    assert.equal(result.queries.consumerRecords, before.queries.consumerRecords + 3);
    assert.equal(result.queries.providerRecords, before.queries.providerRecords + 2);
    assert.equal(result.packets[0].sent, before.packets[0].sent + 1);

    const first = await reconcile(log, request, { now, first: 2 });
    assert.equal(first.totalDiscrepancies, 5);
    assert.deepEqual(first.discrepancies, result.discrepancies.slice(0, 2));
    const second = await reconcile(log, request, { now, first: 2, after: first.next! });
    assert.deepEqual(second.discrepancies, result.discrepancies.slice(2, 4));
    const third = await reconcile(log, request, { now, first: 2, after: second.next! });
    assert.deepEqual(third.discrepancies, result.discrepancies.slice(4));
    assert.equal(third.next, null);
  });

  it('refuses a cursor it did not issue and a page too large', async () => {
    await assert.rejects(reconcile(log, request, { after: 'bm90LWEtY3Vyc29y' }), (e: unknown) => e instanceof LgspError && e.code === ErrorCode.INVALID_CURSOR);
    await assert.rejects(reconcile(log, request, { first: 5000 }), (e: unknown) => e instanceof LgspError && e.code === ErrorCode.LIMIT_EXCEEDED);
  });
});
