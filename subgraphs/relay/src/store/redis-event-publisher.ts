/** Redis Streams EventPublisher: XADD to `<prefix>events:<topic>:<agency>`, trimmed to about `maxLength` entries. */
import type { RedisClient } from '@lgsp/kit';
import type { EventPublisher } from './event-publisher.ts';
import { eventStreamKey } from './keys.ts';

export function createRedisEventPublisher(redis: RedisClient, options: { keyPrefix: string; maxLength?: number }): EventPublisher {
  const maxLength = options.maxLength ?? 10_000;
  return {
    async publish(topic, agency, fields) {
      return redis.xAdd(eventStreamKey(options.keyPrefix, topic, agency), '*', fields, {
        TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: maxLength },
      });
    },
    async recent(topic, agency, count) {
      const rows = await redis.xRevRange(eventStreamKey(options.keyPrefix, topic, agency), '+', '-', { COUNT: count });
      return rows.reverse().map((r) => ({ id: r.id, fields: { ...(r.message as Record<string, string>) } }));
    },
  };
}
