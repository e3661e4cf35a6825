/**
 * Runs the GrantStore contract against the memory adapter, against real Redis (two connections = two replicas) and over
 * HTTP (two HTTP adapters on a real access API server on loopback, which holds a memory store).
 */
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeGrantStoreContract, sampleGrant } from './grant-store.contract.ts';
import { createMemoryGrantStore } from './memory-grant-store.ts';
import { grantKeyPattern, grantKeys } from '../keys.ts';
import { createRedisGrantStore } from './redis-grant-store.ts';
import { createHttpGrantStore } from './http-grant-store.ts';
import { adaptersOnRedis, adaptersOverHttp } from '../testing.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeGrantStoreContract('memory', async () => {
  const store = createMemoryGrantStore();
  return { store, peer: store, cleanup: () => store.close() };
});

describeGrantStoreContract('redis', () => adaptersOnRedis(createRedisGrantStore, grantKeyPattern));

describeGrantStoreContract('http', () => adaptersOverHttp(createHttpGrantStore));

describe('Redis grant store: a stored grant that no longer reads as one', () => {
  it('grants nothing and is reported, while the other grants still apply; get still shows the fault', async () => {
    const keyPrefix = testKeyPrefix();
    const redis = await connectRedis(redisUrl);
    const reported: Array<[string, string]> = [];
    const store = createRedisGrantStore(redis, { keyPrefix, onUnreadable: (id, error) => reported.push([id, error.message]) });
    try {
      await store.put(sampleGrant('good', { consumer: '000.00.20.H41' }));
      // Written by hand (or by an older schema): not a grant any more.
      await redis.hSet(grantKeys(keyPrefix).items, 'broken', JSON.stringify({ ...sampleGrant('broken'), provider: 'not-an-agency' }));
      await redis.hSet(grantKeys(keyPrefix).items, 'garbled', '{"id": "garbled",');
      assert.deepEqual(
        (await store.list()).map((g) => g.id),
        ['good'],
      );
      assert.deepEqual(
        (await store.grantsFor('000.00.20.H41')).map((g) => g.id),
        ['good'],
      );
      assert.deepEqual(reported.map(([id]) => id).sort(), ['broken', 'broken', 'garbled', 'garbled']);
      assert.match(reported.find(([id]) => id === 'broken')![1], /provider/);
      await assert.rejects(store.get('broken'), /provider/);
      assert.equal(await store.remove('broken'), true, 'it can be revoked');
    } finally {
      await store.close();
      for await (const keys of redis.scanIterator({ MATCH: grantKeyPattern(keyPrefix), COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    }
  });
});
