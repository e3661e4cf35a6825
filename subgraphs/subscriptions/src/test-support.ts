/** Helpers for this service's tests (never used by production code). */
import { randomUUID } from 'node:crypto';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { eventKeyPattern } from './store/keys.ts';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis client and a key prefix of its own; `cleanup` deletes every key under the prefix and disconnects. */
export async function testRedis(): Promise<{ redis: RedisClient; keyPrefix: string; cleanup(): Promise<void> }> {
  const redis = await connectRedis(redisUrl);
  const keyPrefix = `lgsp-test:${randomUUID().slice(0, 8)}:`;
  return {
    redis,
    keyPrefix,
    async cleanup() {
      for await (const keys of redis.scanIterator({ MATCH: eventKeyPattern(keyPrefix), COUNT: 500 })) {
        if (keys.length > 0) await redis.del(keys);
      }
      await redis.quit();
    },
  };
}

/** Waits until `condition` holds (a state reached by another connection), failing after `ms`. */
export async function eventually(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
