/**
 * The publish side, for the other subgraphs (relay, catalogs): `publishEvent(topic, fields)` on Redis (XADD with
 * `MAXLEN ~ EVENTS_RETENTION`), or over HTTP to this service's `POST /internal/events` when there is no Redis
 * (embedded mode: the topics live in the subscriptions process). Import from `@lgsp/subscriptions/publish`.
 *
 *   const events = redisEventPublisher(redis, { keyPrefix: 'lgsp:', retention: 10_000 });
 *   await events.publishEvent(topics.packetAvailable('000.00.03.H41'), { packetId, sourceAgency, priority: 'HIGH' });
 *
 * Fields are flat strings and carry entity keys, never data (see domain/topics.ts for each topic's fields).
 */
import { postWithSharedSecret, type RedisClient } from '@lgsp/kit';
import { parseTopic } from './domain/topics.ts';
import { appendToStream } from './store/redis-event-log.ts';

export { topics, TopicFamily } from './domain/topics.ts';
export { eventStreamKey } from './store/keys.ts';

export interface EventPublisher {
  /** Appends the event to the topic and answers its event id. */
  publishEvent(topic: string, fields: Record<string, string>): Promise<string>;
}

/** Throws when `topic` is not one the subscriptions subgraph serves or `fields` is not a flat string map. */
export function checkEvent(topic: string, fields: Record<string, string>): void {
  if (parseTopic(topic) === null) {
    throw new Error(`unknown event topic "${topic}": expected packet-available:<agency>, packet-status:<agency>, document-status:<agency> or catalog-changed`);
  }
  const entries = Object.entries(fields);
  if (entries.length === 0) throw new Error('an event needs at least one field');
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw new Error(`event field ${name} must be a string`);
  }
}

/** Publishes one event on Redis. */
export async function publishEvent(
  redis: RedisClient,
  options: { keyPrefix: string; retention: number },
  topic: string,
  fields: Record<string, string>,
): Promise<string> {
  checkEvent(topic, fields);
  return appendToStream(redis, options, topic, fields);
}

/** A publisher on Redis (deployment, or whenever REDIS_URL is set). */
export function redisEventPublisher(redis: RedisClient, options: { keyPrefix: string; retention?: number }): EventPublisher {
  const settings = { keyPrefix: options.keyPrefix, retention: options.retention ?? 10_000 };
  return { publishEvent: (topic, fields) => publishEvent(redis, settings, topic, fields) };
}

/**
 * A publisher that posts to the subscriptions service (embedded mode): `baseUrl` is its origin
 * (e.g. http://127.0.0.1:4104), `token` its EVENTS_PUBLISH_TOKEN.
 */
export function httpEventPublisher(options: { baseUrl: string; token: string; timeoutMs?: number }): EventPublisher {
  const url = new URL('/internal/events', options.baseUrl).toString();
  return {
    async publishEvent(topic, fields) {
      checkEvent(topic, fields);
      const body = await postWithSharedSecret(url, options.token, { topic, fields }, { expectStatus: 201, timeoutMs: options.timeoutMs });
      if (typeof body.eventId !== 'string') throw new Error(`publishing to ${url} failed: the answer has no eventId`);
      return body.eventId;
    },
  };
}
