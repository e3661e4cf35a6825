/**
 * The writer: never blocks, batches, retries a failing log without losing or reordering anything (the log is a real
 * audit API on loopback that is down, then up), keeps entries past its queue limit (reported, not dropped), refuses
 * malformed entries alone, and `close` writes everything (memory and real Redis).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePortForTest } from '@lgsp/kit/testing';
import { assertChained } from './audit-log.contract.ts';
import { createHttpAuditLog } from './http/http-audit-log.ts';
import { createMemoryAuditLog } from './memory-audit-log.ts';
import { auditWriterMetrics } from './metrics.ts';
import { auditEntry, auditLogsOnRedis, capturedLogger, startAuditServer, TEST_MONITORING_TOKEN, testHasher } from './testing.ts';
import { createAuditWriter } from './writer.ts';

const entry = (i: number) =>
  auditEntry({
    at: new Date(Date.UTC(2026, 11, 6, 3, 0, 0, i)).toISOString(),
    action: `op-${i}`,
    subjects: [{ kind: 'personal-id', value: `0010900${String(i).padStart(5, '0')}` }],
  });

describe('audit writer', () => {
  it('queues without waiting, hashes subjects, batches, and close() writes every entry in order (memory)', async () => {
    const log = createMemoryAuditLog();
    const { logger } = capturedLogger();
    const appends: number[] = [];
    const counting = { ...log, append: (entries: Parameters<typeof log.append>[0]) => (appends.push(entries.length), log.append(entries)) };
    const writer = createAuditWriter({ log: counting, hasher: testHasher, logger, batchSize: 100, lingerMs: 5 });
    for (let i = 0; i < 1_234; i += 1) writer.write(entry(i));
    assert.equal(log.records.length, 0, 'write() does not wait for the log');
    await writer.close();
    assert.equal(log.records.length, 1_234);
    assert.deepEqual(
      log.records.map((r) => r.action),
      Array.from({ length: 1_234 }, (_, i) => `op-${i}`),
    );
    assertChained(log.records);
    assert.ok(Math.max(...appends) <= 100, 'batches of at most batchSize');
    assert.ok(appends.length >= 13 && appends.length < 100, `batched (${appends.length} appends)`);
    assert.deepEqual(log.records[3]!.subjects, [testHasher({ kind: 'personal-id', value: '001090000003' })]);
    assert.equal(writer.pending(), 0);
  });

  it('writes everything to real Redis before close() returns, one valid chain', async () => {
    const { log, cleanup } = await auditLogsOnRedis();
    try {
      const { logger } = capturedLogger();
      const writer = createAuditWriter({ log, hasher: testHasher, logger, batchSize: 250 });
      for (let i = 0; i < 2_000; i += 1) writer.write(entry(i));
      await writer.close();
      const records = [];
      for (let from = 1; ; from += 1000) {
        const page = await log.range(from, 1000);
        records.push(...page);
        if (page.length < 1000) break;
      }
      assert.equal(records.length, 2_000);
      assertChained(records);
      assert.deepEqual(
        records.map((r) => r.action),
        Array.from({ length: 2_000 }, (_, i) => `op-${i}`),
      );
    } finally {
      await cleanup();
    }
  });

  it('retries a log that is down with backoff, loses and reorders nothing, reports once, and says when it recovered', async () => {
    const port = await freePortForTest();
    const { logger, events } = capturedLogger();
    const metrics = auditWriterMetrics();
    const writer = createAuditWriter({
      log: createHttpAuditLog({ baseUrl: `http://127.0.0.1:${port}`, token: TEST_MONITORING_TOKEN, timeoutMs: 500 }),
      hasher: testHasher,
      logger,
      batchSize: 4,
      lingerMs: 1,
      maxBackoffMs: 50,
      metrics,
    });
    for (let i = 0; i < 10; i += 1) writer.write(entry(i));
    const started = Date.now();
    while ((await metrics.failures.get()).values[0]!.value < 3 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await metrics.failures.get()).values[0]!.value >= 3, 'it kept trying');
    assert.equal(events('audit.append-failed').length, 1, 'one error line per minute of failure, not one per attempt');
    assert.equal(events('audit.append-failed')[0]!.level, 'error');
    for (let i = 10; i < 15; i += 1) writer.write(entry(i));
    const server = await startAuditServer({ port });
    try {
      await writer.close();
      const records = await server.log.range(1, 100);
      assert.deepEqual(
        records.map((r) => r.action),
        Array.from({ length: 15 }, (_, i) => `op-${i}`),
      );
      assertChained(records);
      assert.equal(events('audit.append-recovered').length, 1);
      assert.equal((await metrics.written.get()).values[0]!.value, 15);
    } finally {
      await server.close();
    }
  });

  it('keeps entries past its queue limit (counted, one error line), and writes them all', async () => {
    const port = await freePortForTest();
    const { logger, events } = capturedLogger();
    const metrics = auditWriterMetrics();
    const writer = createAuditWriter({
      log: createHttpAuditLog({ baseUrl: `http://127.0.0.1:${port}`, token: TEST_MONITORING_TOKEN, timeoutMs: 500 }),
      hasher: testHasher,
      logger,
      maxQueue: 5,
      maxBackoffMs: 50,
      metrics,
    });
    for (let i = 0; i < 12; i += 1) writer.write(entry(i));
    assert.equal(writer.pending(), 12, 'nothing dropped');
    assert.equal((await metrics.overLimit.get()).values[0]!.value, 7);
    assert.equal(events('audit.queue-over-limit').length, 1);
    assert.equal(events('audit.queue-over-limit')[0]!.level, 'error');
    assert.equal((await metrics.queued.get()).values[0]!.value, 12);
    const server = await startAuditServer({ port });
    try {
      await writer.close();
      assert.equal((await server.log.range(1, 100)).length, 12);
      assert.equal((await metrics.queued.get()).values[0]!.value, 0);
    } finally {
      await server.close();
    }
  });

  it('refuses a malformed entry alone (error line, metric) and writes the others; never throws', async () => {
    const log = createMemoryAuditLog();
    const { logger, events } = capturedLogger();
    const metrics = auditWriterMetrics();
    const writer = createAuditWriter({ log, hasher: testHasher, logger, metrics });
    writer.write(entry(1));
    writer.write(auditEntry({ at: 'not a time', source: 'gateway', requestId: 'req-9' }));
    writer.write(entry(2));
    await writer.flush();
    assert.deepEqual(
      log.records.map((r) => r.action),
      ['op-1', 'op-2'],
    );
    const [line] = events('audit.entry-invalid');
    assert.equal(line!.level, 'error');
    assert.equal(line!.requestId, 'req-9');
    assert.match(String(line!.reason), /at: must be an ISO 8601 instant/);
    assert.equal((await metrics.invalid.get()).values[0]!.value, 1);
    await writer.close();
    writer.write(entry(3));
    assert.equal(events('audit.write-after-close').length, 1);
    assert.equal(log.records.length, 2);
  });
});

describe('appending the same batch again (a retry after a lost answer)', () => {
  for (const [name, make] of [
    ['redis', auditLogsOnRedis],
    [
      'http',
      async () => {
        const { auditLogsOverHttp } = await import('./testing.ts');
        return auditLogsOverHttp();
      },
    ],
  ] as const) {
    it(`${name}: answers the records stored the first time and stores nothing twice`, async () => {
      const { log, cleanup } = await make();
      try {
        const batch = [entry(1), entry(2)].map((e) => ({ ...e, subjects: e.subjects.map(testHasher) }));
        const first = await log.append(batch);
        await log.append([{ ...batch[0]! }]);
        const again = await log.append(batch);
        assert.deepEqual(again, first);
        assert.equal((await log.head())!.seq, 3);
        assert.equal((await log.range(1, 10)).length, 3);
      } finally {
        await cleanup();
      }
    });
  }
});

describe('audit writer batches by size too', () => {
  it('sends large entries in smaller batches (batchBytes), in order', async () => {
    const log = createMemoryAuditLog();
    const { logger } = capturedLogger();
    const appends: number[] = [];
    const counting = { ...log, append: (entries: Parameters<typeof log.append>[0]) => (appends.push(entries.length), log.append(entries)) };
    const writer = createAuditWriter({ log: counting, hasher: testHasher, logger, batchSize: 1000, batchBytes: 20_000 });
    // ~8 KB each (100 subjects): two per batch.
    const big = (i: number) =>
      auditEntry({
        action: `big-${i}`,
        subjects: Array.from({ length: 100 }, (_, k) => ({ kind: 'personal-id' as const, value: `00109${String(i * 1000 + k).padStart(7, '0')}` })),
      });
    for (let i = 0; i < 9; i += 1) writer.write(big(i));
    await writer.close();
    assert.deepEqual(appends, [2, 2, 2, 2, 1]);
    assert.deepEqual(
      log.records.map((r) => r.action),
      Array.from({ length: 9 }, (_, i) => `big-${i}`),
    );
  });
});
