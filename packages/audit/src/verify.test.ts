/**
 * Verification catches tampering in Redis, as someone with access to the database would do it: a record's JSON
 * edited (with and without its hash recomputed), a record deleted (XDEL), two records swapped, the chain rewritten
 * after an edit (only the signed checkpoints tell), a checkpoint forged, the tail cut off. Each is caught and named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RedisClient } from '@lgsp/kit';
import type { AuditLog } from './audit-log.ts';
import { canonicalJson, chainEntries, entryOf, recordHash } from './chain.ts';
import { sampleEntry, subjectA } from './audit-log.contract.ts';
import { auditKeys } from './keys.ts';
import { createMemoryAuditLog } from './memory-audit-log.ts';
import type { AuditRecord } from './record.ts';
import { generateSigningJwk, signCheckpoint, signingKeyFromJwk, startCheckpointer } from './signing.ts';
import { auditLogsOnRedis, rewriteStream, sameStream as same } from './testing.ts';
import { verifyChain } from './verify.ts';

type Entry = [id: string, fields: string[]];

const key = await signingKeyFromJwk(generateSigningJwk());
const otherKey = await signingKeyFromJwk(generateSigningJwk());

/** 60 records in batches, a checkpoint at 20 and one at 45. */
async function fill(log: AuditLog) {
  for (let batch = 0; batch < 6; batch += 1) {
    await log.append(Array.from({ length: 10 }, (_, i) => sampleEntry({ action: `op-${batch * 10 + i + 1}`, subjects: [subjectA] })));
    if (batch === 1) await log.putCheckpoint(await signCheckpoint((await log.head())!, key));
  }
  const [r45] = await log.range(45, 1);
  await log.putCheckpoint(await signCheckpoint({ seq: 45, hash: r45!.hash }, key));
}

describe('verifyChain', () => {
  it('passes an untouched log (memory) and checks every checkpoint, from the start or from a seq', async () => {
    const log = createMemoryAuditLog();
    await fill(log);
    const result = await verifyChain(log, { publicKey: key.publicJwk, pageSize: 7 });
    assert.deepEqual(result, { ok: true, checked: 60, fromSeq: 1, toSeq: 60, checkpointsMatched: 2, signaturesChecked: 2, checkpointsBeforeRange: 0 });
    const from = await verifyChain(log, { fromSeq: 41, publicKey: [otherKey.publicJwk, key.publicJwk] });
    assert.equal(from.ok, true);
    assert.equal(from.checked, 20);
    assert.equal(from.checkpointsMatched, 1);
    assert.equal(from.checkpointsBeforeRange, 1);
    assert.deepEqual(await verifyChain(createMemoryAuditLog()), {
      ok: true,
      checked: 0,
      fromSeq: null,
      toSeq: null,
      checkpointsMatched: 0,
      signaturesChecked: 0,
      checkpointsBeforeRange: 0,
    });
    // After a trim, the first record held anchors the chain.
    await log.trim(30);
    assert.equal((await verifyChain(log, { publicKey: key.publicJwk })).checked, 30);
  });

  it('names a forged or foreign checkpoint BAD_SIGNATURE', async () => {
    const log = createMemoryAuditLog();
    await fill(log);
    await log.putCheckpoint(await signCheckpoint((await log.head())!, otherKey));
    const foreign = await verifyChain(log, { publicKey: key.publicJwk });
    assert.equal(foreign.firstBad?.reason, 'BAD_SIGNATURE');
    assert.equal(foreign.firstBad?.seq, 60);
    assert.match(foreign.firstBad!.detail, /not one of the keys given/);
    const forged = createMemoryAuditLog();
    await fill(forged);
    const real = await signCheckpoint((await forged.head())!, key);
    await forged.putCheckpoint({ ...real, seq: 59, hash: (await forged.range(59, 1))[0]!.hash });
    const result = await verifyChain(forged, { publicKey: key.publicJwk });
    assert.deepEqual([result.firstBad?.seq, result.firstBad?.reason], [59, 'BAD_SIGNATURE']);
    assert.match(result.firstBad!.detail, /another seq, hash or time/);
    assert.equal((await verifyChain(forged)).ok, true, 'without keys, signatures are not checked');
  });

  describe('in Redis', () => {
    const tampered = async (tamper: (redis: RedisClient, keyPrefix: string, log: AuditLog) => Promise<void>) => {
      const { log, redis, keyPrefix, cleanup } = await auditLogsOnRedis();
      try {
        await fill(log);
        assert.equal((await verifyChain(log, { publicKey: key.publicJwk })).ok, true, 'untouched, it verifies');
        await tamper(redis, keyPrefix, log);
        return await verifyChain(log, { publicKey: key.publicJwk, pageSize: 16 });
      } finally {
        await cleanup();
      }
    };

    it('an edited record: EDITED, naming it', async () => {
      const result = await tampered((redis, prefix) =>
        rewriteStream(redis, prefix, (entries) =>
          entries.map(({ id, record }) => ({ id, json: canonicalJson(record.seq === 17 ? { ...record, agency: '000.00.99.H41' } : record) })),
        ),
      );
      assert.equal(result.ok, false);
      assert.deepEqual(result.firstBad, {
        seq: 17,
        reason: 'EDITED',
        detail: "record 17's content does not match its hash (it was changed after it was written)",
      });
      assert.equal(result.checked, 16);
    });

    it('an edited record whose hash was recomputed: EDITED (the next record no longer links to it)', async () => {
      const result = await tampered((redis, prefix) =>
        rewriteStream(redis, prefix, (entries) =>
          entries.map(({ id, record }) => {
            if (record.seq !== 33) return { id, json: canonicalJson(record) };
            const edited = { ...record, purpose: 'marketing' };
            return { id, json: canonicalJson({ ...edited, hash: recordHash(entryOf(edited), 33, edited.prevHash) }) };
          }),
        ),
      );
      assert.deepEqual([result.firstBad?.seq, result.firstBad?.reason], [33, 'EDITED']);
      assert.match(result.firstBad!.detail, /record 34 links to another record 33/);
    });

    it('a deleted record (XDEL): MISSING, naming it', async () => {
      const result = await tampered(async (redis, prefix) => {
        await redis.sendCommand(['XDEL', auditKeys(prefix).log, '23-0']);
      });
      assert.deepEqual(result.firstBad, { seq: 23, reason: 'MISSING', detail: 'record 23 is missing' });
    });

    it('two records swapped: REORDERED', async () => {
      const result = await tampered((redis, prefix) =>
        rewriteStream(redis, prefix, (entries) => {
          const out = same(entries);
          const a = out.findIndex((e) => e.id === '30-0');
          [out[a]!.json, out[a + 1]!.json] = [out[a + 1]!.json, out[a]!.json];
          return out;
        }),
      );
      assert.deepEqual(result.firstBad, { seq: 30, reason: 'REORDERED', detail: 'record 31 stands before record 30' });
    });

    it('the chain rewritten after an edit, hashes and head and all: CHECKPOINT_MISMATCH at the first checkpoint it passes', async () => {
      const result = await tampered(async (redis, prefix) => {
        await rewriteStream(redis, prefix, (entries) => {
          const records = entries.map((e) => e.record);
          const kept = records.slice(0, 9);
          const rechained = chainEntries(
            records.slice(9).map((r) => (r.seq === 10 ? { ...entryOf(r), user: 'someone-else' } : entryOf(r))),
            { seq: 9, hash: kept[8]!.hash },
          );
          return [...kept, ...rechained].map((r) => ({ id: `${r.seq}-0`, json: canonicalJson(r) }));
        });
        const head = (await redis.sendCommand(['XREVRANGE', auditKeys(prefix).log, '+', '-', 'COUNT', '1'])) as Entry[];
        await redis.hSet(auditKeys(prefix).head, { hash: (JSON.parse(head[0]![1][1]!) as AuditRecord).hash });
      });
      assert.deepEqual([result.firstBad?.seq, result.firstBad?.reason], [20, 'CHECKPOINT_MISMATCH']);
    });

    it('the tail cut off: MISSING (the head says more)', async () => {
      const result = await tampered(async (redis, prefix) => {
        await redis.sendCommand(['XDEL', auditKeys(prefix).log, '58-0', '59-0', '60-0']);
      });
      assert.deepEqual(result.firstBad, { seq: 58, reason: 'MISSING', detail: 'records 58 to 60 (the head) are missing' });
    });

    it('the tail and the head cut back: MISSING (a checkpoint says more)', async () => {
      const result = await tampered(async (redis, prefix) => {
        const keys = auditKeys(prefix);
        const ids = Array.from({ length: 20 }, (_, i) => `${41 + i}-0`);
        await redis.sendCommand(['XDEL', keys.log, ...ids]);
        const [r40] = (await redis.sendCommand(['XRANGE', keys.log, '40-0', '40-0'])) as Entry[];
        await redis.hSet(keys.head, { seq: '40', hash: (JSON.parse(r40![1][1]!) as AuditRecord).hash });
      });
      assert.deepEqual(result.firstBad, { seq: 41, reason: 'MISSING', detail: 'a checkpoint signed record 45, but the log ends at 40' });
    });

    it('a record that is not JSON: EDITED (unreadable)', async () => {
      const result = await tampered((redis, prefix) =>
        rewriteStream(redis, prefix, (entries) => same(entries).map((e) => (e.id === '5-0' ? { ...e, json: '{"seq": 5, broken' } : e))),
      );
      assert.deepEqual([result.firstBad?.seq, result.firstBad?.reason], [5, 'EDITED']);
      assert.match(result.firstBad!.detail, /record 5 is unreadable: the stream entry is not JSON/);
    });
  });
});

describe('checkpointer', () => {
  it('signs the head when it moved, not otherwise, and the signatures verify', async () => {
    const log = createMemoryAuditLog();
    const checkpointer = startCheckpointer({ log, key, intervalMs: 60_000 });
    try {
      assert.equal(await checkpointer.checkpoint(), null, 'nothing to sign in an empty log');
      await log.append([sampleEntry(), sampleEntry()]);
      const first = await checkpointer.checkpoint();
      assert.deepEqual([first?.seq, first?.keyId], [2, key.keyId]);
      assert.equal(await checkpointer.checkpoint(), null, 'the head did not move');
      await log.append([sampleEntry()]);
      assert.equal((await checkpointer.checkpoint())?.seq, 3);
      assert.equal((await log.checkpoints()).length, 2);
      const result = await verifyChain(log, { publicKey: key.publicJwk });
      assert.deepEqual([result.ok, result.checkpointsMatched, result.signaturesChecked], [true, 2, 2]);
    } finally {
      await checkpointer.close();
    }
  });

  it('signs on its interval', async () => {
    const log = createMemoryAuditLog();
    await log.append([sampleEntry()]);
    const checkpointer = startCheckpointer({ log, key, intervalMs: 20 });
    try {
      const started = Date.now();
      while ((await log.checkpoints()).length === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 10));
      assert.equal((await log.checkpoints())[0]?.seq, 1);
    } finally {
      await checkpointer.close();
    }
  });
});
