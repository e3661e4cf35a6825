/** One contract for every DeliveryQueue adapter (Redis Streams consumer-group semantics). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { DeliveryQueue } from './delivery-queue.ts';
import type { Fixture } from './packet-store.contract.ts';

export function describeDeliveryQueueContract(name: string, make: () => Promise<Fixture<DeliveryQueue>>): void {
  describe(`DeliveryQueue contract: ${name}`, () => {
    const f = contractFixture(make);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('hands out HIGH before NORMAL before LOW, each entry once', async () => {
      await f.store.enqueue('D1', 'LOW', 'low-1');
      await f.store.enqueue('D1', 'NORMAL', 'normal-1');
      await f.store.enqueue('D1', 'HIGH', 'high-1');
      await f.store.enqueue('D1', 'HIGH', 'high-2');
      const first = await f.store.readNew('D1', 'c1', 3);
      assert.deepEqual(
        first.map((e) => e.packetId),
        ['high-1', 'high-2', 'normal-1'],
      );
      const second = await f.store.readNew('D1', 'c2', 10);
      assert.deepEqual(
        second.map((e) => [e.packetId, e.priority]),
        [['low-1', 'LOW']],
      );
      assert.deepEqual(await f.store.readNew('D1', 'c1', 10), []);
      assert.equal(await f.store.depth('D1'), 4);
      assert.ok((await f.store.destinations()).includes('D1'));
    });

    it('redelivers entries left unacknowledged, to another consumer, and never acknowledged ones again', async () => {
      const entry = await f.store.enqueue('D2', 'NORMAL', 'p');
      const [read] = await f.store.readNew('D2', 'c1', 1);
      assert.equal(read!.id, entry.id);
      assert.deepEqual(await f.store.reclaim('D2', 'c2', 60_000, 10), []);
      await sleep(30);
      const again = await f.store.reclaim('D2', 'c2', 10, 10);
      assert.deepEqual(
        again.map((e) => e.packetId),
        ['p'],
      );
      await f.store.ack('D2', again[0]!);
      await f.store.ack('D2', again[0]!); // idempotent
      await sleep(30);
      assert.deepEqual(await f.store.reclaim('D2', 'c3', 10, 10), []);
      assert.equal(await f.store.depth('D2'), 0);
    });

    it('never hands out an entry acknowledged before it was read, and counts what is left', async () => {
      const x = await f.store.enqueue('D3', 'NORMAL', 'x');
      await f.store.enqueue('D3', 'NORMAL', 'y');
      await f.store.ack('D3', x);
      await f.store.ack('D3', x);
      assert.equal(await f.store.depth('D3'), 1);
      const read = await f.store.readNew('D3', 'c1', 10);
      assert.deepEqual(
        read.map((e) => e.packetId),
        ['y'],
      );
      assert.equal(await f.store.depth('D3'), 1, 'read and not acknowledged still counts');
      await f.store.ack('D3', read[0]!);
      assert.equal(await f.store.depth('D3'), 0);
      assert.deepEqual(await f.store.readNew('D3', 'c1', 10), []);
    });

    it('hands ready packets out HIGH first, oldest first, each to one taker only', async () => {
      await f.store.ready('D9', 'LOW', 'low-5', 5);
      await f.store.ready('D9', 'NORMAL', 'normal-7', 7);
      await f.store.ready('D9', 'HIGH', 'high-9', 9);
      await f.store.ready('D9', 'NORMAL', 'normal-6', 6);
      await f.store.ready('D9', 'HIGH', 'high-8', 8);
      await f.store.ready('D9', 'NORMAL', 'gone-1', 1);
      await f.store.notReady('D9', 'gone-1');
      await f.store.notReady('D9', 'never-ready');
      assert.deepEqual(await f.store.takeReady('D9', 3), ['high-8', 'high-9', 'normal-6']);
      const [a, b] = await Promise.all([f.store.takeReady('D9', 1), f.store.takeReady('D9', 1)]);
      assert.deepEqual([...a!, ...b!].sort(), ['low-5', 'normal-7'], 'two takers at once get different packets');
      assert.deepEqual(await f.store.takeReady('D9', 10), []);
      assert.deepEqual(await f.store.takeReady('D8', 10), [], 'another destination has its own list');
      // Ready again (a redelivery) after being taken.
      await f.store.ready('D9', 'LOW', 'low-5', 5);
      assert.deepEqual(await f.store.takeReady('D9', 0), []);
      assert.deepEqual(await f.store.takeReady('D9', 5), ['low-5']);
    });

    it('restarts the idle time of an entry that is touched', async () => {
      const entry = await f.store.enqueue('D3', 'HIGH', 'p');
      await f.store.readNew('D3', 'c1', 1);
      await sleep(60);
      await f.store.touch('D3', entry, 'c1');
      assert.deepEqual(await f.store.reclaim('D3', 'c2', 50, 10), []);
    });
  });
}
