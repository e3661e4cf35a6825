/** Runs every store contract against the memory and the Redis adapters (the event publishers' is @lgsp/events'). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { describeContentStoreContract } from './content-store.contract.ts';
import { describeDeliveryQueueContract } from './delivery-queue.contract.ts';
import { relayKeys } from './keys.ts';
import { createMemoryContentStore } from './memory-content-store.ts';
import { createMemoryDeliveryQueue } from './memory-delivery-queue.ts';
import { createMemoryPacketStore } from './memory-packet-store.ts';
import { createMemoryPresenceStore } from './memory-presence-store.ts';
import { describePacketStoreContract } from './packet-store.contract.ts';
import { describePresenceStoreContract } from './presence-store.contract.ts';
import { createRedisContentStore } from './redis-content-store.ts';
import { createRedisDeliveryQueue } from './redis-delivery-queue.ts';
import { createRedisPacketStore } from './redis-packet-store.ts';
import { createRedisPresenceStore } from './redis-presence-store.ts';

const none = async () => undefined;

async function scan(redis: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 500 })) keys.push(...batch);
  return keys;
}

/** A Redis connection on a fresh prefix; cleanup deletes every key under it. */
async function onRedis<T>(build: (redis: RedisClient, keyPrefix: string) => T, extra?: (redis: RedisClient, keyPrefix: string) => object) {
  const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keyPrefix = testKeyPrefix();
  return {
    store: build(redis, keyPrefix),
    ...(extra?.(redis, keyPrefix) ?? {}),
    async cleanup() {
      const keys = await scan(redis, `${keyPrefix}*`);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
}

describePacketStoreContract('memory', async () => ({ store: createMemoryPacketStore(), cleanup: none }));

describe('redis packet store: inbox bound', () => {
  it('keeps the newest inboxMaxEntries entries of an inbox, trimmed now and then', async () => {
    const f = await onRedis((r, keyPrefix) => createRedisPacketStore(r, { keyPrefix, inboxMaxEntries: 3 }));
    try {
      for (let sequence = 1; sequence <= 128; sequence += 1) await f.store.addToInbox('000.00.04.H41', `i${sequence}`, sequence);
      assert.deepEqual((await f.store.inbox('000.00.04.H41', 10, null)).ids, ['i128', 'i127', 'i126']);
    } finally {
      await f.cleanup();
    }
  });
});
describePacketStoreContract('redis', () =>
  onRedis(
    (r, keyPrefix) => createRedisPacketStore(r, { keyPrefix }),
    // A second relay process: its own store (and memory of revisions) over the same keys.
    (r, keyPrefix) => ({ replica: () => createRedisPacketStore(r, { keyPrefix }) }),
  ),
);

describeContentStoreContract('memory', async () => {
  const store = createMemoryContentStore();
  // The memory adapter holds nothing else: its attempt count for a packet is all there is.
  return { store, cleanup: none, keysOf: async () => store.size() };
});
describeContentStoreContract('redis', async () => {
  const fixture = await onRedis(
    (r, keyPrefix) => createRedisContentStore(r, { keyPrefix }),
    (r, keyPrefix) => ({ keysOf: async (packetId: string) => (await scan(r, relayKeys(keyPrefix).contentPattern(packetId))).length }),
  );
  return fixture as typeof fixture & { keysOf(packetId: string): Promise<number> };
});

describeDeliveryQueueContract('memory', async () => ({ store: createMemoryDeliveryQueue(), cleanup: none }));
describeDeliveryQueueContract('redis', () => onRedis((r, keyPrefix) => createRedisDeliveryQueue(r, { keyPrefix })));

describePresenceStoreContract('memory', async () => ({ store: createMemoryPresenceStore(), cleanup: none }));
describePresenceStoreContract('redis', () => onRedis((r, keyPrefix) => createRedisPresenceStore(r, { keyPrefix })));
