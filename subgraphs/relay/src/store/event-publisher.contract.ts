/** One contract for every EventPublisher adapter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { EventPublisher } from './event-publisher.ts';
import type { Fixture } from './packet-store.contract.ts';

export function describeEventPublisherContract(name: string, make: () => Promise<Fixture<EventPublisher>>): void {
  describe(`EventPublisher contract: ${name}`, () => {
    const f = contractFixture(make);

    it('keeps events per topic and agency in order, with distinct ids', async () => {
      const a = await f.store.publish('packet-available', 'A', { packetId: '1' });
      const b = await f.store.publish('packet-available', 'A', { packetId: '2' });
      await f.store.publish('packet-available', 'B', { packetId: '3' });
      await f.store.publish('packet-status', 'A', { packetId: '1', status: 'QUEUED' });
      assert.notEqual(a, b);
      assert.deepEqual((await f.store.recent('packet-available', 'A', 10)).map((e) => [e.id, e.fields.packetId]), [[a, '1'], [b, '2']]);
      assert.deepEqual((await f.store.recent('packet-available', 'A', 1)).map((e) => e.fields.packetId), ['2']);
      assert.deepEqual(await f.store.recent('document-status', 'A', 10), []);
    });
  });
}
