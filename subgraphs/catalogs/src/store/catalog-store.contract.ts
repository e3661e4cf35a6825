/** One contract for every CatalogStore adapter: the memory and Redis adapters must behave the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { CatalogStore } from './catalog-store.ts';

export interface StoreFixture {
  store: CatalogStore;
  cleanup(): Promise<void>;
}

export function describeCatalogStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`CatalogStore contract: ${name}`, () => {
    const fixture = contractFixture(makeStore);

    it('has no version of a catalog nobody published', async () => {
      const { store } = fixture;
      assert.equal(await store.currentVersion('RELIGIONS'), null);
      assert.deepEqual(await store.versions('RELIGIONS'), []);
      assert.equal(await store.versionInfo('RELIGIONS', 1), null);
      assert.equal(await store.readPayload('RELIGIONS', 1), null);
    });

    it('numbers versions 1, 2, … per catalog, keeps each one readable and moves the current pointer', async () => {
      const { store } = fixture;
      const first = await store.publish('ETHNIC_GROUPS', { source: 'test A', itemCount: 1, label: 'a', payload: [{ code: '01', name: 'Kinh' }] });
      const second = await store.publish('ETHNIC_GROUPS', {
        source: 'test B',
        itemCount: 2,
        payload: [
          { code: '01', name: 'Kinh' },
          { code: '02', name: 'Tày' },
        ],
      });
      assert.equal(first.published, true);
      assert.equal(first.info.version, 1);
      assert.equal(second.info.version, 2);
      assert.equal(second.info.label, null);
      assert.equal(await store.currentVersion('ETHNIC_GROUPS'), 2);
      assert.deepEqual(await store.readPayload('ETHNIC_GROUPS', 1), [{ code: '01', name: 'Kinh' }]);
      assert.deepEqual(await store.readPayload('ETHNIC_GROUPS', 2), [
        { code: '01', name: 'Kinh' },
        { code: '02', name: 'Tày' },
      ]);
      const infos = await store.versions('ETHNIC_GROUPS');
      assert.deepEqual(
        infos.map((v) => [v.version, v.source, v.itemCount, v.label]),
        [
          [1, 'test A', 1, 'a'],
          [2, 'test B', 2, null],
        ],
      );
      assert.ok(!Number.isNaN(Date.parse(infos[0]!.publishedAt)));
      assert.deepEqual(await store.versionInfo('ETHNIC_GROUPS', 1), infos[0]);
      // Other catalogs are independent.
      assert.equal(await store.currentVersion('COUNTRIES'), null);
    });

    it('returns a copy of the payload: changing what was read does not change the stored version', async () => {
      const { store } = fixture;
      await store.publish('AGENCIES', { source: 's', itemCount: 1, payload: { items: ['x'] } });
      const read = (await store.readPayload('AGENCIES', 1)) as { items: string[] };
      read.items.push('y');
      assert.deepEqual(await store.readPayload('AGENCIES', 1), { items: ['x'] });
    });

    it('publishes when onlyIfEmpty only into an empty catalog, once even when several publish at the same moment', async () => {
      const { store } = fixture;
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => store.publish('COUNTRIES', { source: `seed ${n}`, itemCount: n, payload: n }, { onlyIfEmpty: true })),
      );
      assert.equal(results.filter((r) => r.published).length, 1);
      const winner = results.find((r) => r.published)!;
      for (const r of results) assert.deepEqual(r.info, winner.info);
      assert.deepEqual(
        (await store.versions('COUNTRIES')).map((v) => v.version),
        [1],
      );
    });

    it('publishes when ifCurrentIs only over that current version, once even when several publish at the same moment', async () => {
      const { store } = fixture;
      const base = await store.publish('AGENCIES', { source: 'base', itemCount: 0, payload: [] });
      const before = (await store.versions('AGENCIES')).length;
      const refused = await store.publish('AGENCIES', { source: 'only into an empty one', itemCount: 0, payload: [] }, { ifCurrentIs: null });
      assert.deepEqual(refused, { info: base.info, published: false });
      const stale = await store.publish('AGENCIES', { source: 'stale', itemCount: 0, payload: [] }, { ifCurrentIs: base.info.version - 1 });
      assert.deepEqual(stale, { info: base.info, published: false });
      const results = await Promise.all(
        [1, 2, 3].map((n) => store.publish('AGENCIES', { source: `change ${n}`, itemCount: n, payload: [n] }, { ifCurrentIs: base.info.version })),
      );
      assert.equal(results.filter((r) => r.published).length, 1);
      const winner = results.find((r) => r.published)!;
      for (const r of results) assert.deepEqual(r.info, winner.info);
      assert.equal(await store.currentVersion('AGENCIES'), winner.info.version);
      assert.equal((await store.versions('AGENCIES')).length, before + 1);
      // An empty catalog: ifCurrentIs null publishes, a version number is refused.
      await assert.rejects(
        store.publish('RELIGIONS', { source: 'x', itemCount: 0, payload: [] }, { ifCurrentIs: 3 }),
        (e: unknown) => e instanceof LgspError && e.code === ErrorCode.NOT_FOUND,
      );
      assert.equal(await store.currentVersion('RELIGIONS'), null);
      const into = await store.publish('RELIGIONS', { source: 'first', itemCount: 0, payload: [] }, { ifCurrentIs: null });
      assert.equal(into.published, true);
      assert.equal(await store.currentVersion('RELIGIONS'), into.info.version);
    });

    it('can publish without making the version current, and point back to any existing version', async () => {
      const { store } = fixture;
      await store.publish('ADMINISTRATIVE_UNITS', { source: 'v1', itemCount: 0, payload: 'one' });
      const staged = await store.publish('ADMINISTRATIVE_UNITS', { source: 'v2', itemCount: 0, payload: 'two' }, { makeCurrent: false });
      assert.equal(staged.info.version, 2);
      assert.equal(await store.currentVersion('ADMINISTRATIVE_UNITS'), 1);
      await store.setCurrentVersion('ADMINISTRATIVE_UNITS', 2);
      assert.equal(await store.currentVersion('ADMINISTRATIVE_UNITS'), 2);
      await store.setCurrentVersion('ADMINISTRATIVE_UNITS', 1);
      assert.equal(await store.currentVersion('ADMINISTRATIVE_UNITS'), 1);
      await assert.rejects(store.setCurrentVersion('ADMINISTRATIVE_UNITS', 9), (e: unknown) => e instanceof LgspError && e.code === ErrorCode.NOT_FOUND);
      assert.equal(await store.currentVersion('ADMINISTRATIVE_UNITS'), 1);
    });

    it('keeps large payloads intact (a full administrative-unit list is megabytes)', async () => {
      const { store } = fixture;
      const big = Array.from({ length: 20_000 }, (_, i) => ({ code: String(i).padStart(5, '0'), name: `Xã Thử Nghiệm ${i} – Hoà/Hòa ’` }));
      const { info } = await store.publish('RELIGIONS', { source: 'big', itemCount: big.length, payload: big });
      assert.deepEqual(await store.readPayload('RELIGIONS', info.version), big);
    });
  });
}
