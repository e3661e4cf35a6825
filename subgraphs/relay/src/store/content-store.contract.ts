/** One contract for every PacketContentStore adapter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { PacketContentStore } from './content-store.ts';
import type { Fixture } from './packet-store.contract.ts';

export function describeContentStoreContract(
  name: string,
  make: () => Promise<Fixture<PacketContentStore> & { keysOf(packetId: string): Promise<number> }>,
): void {
  describe(`PacketContentStore contract: ${name}`, () => {
    const f = contractFixture(make);
    const later = () => Date.now() + 60_000;

    it('keeps binary chunks per attempt exactly, with their meta', async () => {
      const bytes = Buffer.from([0, 255, 13, 10, 0, 128]);
      await f.store.putChunk('c1', 'a', 0, bytes, later());
      await f.store.putChunk('c1', 'a', 1, Buffer.alloc(0), later());
      await f.store.putChunk('c1', 'b', 0, Buffer.from('other'), later());
      assert.equal(await f.store.getMeta('c1', 'a'), null);
      await f.store.putMeta('c1', 'a', { wrappedKey: 'k', masterKeyId: 'm', chunkCount: 2, bytes: 6 });
      assert.deepEqual(await f.store.getMeta('c1', 'a'), { wrappedKey: 'k', masterKeyId: 'm', chunkCount: 2, bytes: 6 });
      assert.deepEqual(await f.store.getChunk('c1', 'a', 0), bytes);
      assert.deepEqual(await f.store.getChunk('c1', 'a', 1), Buffer.alloc(0));
      assert.deepEqual(await f.store.getChunk('c1', 'b', 0), Buffer.from('other'));
      assert.equal(await f.store.getChunk('c1', 'a', 2), null);
      assert.deepEqual(await f.store.getStart('c1', 'a'), { meta: { wrappedKey: 'k', masterKeyId: 'm', chunkCount: 2, bytes: 6 }, first: bytes });
      assert.deepEqual(await f.store.getStart('c1', 'b'), { meta: null, first: Buffer.from('other') });
      assert.deepEqual(await f.store.getStart('c1', 'none'), { meta: null, first: null });
    });

    it('writes the last chunk and the meta at once', async () => {
      await f.store.putChunk('c2', 'a', 0, Buffer.from('đầu'), later());
      await f.store.putLast('c2', 'a', 1, Buffer.from([1, 2, 0]), { wrappedKey: 'k2', masterKeyId: 'm', chunkCount: 2, bytes: 9 }, later());
      assert.deepEqual(await f.store.getStart('c2', 'a'), { meta: { wrappedKey: 'k2', masterKeyId: 'm', chunkCount: 2, bytes: 9 }, first: Buffer.from('đầu') });
      assert.deepEqual(await f.store.getChunk('c2', 'a', 1), Buffer.from([1, 2, 0]));
      await f.store.putLast('c2', 'only', 0, Buffer.from('one'), { wrappedKey: 'k3', masterKeyId: 'm', chunkCount: 1, bytes: 3 }, later());
      assert.deepEqual(await f.store.getStart('c2', 'only'), {
        meta: { wrappedKey: 'k3', masterKeyId: 'm', chunkCount: 1, bytes: 3 },
        first: Buffer.from('one'),
      });
      await f.store.delete('c2', 'a');
      await f.store.delete('c2', 'only');
      assert.deepEqual(await f.store.getStart('c2', 'only'), { meta: null, first: null });
      assert.equal(await f.store.getChunk('c2', 'a', 1), null);
    });

    it('deletes an attempt entirely and idempotently', async () => {
      await f.store.delete('c1', 'a');
      await f.store.delete('c1', 'a');
      assert.equal(await f.store.getChunk('c1', 'a', 0), null);
      assert.equal(await f.store.getMeta('c1', 'a'), null);
      assert.deepEqual(await f.store.getChunk('c1', 'b', 0), Buffer.from('other'));
      await f.store.delete('c1', 'b');
      assert.equal(await f.keysOf('c1'), 0);
    });

    it('lets content expire on its own at the given instant', async () => {
      await f.store.putChunk('c2', 'a', 0, Buffer.from('x'), Date.now() + 40);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(await f.store.getChunk('c2', 'a', 0), null);
      assert.equal(await f.keysOf('c2'), 0);
    });
  });
}
