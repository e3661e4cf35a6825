import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { describeRegistryStoreContract } from './registry-store.contract.ts';
import { createMemoryRegistryStore } from './memory-registry-store.ts';
import { createRedisRegistryStore } from './redis-registry-store.ts';
import { registryKeyPattern } from './keys.ts';

describeRegistryStoreContract('memory', async () => ({ store: createMemoryRegistryStore(), cleanup: async () => undefined }));

describeRegistryStoreContract('redis', async () => {
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
