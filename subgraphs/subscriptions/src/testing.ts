/** Helpers for this service's tests (never used by production code). */
import { eventKeyPattern } from '@lgsp/events';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis client and a key prefix of its own; `cleanup` deletes every key under the prefix and disconnects. */
export async function testRedis(): Promise<{ redis: RedisClient; keyPrefix: string; cleanup(): Promise<void> }> {
  const redis = await connectRedis(redisUrl);
  const keyPrefix = testKeyPrefix();
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

/** What `POST /internal/events` counted so far, read from the service's `/metrics`. */
export async function publishCounts(origin: string): Promise<{ published: number; refused: number; failed: number; events: number }> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const sample = (name: string, outcome?: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && (outcome === undefined || l.includes(`outcome="${outcome}"`)));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    published: sample('lgsp_subscriptions_publish_requests_total', 'published'),
    refused: sample('lgsp_subscriptions_publish_requests_total', 'refused'),
    failed: sample('lgsp_subscriptions_publish_requests_total', 'failed'),
    events: sample('lgsp_subscriptions_posted_events_total'),
  };
}
