/** Runs the AuditLog contract against memory, real Redis (two connections) and HTTP (a real server on loopback). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeAuditLogContract, queryAll, sampleEntry } from './audit-log.contract.ts';
import { createMemoryAuditLog } from './memory-audit-log.ts';
import { auditLogsOnRedis, auditLogsOverHttp } from './testing.ts';

describeAuditLogContract('memory', async () => {
  const log = createMemoryAuditLog();
  return { log, peer: log, cleanup: () => log.close() };
});

describeAuditLogContract('redis', auditLogsOnRedis);

describeAuditLogContract('http', auditLogsOverHttp);

describe('Redis query: the scan budget', () => {
  it('answers a short page with a next cursor when a selective filter exhausts the budget, and paging finds every match', async () => {
    const { log, cleanup } = await auditLogsOnRedis({ scanBudget: 10 });
    try {
      const at = (i: number) => new Date(Date.UTC(2026, 11, 3, 0, 0, i)).toISOString();
      await log.append(Array.from({ length: 60 }, (_, i) => sampleEntry({ at: at(i), outcome: i % 20 === 0 ? 'denied' : 'success' })));
      const period = { from: at(0), to: at(100), outcome: 'denied' as const, limit: 5 };
      const first = await log.query(period);
      assert.ok(first.records.length < 5 && first.next !== null, 'a short page that says there may be more');
      assert.deepEqual(
        (await queryAll(log, period)).map((r) => r.seq),
        [41, 21, 1],
      );
    } finally {
      await cleanup();
    }
  });
});
