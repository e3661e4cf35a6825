/**
 * The publish side, for the other subgraphs (relay, catalogs): `publishEvent(topic, fields)` on Redis (XADD with
 * `MAXLEN ~ EVENTS_RETENTION`), or over HTTP to this service's `POST /internal/events` when there is no Redis
 * (embedded mode: the topics live in the subscriptions process). Import from `@lgsp/subscriptions/publish`.
 *
 *   const events = redisEventPublisher(redis, { keyPrefix: 'lgsp:', retention: 10_000 });
 *   await events.publishEvent(topics.packetAvailable('000.00.03.H41'), { packetId, sourceAgency, priority: 'HIGH' });
 *
 * Fields are flat strings and carry entity keys, never data (see domain/topics.ts for each topic's fields).
 * The HTTP publisher coalesces: the events published in one event-loop turn, or while its previous post is in
 * flight, go in one post, in the order they were published.
 */
import { postWithSharedSecret, SharedSecretPostError, type RedisClient } from '@lgsp/kit';
import { parseTopic } from './domain/topics.ts';
import { appendToStream } from './store/redis-event-log.ts';

export { topics, TopicFamily } from './domain/topics.ts';
export { eventStreamKey } from './store/keys.ts';

export interface EventPublisher {
  /** Appends the event to the topic and answers its event id. */
  publishEvent(topic: string, fields: Record<string, string>): Promise<string>;
}

/** What one event and one post to `POST /internal/events` may hold; the route and the HTTP publisher share them. */
export const eventLimits = {
  /**
   * Largest event, measured as its JSON `{"topic":…,"fields":{…}}` in UTF-8. Fields are entity keys: the largest
   * event the platform publishes (a document-status: two packet UUIDs, a status code, an agency) takes about 210.
   */
  maxEventBytes: 2_048,
  /** Events in one post (the batch shape `{ events: [...] }`). */
  maxEventsPerPost: 500,
} as const;

/**
 * Throws when `topic` is not one the subscriptions subgraph serves, `fields` is not a flat string map, or the event
 * is larger than `eventLimits.maxEventBytes`.
 */
export function checkEvent(topic: string, fields: Record<string, string>): void {
  if (parseTopic(topic) === null) {
    throw new Error(`unknown event topic "${topic}": expected packet-available:<agency>, packet-status:<agency>, document-status:<agency> or catalog-changed`);
  }
  const entries = Object.entries(fields);
  if (entries.length === 0) throw new Error('an event needs at least one field');
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw new Error(`event field ${name} must be a string`);
  }
  const bytes = Buffer.byteLength(JSON.stringify({ topic, fields }));
  if (bytes > eventLimits.maxEventBytes) {
    throw new Error(`the event takes ${bytes} bytes as JSON {topic, fields}, more than ${eventLimits.maxEventBytes}: fields carry entity keys, never data`);
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

export interface HttpEventPublisherOptions {
  /** Origin of the subscriptions service (e.g. http://127.0.0.1:4104). */
  baseUrl: string;
  /** Its EVENTS_PUBLISH_TOKEN. */
  token: string;
  /** Longest one post may take (default 5000 ms). */
  timeoutMs?: number;
  /** Most events in one post (default and ceiling: `eventLimits.maxEventsPerPost`). */
  maxBatch?: number;
  /**
   * Most events waiting for a post (default 10,000): beyond it `publishEvent` rejects at once instead of queueing,
   * so that a service that does not answer cannot make the publisher's memory grow without bound.
   */
  maxPending?: number;
}

interface QueuedEvent {
  topic: string;
  fields: Record<string, string>;
  resolve(eventId: string): void;
  reject(error: Error): void;
}

/**
 * A publisher that posts to the subscriptions service (embedded mode). One post at a time: the events published
 * while none is in flight are collected until the end of the event-loop turn (`setImmediate`), those published while
 * one is in flight wait for it; each post then carries up to `maxBatch` of them as `{ events: [...] }`. Posts are
 * sent one after the other, so events reach the topics in the order they were published. Each `publishEvent`
 * answers its own event id; when a post fails, each of its events not stored rejects with the reason (the service
 * names those of a batch it stored before the failure: they answer their ids), and the events queued behind it go
 * in the next post.
 */
/** The ids of the events a refused batch post stored before the one that failed (`extensions.eventIds`), else none. */
function storedBefore(error: unknown, batchLength: number): string[] {
  if (!(error instanceof SharedSecretPostError)) return [];
  const errors = error.answer.errors;
  const ids = Array.isArray(errors) ? (errors[0] as { extensions?: { eventIds?: unknown } } | undefined)?.extensions?.eventIds : undefined;
  return Array.isArray(ids) && ids.length < batchLength && ids.every((id) => typeof id === 'string') ? (ids as string[]) : [];
}

export function httpEventPublisher(options: HttpEventPublisherOptions): EventPublisher {
  const url = new URL('/internal/events', options.baseUrl).toString();
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? eventLimits.maxEventsPerPost, eventLimits.maxEventsPerPost));
  const maxPending = options.maxPending ?? 10_000;
  const queue: QueuedEvent[] = [];
  let posting = false;
  let scheduled = false;

  const schedule = () => {
    if (posting || scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void postNext();
    });
  };

  const postNext = async () => {
    posting = true;
    const batch = queue.splice(0, maxBatch);
    try {
      const eventIds = await post(batch);
      batch.forEach((event, index) => event.resolve(eventIds[index]!));
    } catch (error) {
      // fetch says only "fetch failed"; the network reason (ECONNREFUSED, "other side closed", …) is its cause.
      const cause = (error as Error & { cause?: { message?: unknown } }).cause?.message;
      const reason = `${(error as Error).message}${typeof cause === 'string' ? `: ${cause}` : ''}`;
      // The service stores a batch in order and stops at the first event it cannot store, naming those stored before
      // it (extensions.eventIds): they are published, and only the rest fail.
      const stored = storedBefore(error, batch.length);
      stored.forEach((eventId, index) => batch[index]!.resolve(eventId));
      const failed = batch.slice(stored.length);
      const together = batch.length === 1 ? '' : `, one of ${batch.length} events posted together${stored.length > 0 ? ` (the first ${stored.length} were stored)` : ''}`;
      for (const event of failed) event.reject(new Error(`publishing an event to ${event.topic} at ${url} failed${together}: ${reason}`, { cause: error }));
    } finally {
      posting = false;
      schedule();
    }
  };

  const post = async (batch: QueuedEvent[]): Promise<string[]> => {
    const events = batch.map(({ topic, fields }) => ({ topic, fields }));
    const answer = await postWithSharedSecret(url, options.token, { events }, { expectStatus: 201, timeoutMs: options.timeoutMs });
    const eventIds = answer.eventIds;
    if (!Array.isArray(eventIds) || eventIds.length !== batch.length || !eventIds.every((id) => typeof id === 'string')) {
      throw new Error(`POST ${url} answered 201 without ${batch.length} event ids in "eventIds"`);
    }
    return eventIds as string[];
  };

  return {
    publishEvent(topic, fields) {
      try {
        checkEvent(topic, fields);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      if (queue.length >= maxPending) {
        return Promise.reject(new Error(`publishing an event to ${topic} failed: ${queue.length} events already wait for ${url} (maxPending ${maxPending})`));
      }
      return new Promise<string>((resolve, reject) => {
        // A copy: the caller may reuse its object before the post is sent.
        queue.push({ topic, fields: { ...fields }, resolve, reject });
        schedule();
      });
    },
  };
}
