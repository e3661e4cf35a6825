/**
 * The RegistryStore contract for the maintenance collections (windows, incidents), on the memory and Redis adapters:
 * empty at first, written at revision 1, replaced only over the revision read, versions moving per collection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectRedis } from '@lgsp/kit';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import { testKeyPrefix } from '@lgsp/kit/testing';
import type { Incident, MaintenanceWindow } from '../domain/maintenance/model.ts';
import { registryKeyPattern } from './keys.ts';
import { createMemoryRegistryStore } from './memory-registry-store.ts';
import { createRedisRegistryStore } from './redis-registry-store.ts';
import type { StoreFixture } from './registry-store.contract.ts';

const at = '2026-12-07T02:00:00.000Z';
const window = (id: string, summary = 'Nâng cấp'): MaintenanceWindow => ({
  id,
  startsAt: '2026-12-09T15:00:00.000Z',
  endsAt: '2026-12-09T17:00:00.000Z',
  summary,
  reason: 'Nâng cấp Redis',
  affectedServices: [],
  emergency: false,
  announcedAt: at,
  announcedBy: 'operator.lgsp',
  cancelledAt: null,
  endedEarlyAt: null,
  cancelReason: null,
  startAnnounced: false,
  endAnnounced: false,
  revision: 0,
  createdAt: at,
  updatedAt: at,
});
const incident = (id: string): Incident => ({
  id,
  summary: 'Mất kết nối',
  affectedAgencies: ['000.00.04.H41'],
  affectedServices: [],
  startedAt: at,
  expectedFixAt: null,
  recordedBy: 'operator.lgsp',
  resolvedAt: null,
  resolution: null,
  revision: 0,
  createdAt: at,
  updatedAt: at,
});

function describeMaintenanceContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`RegistryStore maintenance collections: ${name}`, () => {
    const fixture = contractFixture(makeStore);

    it('keeps windows and incidents with revisions, versions and all-or-nothing commits', async () => {
      const { store } = fixture;
      assert.deepEqual(await store.list('maintenanceWindows'), []);
      assert.equal(await store.version('incidents'), 0);
      const written = await store.commit([
        { collection: 'maintenanceWindows', record: window('mw-b'), expectedRevision: 0 },
        { collection: 'maintenanceWindows', record: window('mw-a'), expectedRevision: 0 },
        { collection: 'incidents', record: incident('inc-1'), expectedRevision: 0 },
      ]);
      assert.deepEqual(written, { committed: true, revisions: [1, 1, 1] });
      assert.deepEqual(
        (await store.list('maintenanceWindows')).map((w) => [w.id, w.revision]),
        [
          ['mw-a', 1],
          ['mw-b', 1],
        ],
      );
      assert.deepEqual((await store.get('incidents', 'inc-1'))?.affectedAgencies, ['000.00.04.H41']);
      assert.equal(await store.version('maintenanceWindows'), 1);
      assert.equal(await store.version('agencies'), 0);
      const stale = await store.commit([
        { collection: 'incidents', record: incident('inc-2'), expectedRevision: 0 },
        { collection: 'maintenanceWindows', record: window('mw-a', 'stale'), expectedRevision: 0 },
      ]);
      assert.deepEqual(stale, { committed: false, conflict: { collection: 'maintenanceWindows', key: 'mw-a' } });
      assert.equal(await store.get('incidents', 'inc-2'), null);
      const moved = await store.commit([{ collection: 'maintenanceWindows', record: window('mw-a', 'Đổi giờ'), expectedRevision: 1 }]);
      assert.deepEqual(moved, { committed: true, revisions: [2] });
      assert.equal((await store.get('maintenanceWindows', 'mw-a'))?.summary, 'Đổi giờ');
      assert.equal(await store.version('maintenanceWindows'), 2);
      assert.equal(await store.version('incidents'), 1);
    });
  });
}

describeMaintenanceContract('memory', async () => ({ store: createMemoryRegistryStore(), cleanup: async () => undefined }));

describeMaintenanceContract('redis', async () => {
  const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keyPrefix = testKeyPrefix();
  return {
    store: createRedisRegistryStore(redis, { keyPrefix }),
    async cleanup() {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: registryKeyPattern(keyPrefix), COUNT: 100 })) keys.push(...batch);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
});
