/**
 * Redis Streams EventPublisher: appends through the subscriptions subgraph's publisher (`@lgsp/subscriptions/publish`),
 * the one place that knows the topics' keys (`<prefix>events:<topic>:<agency>`) and trimming (`MAXLEN ~ maxLength`).
 */
import type { RedisClient } from '@lgsp/kit';
import { eventStreamKey, redisEventPublisher } from '@lgsp/subscriptions/publish';
import { topicOf, type EventPublisher } from './event-publisher.ts';

export function createRedisEventPublisher(redis: RedisClient, options: { keyPrefix: string; maxLength?: number }): EventPublisher {
  const publisher = redisEventPublisher(redis, { keyPrefix: options.keyPrefix, retention: options.maxLength });
  return {
    publish: (topic, agency, fields) => publisher.publishEvent(topicOf(topic, agency), fields),
    async recent(topic, agency, count) {
      const rows = await redis.xRevRange(eventStreamKey(options.keyPrefix, topicOf(topic, agency)), '+', '-', { COUNT: count });
      return rows.reverse().map((r) => ({ id: r.id, fields: { ...(r.message as Record<string, string>) } }));
    },
  };
}
