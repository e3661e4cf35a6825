/**
 * The behaviour every AuditLog adapter shares (memory, Redis, HTTP): one suite, run against each
 * (audit-log.test.ts). Every test gets fresh logs: `log` and `peer` are two handles on one backend (two processes);
 * for memory they are the same log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditLog, AuditQuery } from './audit-log.ts';
import { recordHash } from './chain.ts';
import { AuditInputError } from './entry-schema.ts';
import { GENESIS_HASH, type AuditEntry, type AuditRecord } from './record.ts';
import { statisticsDeltas } from './statistics.ts';
import { auditEntry, testHasher, type AuditLogPair } from './testing.ts';

/** An entry as the log receives it (subjects hashed with the test key). */
export function sampleEntry(overrides: Partial<Omit<AuditEntry, 'subjects'>> & { subjects?: string[] } = {}): AuditEntry {
  const { subjects = [], ...rest } = overrides;
  return { ...auditEntry({ at: '2026-12-06T03:00:00.000Z', agency: '000.00.20.H41', ...rest }), subjects };
}

export const subjectA = testHasher({ kind: 'personal-id', value: '001090000001' });
export const subjectB = testHasher({ kind: 'personal-id', value: '001090000002' });
export const enterprise = testHasher({ kind: 'enterprise-code', value: '0101234567' });

/** Checks seq continuity, prevHash links and every hash (the contract's own check, independent of verify.ts). */
export function assertChained(records: AuditRecord[], from: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }): void {
  let { seq, hash } = from;
  for (const record of records) {
    assert.equal(record.seq, seq + 1, 'seq continues');
    assert.equal(record.prevHash, hash, `record ${record.seq} links to its predecessor`);
    const { seq: _s, prevHash: _p, hash: _h, ...entry } = record;
    assert.equal(record.hash, recordHash(entry, record.seq, record.prevHash), `record ${record.seq}'s hash`);
    seq = record.seq;
    hash = record.hash;
  }
}

const rejectsWith = (promise: Promise<unknown>, code: string, message?: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AuditInputError, `an AuditInputError, not ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });

/** Every record of a query, page after page of `limit`. */
export async function queryAll(log: AuditLog, query: AuditQuery): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1_000; pages += 1) {
    const page = await log.query({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    all.push(...page.records);
    if (page.next === null) return all;
    cursor = page.next;
  }
  throw new Error('more than 1000 pages');
}

export function describeAuditLogContract(name: string, makeLogs: () => Promise<AuditLogPair>): void {
  const withLogs = (title: string, run: (pair: AuditLogPair) => Promise<void>) =>
    it(title, async () => {
      const pair = await makeLogs();
      try {
        await run(pair);
      } finally {
        await pair.cleanup();
      }
    });

  describe(`AuditLog contract: ${name}`, () => {
    withLogs('starts empty', async ({ log }) => {
      assert.equal(await log.head(), null);
      assert.equal(await log.firstSeq(), null);
      assert.deepEqual(await log.range(1, 10), []);
      assert.deepEqual(await log.query({ from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }), { records: [], next: null });
      assert.deepEqual(await log.checkpoints(), []);
      assert.deepEqual(await log.statistics({ fromDay: '2026-12-01', toDay: '2026-12-31' }), []);
      assert.deepEqual(await log.append([]), []);
      assert.equal(await log.head(), null);
    });

    withLogs('chains appended entries after the head, as stored, and the peer reads the same', async ({ log, peer }) => {
      const first = await log.append([sampleEntry({ action: 'a' }), sampleEntry({ action: 'b', subjects: [subjectA], details: { n: 1, ok: true, x: null } })]);
      assert.deepEqual(
        first.map((r) => [r.seq, r.action]),
        [
          [1, 'a'],
          [2, 'b'],
        ],
      );
      assert.equal(first[0]!.prevHash, GENESIS_HASH);
      const second = await peer.append([sampleEntry({ action: 'c' })]);
      assert.equal(second[0]!.seq, 3);
      assert.equal(second[0]!.prevHash, first[1]!.hash);
      const all = await log.range(1, 100);
      assert.deepEqual(all, [...first, ...second]);
      assertChained(all);
      assert.deepEqual(await peer.head(), { seq: 3, hash: second[0]!.hash });
      assert.deepEqual(await log.head(), { seq: 3, hash: second[0]!.hash });
      assert.equal(await peer.firstSeq(), 1);
      assert.deepEqual(all[1]!.details, { n: 1, ok: true, x: null });
    });

    withLogs('drops unknown keys of an entry (the record is what the schema knows)', async ({ log }) => {
      const [record] = await log.append([{ ...sampleEntry(), extra: 'x' } as AuditEntry]);
      assert.equal('extra' in record!, false);
      assertChained(await log.range(1, 10));
    });

    withLogs('answers ranges by seq', async ({ log }) => {
      await log.append(Array.from({ length: 12 }, (_, i) => sampleEntry({ action: `r${i + 1}` })));
      assert.deepEqual(
        (await log.range(5, 3)).map((r) => r.seq),
        [5, 6, 7],
      );
      assert.deepEqual(
        (await log.range(0, 2)).map((r) => r.seq),
        [1, 2],
      );
      assert.deepEqual(
        (await log.range(11, 100)).map((r) => r.seq),
        [11, 12],
      );
      assert.deepEqual(await log.range(13, 10), []);
    });

    withLogs('queries by period, agency, counterpart, kind, purpose, outcome, subject and request id, newest first', async ({ log, peer }) => {
      const at = (h: number, m = 0) => new Date(Date.UTC(2026, 11, 5, h, m)).toISOString();
      // Appended out of time order (two writers): the order is `at` descending, then seq.
      await log.append([
        sampleEntry({ at: at(1), agency: 'A', counterpartAgency: 'P', purpose: 'public-service:HS-1', subjects: [subjectA], requestId: 'r1' }),
        sampleEntry({ at: at(3), agency: 'B', counterpartAgency: 'P', purpose: 'education', outcome: 'denied', subjects: [subjectA, subjectB] }),
        sampleEntry({ at: at(2), agency: 'A', kind: 'served', source: 'national-data', requestId: 'r1', subjects: [subjectA] }),
      ]);
      await peer.append([
        sampleEntry({ at: at(2), agency: 'A', kind: 'relay', action: 'UPLOADED', counterpartAgency: 'Q', subjects: [enterprise] }),
        sampleEntry({ at: at(20), agency: 'B', purpose: 'public-service:HS-2', outcome: 'error' }), // 03:00 on Dec 6 in Vietnam
        sampleEntry({ at: at(23, 30), agency: 'A', subjects: [subjectA] }),
      ]);
      const q = (query: Partial<AuditQuery>) => log.query({ from: at(0), to: at(23, 59), ...query }).then((page) => page.records.map((r) => r.seq));
      assert.deepEqual(await q({}), [6, 5, 2, 4, 3, 1]);
      assert.deepEqual(await q({ agency: 'A' }), [6, 4, 3, 1]);
      assert.deepEqual(await q({ counterpartAgency: 'P' }), [2, 1]);
      assert.deepEqual(await q({ kind: 'served' }), [3]);
      assert.deepEqual(await q({ purpose: 'public-service' }), [5, 1]);
      assert.deepEqual(await q({ purpose: 'public-service:HS-1' }), [1]);
      assert.deepEqual(await q({ outcome: 'denied' }), [2]);
      assert.deepEqual(await q({ subject: subjectA }), [6, 2, 3, 1]);
      assert.deepEqual(await q({ subject: subjectA, agency: 'A' }), [6, 3, 1]);
      assert.deepEqual(await q({ subject: enterprise }), [4]);
      assert.deepEqual(await q({ requestId: 'r1' }), [3, 1]);
      assert.deepEqual(await q({ agency: 'nobody' }), []);
      // `from` inclusive, `to` exclusive.
      assert.deepEqual(await q({ from: at(2), to: at(3) }), [4, 3]);
      assert.deepEqual(await q({ from: at(2), to: at(3), subject: subjectA }), [3]);
      assert.deepEqual(await q({ from: at(21), to: at(23, 59), subject: subjectA }), [6]);
      const page = await log.query({ from: at(0), to: at(23, 59), agency: 'A' });
      assert.equal(page.next, null);
      assert.deepEqual(page.records[0], (await log.range(6, 1))[0]);
    });

    withLogs('pages with limit and cursor, without repeats or gaps, also among records of the same instant', async ({ log }) => {
      const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 10, 0, s)).toISOString();
      const entries = Array.from({ length: 23 }, (_, i) => sampleEntry({ at: at(i % 5), subjects: i % 2 === 0 ? [subjectB] : [], agency: 'A' }));
      await log.append(entries.slice(0, 10));
      await log.append(entries.slice(10));
      const all = (await log.range(1, 100)).sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq).map((r) => r.seq);
      for (const query of [{}, { agency: 'A' }, { subject: subjectB }]) {
        const expected = all.filter((seq) => !('subject' in query) || (seq - 1) % 2 === 0);
        const base = { from: at(0), to: at(30), ...query };
        for (const limit of [1, 2, 7, 100]) {
          const got = (await queryAll(log, { ...base, limit })).map((r) => r.seq);
          assert.deepEqual(got, expected, `limit ${limit} ${JSON.stringify(query)}`);
        }
        const first = await log.query({ ...base, limit: expected.length });
        assert.equal(first.next, null, 'no next page when the page holds the last match');
      }
      const page = await log.query({ from: at(0), to: at(30), limit: 5 });
      assert.equal(page.records.length, 5);
      assert.equal(typeof page.next, 'string');
    });

    withLogs('keeps daily statistics rollups as it appends (Vietnam days)', async ({ log, peer }) => {
      const entries = [
        sampleEntry({
          at: '2026-12-05T16:59:59.000Z',
          agency: 'A',
          system: 's1',
          service: 'national-data',
          counterpartAgency: 'P',
          personalFields: ['Citizen.fullName'],
          bytesIn: 10,
          bytesOut: 100,
        }),
        sampleEntry({
          at: '2026-12-05T17:00:00.000Z',
          agency: 'A',
          system: 's1',
          service: 'national-data',
          counterpartAgency: 'P',
          outcome: 'error',
          bytesIn: 5,
          bytesOut: 7,
        }),
        sampleEntry({
          at: '2026-12-05T18:00:00.000Z',
          agency: 'A',
          system: 's1',
          service: 'national-data',
          counterpartAgency: 'P',
          outcome: 'denied',
          personalFields: ['Citizen.fullName'],
        }),
        sampleEntry({ at: '2026-12-06T01:00:00.000Z', kind: 'relay', action: 'UPLOADED', agency: 'B', system: 'sb', service: 'ho-so', bytesIn: 1000 }),
        sampleEntry({ at: '2026-12-06T01:00:00.000Z', kind: 'relay', action: 'DELIVERED', agency: 'A', service: 'ho-so', bytesOut: 1000 }),
        sampleEntry({ at: '2026-12-06T01:00:00.000Z', kind: 'relay', action: 'EXPIRED', agency: 'B', service: 'ho-so', environment: 'test' }),
        sampleEntry({ at: '2026-12-06T01:00:00.000Z', kind: 'login', agency: 'B' }),
      ];
      await log.append(entries.slice(0, 4));
      await peer.append(entries.slice(4));
      // The expected rows, from the pure deltas.
      const expected = new Map<string, { key: Record<string, string>; counts: Record<string, number> }>();
      for (const entry of entries)
        for (const delta of statisticsDeltas(entry)) {
          const id = JSON.stringify(delta.key);
          const row = expected.get(id) ?? { key: delta.key as unknown as Record<string, string>, counts: {} };
          for (const [m, n] of Object.entries(delta.counts)) row.counts[m] = (row.counts[m] ?? 0) + n;
          expected.set(id, row);
        }
      const rows = await peer.statistics({ fromDay: '2026-12-01', toDay: '2026-12-31' });
      assert.equal(rows.length, expected.size);
      for (const row of rows) {
        const want = expected.get(JSON.stringify({ day: row.day, agency: row.agency, system: row.system, service: row.service, environment: row.environment }));
        assert.ok(want, `unexpected row ${JSON.stringify(row)}`);
        for (const [metric, n] of Object.entries(row.counts)) assert.equal(n, want.counts[metric] ?? 0, `${metric} of ${JSON.stringify(want.key)}`);
      }
      const a5 = rows.find((r) => r.day === '2026-12-05' && r.agency === 'A' && r.system === 's1')!;
      assert.deepEqual(a5.counts, {
        requests: 1,
        errors: 0,
        personalDataReads: 1,
        served: 0,
        packetsSent: 0,
        packetsReceived: 0,
        packetsFailed: 0,
        bytesIn: 10,
        bytesOut: 100,
      });
      const a6 = rows.find((r) => r.day === '2026-12-06' && r.agency === 'A' && r.system === 's1')!;
      assert.equal(a6.counts.requests, 2);
      assert.equal(a6.counts.errors, 2);
      assert.equal(a6.counts.personalDataReads, 0, 'a denied read is not a read');
      assert.equal(rows.find((r) => r.day === '2026-12-06' && r.agency === 'P')!.counts.served, 2);
      // Ordered by day, agency, system, service, environment; filters.
      const order = rows.map((r) => [r.day, r.agency, r.system, r.service, r.environment].join('|'));
      assert.deepEqual(order, [...order].sort());
      assert.deepEqual(
        (await log.statistics({ fromDay: '2026-12-06', toDay: '2026-12-06', agency: 'B' })).map((r) => [
          r.environment,
          r.counts.packetsSent,
          r.counts.packetsFailed,
        ]),
        [
          ['test', 0, 1], // system `*` sorts before `sb`
          ['production', 1, 0],
        ],
      );
      assert.deepEqual((await log.statistics({ fromDay: '2026-12-06', toDay: '2026-12-06', agency: 'B', environment: 'test' })).length, 1);
      assert.deepEqual(await log.statistics({ fromDay: '2026-12-07', toDay: '2026-12-08' }), []);
    });

    withLogs('stores checkpoints, oldest first', async ({ log, peer }) => {
      const [record] = await log.append([sampleEntry()]);
      const checkpoint = { seq: 1, hash: record!.hash, at: '2026-12-06T03:00:01.000Z', keyId: 'kid', signature: 'aaa.bbb.ccc' };
      await log.putCheckpoint(checkpoint);
      await peer.putCheckpoint({ ...checkpoint, at: '2026-12-06T03:05:00.000Z' });
      assert.deepEqual(await peer.checkpoints(), [checkpoint, { ...checkpoint, at: '2026-12-06T03:05:00.000Z' }]);
      await rejectsWith(log.putCheckpoint({ ...checkpoint, hash: 'nope' }), 'BAD_USER_INPUT', /hash/);
      await rejectsWith(log.putCheckpoint({ ...checkpoint, signature: 'not a jws' }), 'BAD_USER_INPUT', /signature/);
      assert.equal((await log.checkpoints()).length, 2);
    });

    withLogs('trims the oldest records and their index entries, keeps the head, the rollups and the numbering', async ({ log, peer }) => {
      const entries = Array.from({ length: 6 }, (_, i) => sampleEntry({ at: `2026-12-0${i + 1}T03:00:00.000Z`, subjects: [subjectA], agency: 'A' }));
      const stored = await log.append(entries);
      const statistics = await log.statistics({ fromDay: '2026-12-01', toDay: '2026-12-31' });
      assert.equal(await peer.trim(3), 3);
      assert.equal(await log.firstSeq(), 4);
      assert.deepEqual(
        (await log.range(1, 10)).map((r) => r.seq),
        [4, 5, 6],
      );
      assert.deepEqual(await log.head(), { seq: 6, hash: stored[5]!.hash });
      const period = { from: '2026-11-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
      for (const query of [{}, { subject: subjectA }, { agency: 'A' }])
        assert.deepEqual(
          (await queryAll(log, { ...period, ...query })).map((r) => r.seq),
          [6, 5, 4],
        );
      assert.deepEqual(await log.statistics({ fromDay: '2026-12-01', toDay: '2026-12-31' }), statistics, 'rollups outlive the records');
      assert.equal(await log.trim(2), 0, 'nothing left to trim there');
      const [next] = await peer.append([sampleEntry()]);
      assert.equal(next!.seq, 7);
      assert.equal(next!.prevHash, stored[5]!.hash);
      assert.equal(await log.trim(100), 4);
      assert.equal(await log.firstSeq(), null);
      assert.deepEqual(await log.head(), { seq: 7, hash: next!.hash }, 'the head survives an empty log: numbering goes on');
      assert.equal((await log.append([sampleEntry()]))[0]!.seq, 8);
    });

    withLogs('concurrent appends from two handles stay one valid chain', async ({ log, peer }) => {
      const batches = Array.from({ length: 30 }, (_, i) => Array.from({ length: 1 + (i % 4) }, (_, j) => sampleEntry({ action: `b${i}-${j}` })));
      const results = await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? log : peer).append(batch)));
      const total = batches.reduce((n, b) => n + b.length, 0);
      const all = await log.range(1, 1000);
      assert.equal(all.length, total);
      assertChained(all);
      // Each batch is stored contiguously, in order, as answered.
      for (const [i, records] of results.entries()) {
        assert.deepEqual(
          records.map((r) => r.action),
          batches[i]!.map((e) => e.action),
        );
        for (let k = 1; k < records.length; k += 1) assert.equal(records[k]!.seq, records[k - 1]!.seq + 1);
        assert.deepEqual(records, all.slice(records[0]!.seq - 1, records[0]!.seq - 1 + records.length));
      }
      assert.deepEqual(await peer.head(), { seq: total, hash: all.at(-1)!.hash });
    });

    withLogs('refuses bad input with a precise code and stores nothing', async ({ log }) => {
      await log.append([sampleEntry()]);
      await rejectsWith(log.append([sampleEntry(), sampleEntry({ at: 'yesterday' })]), 'BAD_USER_INPUT', /entries\.1\.at/);
      await rejectsWith(log.append([sampleEntry({ kind: 'nope' as never })]), 'BAD_USER_INPUT', /kind/);
      await rejectsWith(log.append([sampleEntry({ subjects: ['personal-id:001090000001'] })]), 'BAD_USER_INPUT', /subjects/);
      await rejectsWith(log.append([sampleEntry({ source: '' })]), 'BAD_USER_INPUT', /source/);
      await rejectsWith(log.append([sampleEntry({ details: { nested: {} as never } })]), 'BAD_USER_INPUT', /details/);
      await rejectsWith(log.append([{ kind: 'graphql' } as never]), 'BAD_USER_INPUT');
      await rejectsWith(log.append(Array.from({ length: 1001 }, () => sampleEntry())), 'LIMIT_EXCEEDED', /1000/);
      await rejectsWith(
        log.append([
          sampleEntry({
            fields: Array.from({ length: 2000 }, (_, i) => `T${i}.${'f'.repeat(280)}`),
            personalFields: Array.from({ length: 2000 }, (_, i) => `T${i}.${'f'.repeat(280)}`),
          }),
        ]),
        'LIMIT_EXCEEDED',
        /bytes/,
      );
      assert.equal((await log.head())!.seq, 1);
      assert.equal((await log.range(1, 10)).length, 1);
      const period = { from: '2026-12-01T00:00:00Z', to: '2026-12-31T00:00:00Z' };
      await rejectsWith(log.query({ ...period, from: '2026-12-32' }), 'INVALID_DATE', /from/);
      await rejectsWith(log.query({ ...period, to: '2026-11-01T00:00:00Z' }), 'INVALID_DATE', /after/);
      await rejectsWith(log.query({ ...period, cursor: 'forged' }), 'INVALID_CURSOR');
      await rejectsWith(log.query({ ...period, limit: 5000 }), 'LIMIT_EXCEEDED', /limit/);
      await rejectsWith(log.query({ ...period, limit: 0 }), 'BAD_USER_INPUT', /limit/);
      await rejectsWith(log.query({ ...period, kind: 'nope' as never }), 'BAD_USER_INPUT', /kind/);
      await rejectsWith(log.query({ ...period, subject: '001090000001' }), 'BAD_USER_INPUT', /subject/);
      await rejectsWith(log.query({ from: '2000-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }), 'LIMIT_EXCEEDED', /period/);
      await rejectsWith(log.statistics({ fromDay: '2026-02-30', toDay: '2026-03-01' }), 'INVALID_DATE', /fromDay/);
      await rejectsWith(log.statistics({ fromDay: '2026-03-02', toDay: '2026-03-01' }), 'INVALID_DATE', /before/);
      await rejectsWith(log.statistics({ fromDay: '2026-03-01', toDay: '2026-03-01', environment: 'staging' as never }), 'BAD_USER_INPUT', /environment/);
      await rejectsWith(log.range(-1, 10), 'BAD_USER_INPUT', /from/);
      await rejectsWith(log.range(1, 0), 'BAD_USER_INPUT', /count/);
      await rejectsWith(log.trim(-5), 'BAD_USER_INPUT', /throughSeq/);
      assert.equal((await log.range(1, 10)).length, 1);
    });
  });
}
