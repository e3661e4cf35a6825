/**
 * The chain's verifier and `auditChainStatus`: over HTTP with real internal tokens on a real Redis log, a record edited
 * in Redis as someone with access to the database would do it shows as the status's first problem (at once when it was
 * appended since the last run, at the next full walk when it was verified before); the verifier on the memory, Redis
 * and HTTP adapters: incremental runs read only what was appended, a forged checkpoint is BAD_SIGNATURE, the tail cut
 * off is MISSING, a problem is logged once, the timer runs it without any request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { canonicalJson, generateSigningJwk, signCheckpoint, signingKeyFromJwk, type AuditEntry, type AuditLog, type AuditRecord } from '@lgsp/audit';
import { auditEntry, auditLogsOnRedis, auditLogsOverHttp, capturedLogger, rewriteStream, testHasher } from '@lgsp/audit/testing';
import { createMemoryAuditLog } from '@lgsp/audit';
import { OPERATOR, startMonitoringHarness, type MonitoringHarness } from '../testing.ts';
import { ChainVerifier } from './chain-verifier.ts';
import type { AuditQueries } from './queries.ts';

const STATUS = `{ auditChainStatus {
  verified verifiedThroughSeq verifiedAt lastRunFull verifiedRecords lastFullVerificationAt firstSeq headSeq
  lastCheckpoint { seq at keyId } firstProblem { kind seq detail }
} }`;

const entries = (n: number, from = 0): AuditEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    ...auditEntry({ action: `op-${from + i + 1}`, agency: '000.00.04.H41' }),
    subjects: [testHasher({ kind: 'personal-id', value: '040200001234' })],
  }));

describe('auditChainStatus over HTTP, on a Redis log', () => {
  let h: MonitoringHarness;
  let redis: Awaited<ReturnType<typeof auditLogsOnRedis>>;
  const status = async () => {
    const answer = await h.gql(OPERATOR, STATUS);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!.auditChainStatus as Record<string, any>;
  };
  const verifier = () => (h.running.modules.audit as AuditQueries).verifier;
  before(async () => {
    redis = await auditLogsOnRedis();
    h = await startMonitoringHarness({ AUDIT_VERIFY_INTERVAL_SECONDS: '3600' }, { log: redis.log });
  });
  after(async () => {
    await h.close();
    await redis.cleanup();
  });

  it('runs a first verification on demand, then answers the latest run without walking the log', async () => {
    await redis.log.append(entries(60));
    const checkpoint = (await h.running.checkpointer.checkpoint())!;
    const first = await status();
    assert.equal(first.verified, true);
    assert.equal(first.verifiedThroughSeq, 60);
    assert.equal(first.headSeq, 60);
    assert.equal(first.firstSeq, 1);
    assert.equal(first.lastRunFull, true);
    assert.equal(first.verifiedRecords, 60);
    assert.equal(first.firstProblem, null);
    assert.deepEqual(first.lastCheckpoint, { seq: 60, at: checkpoint.at, keyId: checkpoint.keyId });
    assert.equal(first.lastFullVerificationAt, first.verifiedAt);
    // Appended since: the status stays the latest run's until the verifier runs again (incrementally).
    await redis.log.append(entries(10, 60));
    assert.equal((await status()).verifiedThroughSeq, 60);
    await verifier().verify();
    const next = await status();
    assert.deepEqual([next.verified, next.verifiedThroughSeq, next.headSeq, next.lastRunFull, next.verifiedRecords], [true, 70, 70, false, 10]);
  });

  it('a record edited in Redis after the last run: EDITED at its seq, verified up to the one before', async () => {
    await redis.log.append(entries(10, 70));
    await rewriteStream(redis.redis, redis.keyPrefix, (stream) =>
      stream.map(({ id, record }) => ({ id, json: canonicalJson(record.seq === 75 ? { ...record, purpose: 'marketing' } : record) })),
    );
    await verifier().verify();
    const broken = await status();
    assert.equal(broken.verified, false);
    assert.equal(broken.verifiedThroughSeq, 74);
    assert.equal(broken.lastRunFull, false);
    assert.deepEqual(broken.firstProblem, {
      kind: 'EDITED',
      seq: 75,
      detail: "record 75's content does not match its hash (it was changed after it was written)",
    });
    // Put back, it verifies again.
    await rewriteStream(redis.redis, redis.keyPrefix, (stream) =>
      stream.map(({ id, record }) => ({ id, json: canonicalJson(record.seq === 75 ? { ...record, purpose: null } : record) })),
    );
    await verifier().verify();
    assert.deepEqual([(await status()).verified, (await status()).verifiedThroughSeq], [true, 80]);
  });

  it('an old record edited: the next full walk finds it (AUDIT_VERIFY_FULL_INTERVAL_SECONDS)', async () => {
    await rewriteStream(redis.redis, redis.keyPrefix, (stream) =>
      stream.map(({ id, record }) => ({ id, json: canonicalJson(record.seq === 17 ? { ...record, agency: '000.00.99.H41' } : record) })),
    );
    await verifier().verify({ full: true });
    const broken = await status();
    assert.deepEqual([broken.verified, broken.verifiedThroughSeq, broken.lastRunFull], [false, 16, true]);
    assert.deepEqual([broken.firstProblem.kind, broken.firstProblem.seq], ['EDITED', 17]);
    // Later incremental runs look again from the last good record: the problem stays until the log is restored.
    await redis.log.append(entries(5, 80));
    await verifier().verify();
    const still = await status();
    assert.deepEqual([still.verified, still.firstProblem.seq, still.lastRunFull, still.headSeq], [false, 17, false, 85]);
  });
});

const key = await signingKeyFromJwk(generateSigningJwk());
const otherKey = await signingKeyFromJwk(generateSigningJwk());

/** Each adapter, with a way to change a stored record as an intruder would. */
const adapters: Array<{
  name: string;
  open(): Promise<{ log: AuditLog; tamper(seq: number, change: (r: AuditRecord) => AuditRecord | null): Promise<void>; cleanup(): Promise<void> }>;
}> = [
  {
    name: 'memory',
    async open() {
      const log = createMemoryAuditLog();
      return { log, tamper: memoryTamper(log.records), cleanup: () => log.close() };
    },
  },
  {
    name: 'Redis',
    async open() {
      const r = await auditLogsOnRedis();
      return {
        log: r.log,
        tamper: (seq, change) =>
          rewriteStream(r.redis, r.keyPrefix, (stream) =>
            stream.flatMap(({ id, record }) => {
              const changed = record.seq === seq ? change(record) : record;
              return changed === null ? [] : [{ id, json: canonicalJson(changed) }];
            }),
          ),
        cleanup: r.cleanup,
      };
    },
  },
  {
    name: 'HTTP',
    async open() {
      const r = await auditLogsOverHttp();
      return { log: r.log, tamper: memoryTamper((r.server.log as ReturnType<typeof createMemoryAuditLog>).records), cleanup: r.cleanup };
    },
  },
];

function memoryTamper(records: AuditRecord[]) {
  return async (seq: number, change: (r: AuditRecord) => AuditRecord | null) => {
    const i = records.findIndex((r) => r.seq === seq);
    const changed = change(records[i]!);
    if (changed === null) records.splice(i, 1);
    else records[i] = changed;
  };
}

for (const adapter of adapters) {
  describe(`the chain verifier on the ${adapter.name} log`, () => {
    let opened: Awaited<ReturnType<(typeof adapters)[number]['open']>>;
    let verifier: ChainVerifier;
    const captured = capturedLogger('info');
    let clock = new Date('2026-12-06T20:00:00Z');
    before(async () => {
      opened = await adapter.open();
      verifier = new ChainVerifier({
        log: opened.log,
        publicKeys: [key.publicJwk],
        intervalMs: 0,
        fullIntervalMs: 3_600_000,
        logger: captured.logger,
        now: () => clock,
        pageSize: 16,
      });
    });
    after(async () => {
      await verifier.close();
      await opened.cleanup();
    });

    it('verifies incrementally, and walks the whole log again once the full interval has passed', async () => {
      const { log } = opened;
      assert.equal(verifier.latest(), null);
      const empty = await verifier.status();
      assert.deepEqual([empty.ok, empty.verifiedThroughSeq, empty.headSeq, empty.full], [true, null, null, true]);
      await log.append(entries(40));
      await log.putCheckpoint(await signCheckpoint((await log.head())!, key));
      const first = await verifier.verify();
      assert.deepEqual([first.ok, first.verifiedThroughSeq, first.checkedRecords, first.full, first.lastCheckpoint?.seq], [true, 40, 40, false, 40]);
      await log.append(entries(5, 40));
      const second = await verifier.verify();
      assert.deepEqual([second.ok, second.verifiedThroughSeq, second.checkedRecords, second.full], [true, 45, 5, false]);
      clock = new Date(clock.getTime() + 3_600_000);
      const full = await verifier.verify();
      assert.deepEqual([full.ok, full.verifiedThroughSeq, full.checkedRecords, full.full], [true, 45, 45, true]);
      assert.equal(full.lastFullAt, clock);
    });

    it('a forged checkpoint: BAD_SIGNATURE, logged once as an error (not at every run)', async () => {
      const { log } = opened;
      await log.putCheckpoint(await signCheckpoint((await log.head())!, otherKey));
      const forged = await verifier.verify();
      assert.deepEqual([forged.ok, forged.firstProblem?.reason, forged.firstProblem?.seq], [false, 'BAD_SIGNATURE', 45]);
      assert.match(forged.firstProblem!.detail, /not one of the keys given/);
      await verifier.verify();
      assert.equal(captured.events('audit.chain-broken').length, 1, 'one error line, not one per run');
      assert.equal(captured.lines.find((l) => l.event === 'audit.chain-broken')?.level, 'error');
    });

    it('the verified anchor removed: MISSING at its seq', async () => {
      const fresh = new ChainVerifier({ log: opened.log, publicKeys: [], intervalMs: 0, fullIntervalMs: 0, logger: captured.logger, now: () => clock });
      try {
        assert.equal((await fresh.verify()).verifiedThroughSeq, 45);
        await opened.tamper(45, () => null);
        const cut = await fresh.verify();
        assert.deepEqual([cut.ok, cut.firstProblem?.reason, cut.firstProblem?.seq, cut.full], [false, 'MISSING', 45, false]);
      } finally {
        await fresh.close();
      }
    });
  });
}

describe('the chain verifier on its timer', () => {
  it('runs on its interval without any request', async () => {
    const log = createMemoryAuditLog();
    await log.append(entries(3));
    const timed = new ChainVerifier({ log, publicKeys: [], intervalMs: 20, fullIntervalMs: 0, logger: capturedLogger().logger, now: () => new Date() });
    try {
      const until = Date.now() + 5_000;
      while (timed.latest() === null && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(timed.latest()?.verifiedThroughSeq, 3);
      await log.append(entries(2, 3));
      while (timed.latest()?.verifiedThroughSeq !== 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual([timed.latest()?.verifiedThroughSeq, timed.latest()?.full], [5, false]);
    } finally {
      await timed.close();
    }
  });
});
