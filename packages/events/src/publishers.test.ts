/** The memory and Redis publishers against the EventPublisher contract (the HTTP one runs it in the subscriptions subgraph, against a real service). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { describeEventPublisherContract } from './event-publisher.contract.ts';
import { eventKeyPattern, eventStreamKey } from './keys.ts';
import { memoryEventPublisher } from './memory-publisher.ts';
import { readTopicStream, redisEventPublisher } from './redis-publisher.ts';
import { topics, TopicFamily } from './topics.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function onRedis(retention?: number) {
  const redis = await connectRedis(redisUrl);
  const keyPrefix = testKeyPrefix();
  return {
    redis,
    keyPrefix,
    publisher: redisEventPublisher(redis, { keyPrefix, retention }),
    read: (topic: string) => readTopicStream(redis, keyPrefix, topic),
    async cleanup() {
      for await (const keys of redis.scanIterator({ MATCH: eventKeyPattern(keyPrefix), COUNT: 500 })) {
        if (keys.length > 0) await redis.del(keys);
      }
      await redis.quit();
    },
  };
}

describeEventPublisherContract('memory', async () => {
  const publisher = memoryEventPublisher();
  return { publisher, read: async (topic) => publisher.read(topic), cleanup: async () => undefined };
});
describeEventPublisherContract('redis', () => onRedis());

describe('event retention', () => {
  it('memory: keeps the newest `retention` events of a topic, with ids that increase', async () => {
    const publisher = memoryEventPublisher({ retention: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publisher.publish(TopicFamily.packetAvailable, 'A', { packetId: `p${i}` }));
    assert.deepEqual(
      publisher.read(topics.packetAvailable('A')).map((e) => [e.id, e.fields.packetId]),
      [
        [ids[2], 'p2'],
        [ids[3], 'p3'],
        [ids[4], 'p4'],
      ],
    );
    const parts = ids.map((id) => id.split('-').map(Number) as [number, number]);
    for (let i = 1; i < parts.length; i++)
      assert.ok(parts[i]![0] > parts[i - 1]![0] || (parts[i]![0] === parts[i - 1]![0] && parts[i]![1] > parts[i - 1]![1]), `${ids[i]} after ${ids[i - 1]}`);
  });

  it("redis: trims a topic's stream to about `retention` (MAXLEN ~) in <prefix>events:<topic>", async () => {
    const f = await onRedis(10);
    try {
      for (let i = 0; i < 500; i++) await f.publisher.publish(TopicFamily.packetStatus, 'A', { packetId: `p${i}`, status: 'QUEUED' });
      const length = await f.redis.xLen(eventStreamKey(f.keyPrefix, 'packet-status:A'));
      assert.ok(length >= 10 && length < 500, `trimmed to about 10, not kept whole: ${length}`);
      assert.equal((await f.read(topics.packetStatus('A'))).at(-1)?.fields.packetId, 'p499');
    } finally {
      await f.cleanup();
    }
  });
});
