/** One contract for every PacketStore adapter. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Packet } from '../domain/types.ts';
import type { PacketStore } from './packet-store.ts';

export interface Fixture<T> {
  store: T;
  cleanup(): Promise<void>;
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

export function describePacketStoreContract(name: string, make: () => Promise<Fixture<PacketStore>>): void {
  describe(`PacketStore contract: ${name}`, () => {
    let f: Fixture<PacketStore>;
    before(async () => {
      f = await make();
    });
    after(async () => {
      await f.cleanup();
    });

    it('hands out increasing sequence numbers', async () => {
      const a = await f.store.nextSequence();
      const b = await f.store.nextSequence();
      assert.ok(b > a);
    });

    it('stores a packet with its history and reads back a copy', async () => {
      const p = samplePacket('p1', 1);
      await f.store.create(p, [{ status: 'REQUESTED', at: p.createdAt, recipient: null, detail: null }]);
      const read = await f.store.get('p1');
      assert.deepEqual(read, p);
      read!.title = 'changed';
      assert.equal((await f.store.get('p1'))!.title, 'Công văn');
      await f.store.appendHistory('p1', [{ status: 'UPLOADED', at: p.createdAt, recipient: null, detail: '1 bytes' }]);
      assert.deepEqual((await f.store.history('p1')).map((e) => e.status), ['REQUESTED', 'UPLOADED']);
      assert.equal(await f.store.get('nope'), null);
      assert.deepEqual(await f.store.history('nope'), []);
    });

    it('updates atomically: concurrent changes are all applied, a null change leaves the record', async () => {
      await f.store.create({ ...samplePacket('p2', 2), uploadAttempts: [] }, []);
      await Promise.all(Array.from({ length: 10 }, (_, i) => f.store.update('p2', (p) => ({ ...p, uploadAttempts: [...p.uploadAttempts, `a${i}`] }))));
      assert.equal((await f.store.get('p2'))!.uploadAttempts.length, 10);
      const unchanged = await f.store.update('p2', () => null);
      assert.equal(unchanged!.changed, false);
      assert.equal(await f.store.update('nope', (p) => p), null);
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
    });

    it('lists active packets earliest due first and forgets removed ones', async () => {
      await f.store.setActive('a2', 2000);
      await f.store.setActive('a1', 1000);
      await f.store.setActive('a3', 3000);
      await f.store.removeActive('a3');
      assert.deepEqual(await f.store.activeIds(10), ['a1', 'a2']);
      await f.store.setActive('a1', 5000);
      assert.deepEqual(await f.store.activeIds(10), ['a2', 'a1']);
    });

    it('indexes edXML documents by source agency and DocumentId', async () => {
      await f.store.indexDocument('000.00.03.H41', '000.00.03.H41,2025/01/02,1/STC', 'p1');
      assert.equal(await f.store.findDocument('000.00.03.H41', '000.00.03.H41,2025/01/02,1/STC'), 'p1');
      assert.equal(await f.store.findDocument('000.00.04.H41', '000.00.03.H41,2025/01/02,1/STC'), null);
    });

    it('lets a finished packet expire after its retention', async () => {
      await f.store.create(samplePacket('p3', 3), [{ status: 'REQUESTED', at: 'x', recipient: null, detail: null }]);
      await f.store.retain('p3', 30);
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(await f.store.get('p3'), null);
      assert.deepEqual(await f.store.history('p3'), []);
    });
  });
}
