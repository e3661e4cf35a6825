import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { describeCatalogStoreContract } from './catalog-store.contract.ts';
import { createMemoryCatalogStore } from './memory-catalog-store.ts';
import { createRedisCatalogStore } from './redis-catalog-store.ts';
import { catalogKeyPattern } from './keys.ts';

describeCatalogStoreContract('memory', async () => ({ store: createMemoryCatalogStore(), cleanup: async () => undefined }));

describeCatalogStoreContract('redis', async () => {
  const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keyPrefix = testKeyPrefix();
  return {
    store: createRedisCatalogStore(redis, { keyPrefix }),
    async cleanup() {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: catalogKeyPattern(keyPrefix), COUNT: 100 })) keys.push(...batch);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
});
