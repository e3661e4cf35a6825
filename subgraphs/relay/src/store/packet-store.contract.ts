/** One contract for every PacketStore adapter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { Packet } from '../domain/types.ts';
import type { PacketStore } from './packet-store.ts';

export interface Fixture<T> {
  store: T;
  cleanup(): Promise<void>;
  /** Another process's store over the same data (a second relay replica); the store itself when there is one. */
  replica?: () => T;
}

export function samplePacket(id: string, sequence: number): Packet {
  const at = new Date(0).toISOString();
  return {
    id,
    sourceAgency: '000.00.03.H41',
    sourceSystem: 'sys-a',
    title: 'Công văn',
    priority: 'NORMAL',
    dataType: 'FILE',
    protocol: 'test',
    schemaId: null,
    policy: { deadline: at, maxAttempts: 3, acknowledgementRequired: true, notifySourceOnFailure: true, maxOfflineMs: 1000 },
    declaredBytes: 1,
    sha256: '0'.repeat(64),
    state: 'REQUESTED',
    createdAt: at,
    spaceExpiresAt: at,
    uploadAttempts: [],
    contentAttempt: null,
    contentDeleted: false,
    rejection: null,
    edxml: null,
    deliveries: [],
    documentStatuses: [],
    sequence,
  };
}

/** Due time of the packets the contract creates: after every due time the active-list test sets. */
const LATER = Number.MAX_SAFE_INTEGER;

export function describePacketStoreContract(name: string, make: () => Promise<Fixture<PacketStore>>): void {
  describe(`PacketStore contract: ${name}`, () => {
    const f = contractFixture(make);

    it('hands out increasing sequence numbers', async () => {
      const a = await f.store.nextSequence();
      const b = await f.store.nextSequence();
      assert.ok(b > a);
      const block = await f.store.nextSequence(5);
      assert.ok(block > b);
      assert.equal(await f.store.nextSequence(), block + 5, 'a block of 5 is reserved whole');
    });

    it('stores a packet with its history and reads back a copy', async () => {
      const p = samplePacket('p1', 1);
      await f.store.create(p, [{ status: 'REQUESTED', at: p.createdAt, recipient: null, detail: null }], LATER);
      const read = await f.store.get('p1');
      assert.deepEqual(read, p);
      read!.title = 'changed';
      assert.equal((await f.store.get('p1'))!.title, 'Công văn');
      await f.store.appendHistory('p1', [{ status: 'UPLOADED', at: p.createdAt, recipient: null, detail: '1 bytes' }]);
      assert.deepEqual(
        (await f.store.history('p1')).map((e) => e.status),
        ['REQUESTED', 'UPLOADED'],
      );
      assert.equal(await f.store.get('nope'), null);
      assert.deepEqual(await f.store.history('nope'), []);
    });

    it('peeks at a record as last seen, a copy, and at the current one after a change through another replica', async () => {
      const other = f.replica?.() ?? f.store;
      await f.store.create(samplePacket('p6', 6), [], LATER);
      const peeked = await f.store.peek('p6');
      assert.deepEqual(peeked, samplePacket('p6', 6));
      peeked!.title = 'changed';
      assert.equal((await f.store.peek('p6'))!.title, 'Công văn', 'a copy');
      await other.update('p6', (p) => ({ ...p, state: 'UPLOADED' }));
      // The replica that wrote it last sees its own write; one that never saw the packet reads it. (The first store
      // may still answer what it saw before: peek promises no more.)
      assert.equal((await other.peek('p6'))!.state, 'UPLOADED');
      assert.equal((await (f.replica?.() ?? f.store).peek('p6'))!.state, 'UPLOADED');
      assert.equal(await f.store.peek('nope'), null);
    });

    it('updates atomically: concurrent changes are all applied, a null change leaves the record', async () => {
      await f.store.create({ ...samplePacket('p2', 2), uploadAttempts: [] }, [], LATER);
      await Promise.all(Array.from({ length: 10 }, (_, i) => f.store.update('p2', (p) => ({ ...p, uploadAttempts: [...p.uploadAttempts, `a${i}`] }))));
      assert.equal((await f.store.get('p2'))!.uploadAttempts.length, 10);
      const unchanged = await f.store.update('p2', () => null);
      assert.equal(unchanged!.changed, false);
      assert.equal(await f.store.update('nope', (p) => p), null);
    });

    it("writes a change's history and retention with it, and nothing when there is no change", async () => {
      await f.store.create(samplePacket('p4', 4), [{ status: 'REQUESTED', at: 'x', recipient: null, detail: null }], LATER);
      const done = await f.store.update('p4', (p) => ({ ...p, state: 'UPLOADED' }), {
        history: (next) => [{ status: next.state === 'UPLOADED' ? 'UPLOADED' : 'REJECTED', at: 'y', recipient: null, detail: 'with the change' }],
      });
      assert.equal(done!.changed, true);
      assert.equal(done!.packet.state, 'UPLOADED');
      const none = await f.store.update('p4', () => null, { history: () => [{ status: 'REJECTED', at: 'z', recipient: null, detail: null }], retainMs: 1 });
      assert.equal(none!.changed, false);
      assert.equal(none!.packet.state, 'UPLOADED', 'a no-change answers the current record');
      assert.deepEqual(
        (await f.store.history('p4')).map((e) => [e.status, e.detail]),
        [
          ['REQUESTED', null],
          ['UPLOADED', 'with the change'],
        ],
      );
      await f.store.update('p4', (p) => ({ ...p, state: 'DONE' }), {
        history: () => [{ status: 'DELIVERED', at: 'z', recipient: 'r', detail: null }],
        retainMs: 30,
      });
      assert.equal((await f.store.history('p4')).length, 3);
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(await f.store.get('p4'), null, 'record expired after its retention');
      assert.deepEqual(await f.store.history('p4'), [], 'history expired with it');
    });

    it('never loses a change made through another replica, whatever each one last saw', async () => {
      const other = f.replica?.() ?? f.store;
      await f.store.create(samplePacket('p5', 5), [], LATER);
      const add = (store: PacketStore, tag: string) =>
        store.update('p5', (p) => ({ ...p, uploadAttempts: [...p.uploadAttempts, tag] }), {
          history: () => [{ status: 'UPLOADED', at: tag, recipient: null, detail: null }],
        });
      for (let i = 0; i < 5; i += 1) {
        await add(f.store, `a${i}`);
        await add(other, `b${i}`);
      }
      await Promise.all([add(f.store, 'c1'), add(other, 'c2'), add(f.store, 'c3'), add(other, 'c4')]);
      const attempts = (await f.store.get('p5'))!.uploadAttempts;
      assert.equal(attempts.length, 14);
      assert.deepEqual(attempts.slice(0, 10), ['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4']);
      assert.equal((await other.history('p5')).length, 14, 'one history event per change, none twice');
      // A change that only applies to the current record: decided on the other replica's newer record, not on a stale one.
      await other.update('p5', (p) => ({ ...p, state: 'QUEUED' }));
      const seen = await f.store.update('p5', (p) => (p.state === 'QUEUED' ? { ...p, title: 'seen the newest' } : null));
      assert.equal(seen!.changed, true);
      assert.equal((await other.get('p5'))!.title, 'seen the newest');
    });

    it('pages an inbox newest first by sequence', async () => {
      for (const seq of [5, 7, 6, 8]) await f.store.addToInbox('000.00.04.H41', `i${seq}`, seq);
      const first = await f.store.inbox('000.00.04.H41', 3, null);
      assert.deepEqual(first.ids, ['i8', 'i7', 'i6']);
      assert.equal(first.hasNextPage, true);
      const second = await f.store.inbox('000.00.04.H41', 3, first.lastSequence);
      assert.deepEqual(second.ids, ['i5']);
      assert.equal(second.hasNextPage, false);
      assert.deepEqual((await f.store.inbox('000.00.05.H41', 3, null)).ids, []);
      await f.store.removeFromInbox('000.00.04.H41', ['i8', 'i6', 'unknown']);
      assert.deepEqual((await f.store.inbox('000.00.04.H41', 10, null)).ids, ['i7', 'i5']);
    });

    it("keeps an agency's outbox from create: newest first by creation time, a time range, pages, removal", async () => {
      const sent = (id: string, sequence: number, at: string, source = '000.00.09.H41') => ({
        ...samplePacket(id, sequence),
        createdAt: at,
        sourceAgency: source,
      });
      // Created out of order (sequence 12 before 11 in time): the order is the creation time's.
      await f.store.create(sent('o1', 10, '2026-12-01T08:00:00.000Z'), [], 0);
      await f.store.create(sent('o3', 12, '2026-12-02T08:00:00.000Z'), [], 0);
      await f.store.create(sent('o2', 11, '2026-12-02T09:00:00.000Z'), [], 0);
      await f.store.create(sent('o4', 13, '2026-12-03T08:00:00.000Z'), [], 0);
      await f.store.create(sent('x1', 14, '2026-12-02T10:00:00.000Z', '000.00.08.H41'), [], 0);
      const all = { fromMs: null, toMs: null, beforeScore: null };
      const first = await f.store.outbox('000.00.09.H41', 2, all);
      assert.deepEqual(first.ids, ['o4', 'o2']);
      assert.equal(first.hasNextPage, true);
      const second = await f.store.outbox('000.00.09.H41', 2, { ...all, beforeScore: first.lastScore });
      assert.deepEqual(second.ids, ['o3', 'o1']);
      assert.equal(second.hasNextPage, false);
      // [from, to): 2 December only.
      const range = { fromMs: Date.parse('2026-12-02T00:00:00Z'), toMs: Date.parse('2026-12-03T08:00:00Z'), beforeScore: null };
      assert.deepEqual((await f.store.outbox('000.00.09.H41', 10, range)).ids, ['o2', 'o3']);
      const paged = await f.store.outbox('000.00.09.H41', 1, range);
      assert.deepEqual((await f.store.outbox('000.00.09.H41', 10, { ...range, beforeScore: paged.lastScore })).ids, ['o3']);
      assert.deepEqual((await f.store.outbox('000.00.08.H41', 10, all)).ids, ['x1']);
      assert.deepEqual((await f.store.outbox('000.00.07.H41', 10, all)).ids, []);
      await f.store.removeFromOutbox('000.00.09.H41', ['o2', 'unknown']);
      assert.deepEqual((await f.store.outbox('000.00.09.H41', 10, all)).ids, ['o4', 'o3', 'o1']);
    });

    it('lists active packets due by a time, earliest due first, and forgets removed ones', async () => {
      await f.store.setActive('a2', 2000);
      await f.store.setActive('a1', 1000);
      await f.store.setActive('a3', 3000);
      await f.store.setActive('a4', 4000);
      await f.store.removeActive('a3');
      const listed = async (dueBy: number, limit = 100) => (await f.store.activeIds(limit, dueBy)).filter((id) => /^a\d$/.test(id));
      assert.deepEqual(await listed(LATER), ['a1', 'a2', 'a4']);
      assert.deepEqual(await listed(2000), ['a1', 'a2'], 'due at the time given counts');
      assert.deepEqual(await listed(1999), ['a1']);
      assert.deepEqual(await listed(999), []);
      await f.store.setActive('a1', 5000);
      assert.deepEqual(await listed(LATER), ['a2', 'a4', 'a1'], 'set again: due at the new time');
      assert.deepEqual(await listed(4500), ['a2', 'a4']);
      assert.ok((await f.store.activeIds(100, LATER)).includes('p1'), 'a created packet is active');
    });

    it('indexes edXML documents by source agency and DocumentId', async () => {
      await f.store.indexDocument('000.00.03.H41', '000.00.03.H41,2025/01/02,1/STC', 'p1');
      assert.equal(await f.store.findDocument('000.00.03.H41', '000.00.03.H41,2025/01/02,1/STC'), 'p1');
      assert.equal(await f.store.findDocument('000.00.04.H41', '000.00.03.H41,2025/01/02,1/STC'), null);
    });

    it('lets a finished packet expire after its retention', async () => {
      await f.store.create(samplePacket('p3', 3), [{ status: 'REQUESTED', at: 'x', recipient: null, detail: null }], LATER);
      await f.store.retain('p3', 30);
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(await f.store.get('p3'), null);
      assert.deepEqual(await f.store.history('p3'), []);
    });
  });
}
