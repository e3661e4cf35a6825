/**
 * The publisher on Redis (deployment, or whenever REDIS_URL is set): XADD to the topic's stream with
 * `MAXLEN ~ retention`, on the same Redis, key prefix and EVENTS_RETENTION as the subscriptions service that reads it.
 *
 *   const events = redisEventPublisher(redis, { keyPrefix: 'lgsp:', retention: 10_000 });
 *   await events.publish(TopicFamily.packetAvailable, '000.00.03.H41', { packetId, sourceAgency, priority: 'HIGH' });
 */
import type { RedisClient } from '@lgsp/kit';
import type { EventFields, EventPublisher, PublishedEvent } from './event-publisher.ts';
import { eventStreamKey } from './keys.ts';
import { checkEvent } from './limits.ts';
import { topicName } from './topics.ts';

export interface StreamOptions {
  keyPrefix: string;
  /** Events kept per topic, approximately (MAXLEN ~). */
  retention: number;
}

/**
 * Appends one event to a topic's stream: the single XADD of the platform (this publisher, and the subscriptions
 * service's own event log). Checks only that there are fields; `redisEventPublisher` checks the whole event.
 */
export async function appendToStream(redis: RedisClient, options: StreamOptions, topic: string, fields: EventFields): Promise<string> {
  if (Object.keys(fields).length === 0) throw new Error('an event needs at least one field');
  return redis.xAdd(eventStreamKey(options.keyPrefix, topic), '*', fields, {
    TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: options.retention },
  });
}

/** A publisher on Redis; `retention` defaults to 10,000 events per topic (EVENTS_RETENTION's default). */
export function redisEventPublisher(redis: RedisClient, options: { keyPrefix: string; retention?: number }): EventPublisher {
  const settings = { keyPrefix: options.keyPrefix, retention: options.retention ?? 10_000 };
  return {
    async publish(family, agency, fields) {
      const topic = topicName(family, agency);
      checkEvent(topic, fields);
      return appendToStream(redis, settings, topic, fields);
    },
  };
}

/** The events of a topic's stream, oldest first, at most `count` (tests and tools read what was published). */
export async function readTopicStream(redis: RedisClient, keyPrefix: string, topic: string, count = 10_000): Promise<PublishedEvent[]> {
  const rows = (await redis.xRange(eventStreamKey(keyPrefix, topic), '-', '+', { COUNT: count })) as unknown as Array<{
    id: string;
    message: Record<string, string>;
  }>;
  return rows.map((row) => ({ id: row.id, fields: { ...row.message } }));
}
