/** One contract for every GrantStore adapter: the memory and Redis adapters must behave the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { Grant } from './grant.ts';
import type { GrantStore } from './grant-store.ts';

export interface GrantStoreFixture {
  store: GrantStore;
  /** A second store on the same backend (another replica), or the same store for the memory adapter. */
  peer: GrantStore;
  cleanup(): Promise<void>;
}

export const sampleGrant = (id: string, overrides: Partial<Grant> = {}): Grant => ({
  id,
  provider: '000.00.02.H41',
  consumer: '000.00.20.H41',
  service: 'national-data',
  fieldSets: ['national-data.citizen.basic'],
  purposes: ['public-service'],
  validFrom: '2025-07-01T00:00:00+07:00',
  ...overrides,
});

/** Resolves at the next change notification the store delivers. */
async function nextChange(store: GrantStore): Promise<{ seen: Promise<void>; stop: () => Promise<void> }> {
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  const stop = await store.subscribe(() => resolve());
  return { seen, stop };
}

export function describeGrantStoreContract(name: string, makeStore: () => Promise<GrantStoreFixture>): void {
  describe(`GrantStore contract: ${name}`, () => {
    const fixture = contractFixture(makeStore);

    it('starts empty', async () => {
      assert.deepEqual(await fixture.store.list(), []);
      assert.equal(await fixture.store.get('nope'), null);
      assert.deepEqual(await fixture.store.grantsFor('000.00.20.H41'), []);
    });

    it('puts, reads back, lists in id order and replaces by id', async () => {
      const { store } = fixture;
      await store.put(sampleGrant('b', { rowCondition: { residentOfWard: '16690' } }));
      await store.put(sampleGrant('a', { validTo: '2026-01-01T00:00:00Z', basis: 'test' }));
      assert.deepEqual(await store.get('b'), sampleGrant('b', { rowCondition: { residentOfWard: '16690' } }));
      assert.deepEqual(
        (await store.list()).map((g) => g.id),
        ['a', 'b'],
      );
      await store.put(sampleGrant('a', { purposes: ['*'] }));
      assert.deepEqual((await store.get('a'))?.purposes, ['*']);
      assert.equal((await store.get('a'))?.validTo, undefined);
    });

    it('grantsFor: the agency own grants and the grants to every agency, not others', async () => {
      const { store } = fixture;
      await store.put(sampleGrant('c', { consumer: '*', fieldSets: ['national-data.enterprise.basic'], purposes: ['*'] }));
      await store.put(sampleGrant('d', { consumer: '000.00.03.H41' }));
      assert.deepEqual(
        (await store.grantsFor('000.00.20.H41')).map((g) => g.id),
        ['a', 'b', 'c'],
      );
      assert.deepEqual(
        (await store.grantsFor('000.00.03.H41')).map((g) => g.id),
        ['c', 'd'],
      );
    });

    it('keeps the environment and the quota of a grant', async () => {
      const { store, peer } = fixture;
      const test = sampleGrant('registry.AR-1.test', { environment: 'test', quota: { requests: 10, perSeconds: 60 }, basis: 'access request AR-1' });
      await store.put(test);
      assert.deepEqual(await peer.get(test.id), test);
      assert.equal(await store.remove(test.id), true);
    });

    it('refuses invalid grants with a message naming the problem', async () => {
      await assert.rejects(fixture.store.put(sampleGrant('bad', { fieldSets: ['catalogs.x'] })), /not a field set of service national-data/);
      await assert.rejects(fixture.store.put(sampleGrant('bad', { environment: 'staging' as never })), /environment: must be production or test/);
      await assert.rejects(fixture.store.put(sampleGrant('bad', { quota: { requests: 0, perSeconds: 60 } })), /quota\.requests/);
      await assert.rejects(fixture.store.put(sampleGrant('bad', { quota: { requests: 5 } as never })), /quota\.perSeconds/);
      await assert.rejects(fixture.store.put(sampleGrant('bad', { consumer: 'police' })), /agency code/);
      await assert.rejects(fixture.store.put(sampleGrant('bad', { validTo: '2025-01-01T00:00:00Z' })), /validTo: must be after validFrom/);
      assert.equal(await fixture.store.get('bad'), null);
    });

    it('removes; removing twice says it was not there', async () => {
      assert.equal(await fixture.store.remove('d'), true);
      assert.equal(await fixture.store.remove('d'), false);
      assert.equal(await fixture.store.get('d'), null);
    });

    it('the version changes with every change, and every store on the backend is notified', async () => {
      const { store, peer } = fixture;
      const before = await store.version();
      const change = await nextChange(peer);
      await store.put(sampleGrant('e'));
      await change.seen;
      await change.stop();
      const afterPut = await peer.version();
      assert.notEqual(afterPut, before);
      const removal = await nextChange(peer);
      await store.remove('e');
      await removal.seen;
      await removal.stop();
      assert.notEqual(await peer.version(), afterPut);
      // The peer reads what the store wrote.
      assert.deepEqual(
        (await peer.list()).map((g) => g.id),
        (await store.list()).map((g) => g.id),
      );
    });

    it('putAll at the current version writes every grant as one change: the version goes up by one, peers are notified', async () => {
      const { store, peer } = fixture;
      const version = await store.version();
      const change = await nextChange(peer);
      const grants = [sampleGrant('a', { purposes: ['education'] }), sampleGrant('f'), sampleGrant('g', { consumer: '*' })];
      assert.equal(await store.putAll(grants, version), true);
      await change.seen;
      await change.stop();
      assert.equal(await peer.version(), version + 1);
      for (const grant of grants) assert.deepEqual(await peer.get(grant.id), grant);
    });

    it('putAll writes nothing when the version moved on, or when one grant is invalid; an empty list changes nothing', async () => {
      const { store, peer } = fixture;
      const readAt = await store.version();
      await peer.put(sampleGrant('h')); // another replica's change, after `readAt` was read
      const current = await store.list();
      assert.equal(await store.putAll([sampleGrant('a'), sampleGrant('i')], readAt), false);
      await assert.rejects(store.putAll([sampleGrant('i'), sampleGrant('bad', { consumer: 'police' })], readAt + 1), /agency code/);
      assert.equal(await store.putAll([], readAt + 1), true);
      assert.equal(await store.putAll([], readAt), false);
      assert.deepEqual(await store.list(), current);
      assert.equal(await store.version(), readAt + 1);
    });

    it('removeIfVersion: stale when the version moved on (nothing deleted), absent when there is no such grant, else removed', async () => {
      const { store, peer } = fixture;
      const readAt = await store.version();
      await peer.put(sampleGrant('j'));
      assert.equal(await store.removeIfVersion('h', readAt), 'stale');
      assert.deepEqual(await store.get('h'), sampleGrant('h'));
      assert.equal(await store.removeIfVersion('nope', readAt + 1), 'absent');
      assert.equal(await store.version(), readAt + 1);
      const change = await nextChange(peer);
      assert.equal(await store.removeIfVersion('h', readAt + 1), 'removed');
      await change.seen;
      await change.stop();
      assert.equal(await peer.get('h'), null);
      assert.equal(await peer.version(), readAt + 2);
    });
  });
}
