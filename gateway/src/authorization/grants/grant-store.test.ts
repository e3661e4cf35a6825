/** Runs the GrantStore contract against the memory adapter and against real Redis (two connections = two replicas). */
import { connectRedis } from '@lgsp/kit';
import { randomUUID } from 'node:crypto';
import { describeGrantStoreContract } from './grant-store.contract.ts';
import { createMemoryGrantStore } from './memory-grant-store.ts';
import { createRedisGrantStore, grantKeyPattern } from './redis-grant-store.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeGrantStoreContract('memory', async () => {
  const store = createMemoryGrantStore();
  return { store, peer: store, cleanup: () => store.close() };
});

describeGrantStoreContract('redis', async () => {
  const keyPrefix = `lgsp-test-${randomUUID()}:`;
  const a = await connectRedis(redisUrl);
  const b = await connectRedis(redisUrl);
  const store = createRedisGrantStore(a, { keyPrefix });
  const peer = createRedisGrantStore(b, { keyPrefix });
  return {
    store,
    peer,
    async cleanup() {
      await store.close();
      await peer.close();
      for await (const keys of a.scanIterator({ MATCH: grantKeyPattern(keyPrefix), COUNT: 100 })) if (keys.length > 0) await a.del(keys);
      await a.quit();
      await b.quit();
    },
  };
});
