/** One contract for every AgencySlots adapter: the memory and Redis adapters must behave the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { AgencySlots, Lease } from './limits.ts';

export interface AgencySlotsFixture {
  store: AgencySlots;
  /** A second store on the same backend (another replica), or the same store for the memory adapter. */
  peer: AgencySlots;
  cleanup(): Promise<void>;
}

export function describeAgencySlotsContract(name: string, makeSlots: () => Promise<AgencySlotsFixture>): void {
  describe(`AgencySlots contract: ${name}`, () => {
    const fixture = contractFixture(makeSlots);

    it('hands out slots up to the limit, counted per agency and per kind', async () => {
      const { store } = fixture;
      assert.ok(await store.acquire('connections', 'A', 2));
      assert.ok(await store.acquire('connections', 'A', 2));
      assert.equal(await store.acquire('connections', 'A', 2), undefined);
      assert.ok(await store.acquire('subscriptions', 'A', 2), 'another kind has its own count');
      assert.ok(await store.acquire('connections', 'B', 2), 'another agency has its own count');
      assert.equal(await store.count('connections', 'A'), 2);
      assert.equal(await store.count('subscriptions', 'A'), 1);
      assert.equal(await store.count('connections', 'nobody'), 0);
    });

    it('gives a slot back on release, once however often release is called', async () => {
      const { store } = fixture;
      const lease = await store.acquire('connections', 'C', 1);
      assert.ok(lease);
      assert.equal(await store.acquire('connections', 'C', 1), undefined);
      lease.release();
      lease.release();
      assert.ok(await store.acquire('connections', 'C', 1));
      assert.equal(await store.acquire('connections', 'C', 1), undefined, 'the second release freed nothing more');
      assert.equal(await store.count('connections', 'C'), 1);
    });

    it("counts a peer's slots against the same limit, and a slot it releases is free for the store", async () => {
      const { store, peer } = fixture;
      assert.ok(await store.acquire('subscriptions', 'D', 2));
      const peers = await peer.acquire('subscriptions', 'D', 2);
      assert.ok(peers);
      assert.equal(await store.acquire('subscriptions', 'D', 2), undefined);
      assert.equal(await peer.acquire('subscriptions', 'D', 2), undefined);
      assert.equal(await store.count('subscriptions', 'D'), 2);
      peers.release();
      // The release reaches the backend on its own (another connection for Redis): the store sees it once it has.
      let again: Lease | undefined;
      for (let tries = 0; again === undefined && tries < 200; tries += 1) {
        again = await store.acquire('subscriptions', 'D', 2);
        if (again === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.ok(again, 'the released slot is free again');
      assert.equal(await store.count('subscriptions', 'D'), 2);
    });

    it('never hands out more than the limit to concurrent requests from both', async () => {
      const { store, peer } = fixture;
      const asked = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : peer).acquire('connections', 'E', 7));
      const leases = (await Promise.all(asked)).filter((lease) => lease !== undefined);
      assert.equal(leases.length, 7);
      assert.equal(await store.count('connections', 'E'), 7);
    });

    it('hands out nothing once closed; releasing after close is harmless', async () => {
      const { store } = fixture;
      const lease = await store.acquire('connections', 'F', 3);
      assert.ok(lease);
      await store.close();
      assert.equal(await store.acquire('connections', 'F', 3), undefined);
      lease.release();
      await store.close();
    });
  });
}
