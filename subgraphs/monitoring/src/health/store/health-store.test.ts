/** The HealthStore contract on both adapters: memory, and Redis under a test key prefix (deleted after). */
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { describeHealthStoreContract } from './health-store.contract.ts';
import { healthKeyPattern } from './keys.ts';
import { createMemoryHealthStore } from './memory-health-store.ts';
import { createRedisHealthStore } from './redis-health-store.ts';

describeHealthStoreContract('memory', async () => ({ store: createMemoryHealthStore(), cleanup: async () => undefined }));

describeHealthStoreContract('redis', async () => {
  const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keyPrefix = testKeyPrefix();
  return {
    store: createRedisHealthStore(redis, { keyPrefix }),
    async cleanup() {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: healthKeyPattern(keyPrefix), COUNT: 1000 })) keys.push(...batch);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
});
