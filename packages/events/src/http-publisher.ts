/**
 * The publisher over HTTP, for embedded mode (no Redis): the topics live in the subscriptions process, so events are
 * posted to its `POST /internal/events` with the shared EVENTS_PUBLISH_TOKEN. The event id it answers is the one
 * subscribers see; `environment` names the namespace of its topics (absent = production). It coalesces: the events published in one event-loop turn, or while its previous post is in
 * flight, go in one post, in the order they were published.
 */
import { postWithSharedSecret, SharedSecretPostError, type Environment } from '@lgsp/kit';
import type { EventPublisher } from './event-publisher.ts';
import { checkEvent, eventLimits } from './limits.ts';
import { topicName } from './topics.ts';

export interface HttpEventPublisherOptions {
  /** Origin of the subscriptions service (e.g. http://127.0.0.1:4104). */
  baseUrl: string;
  /** Its EVENTS_PUBLISH_TOKEN. */
  token: string;
  /**
   * The namespace whose topics the events go to (issue 16): `test` for the relay's test-environment packets, whose
   * subscribers are test-environment callers only. Absent = production (the post then names no environment).
   */
  environment?: Environment;
  /** Longest one post may take (default 5000 ms). */
  timeoutMs?: number;
  /** Most events in one post (default and ceiling: `eventLimits.maxEventsPerPost`). */
  maxBatch?: number;
  /**
   * Most events waiting for a post (default 10,000): beyond it `publish` rejects at once instead of queueing,
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

/** The ids of the events a refused batch post stored before the one that failed (`extensions.eventIds`), else none. */
function storedBefore(error: unknown, batchLength: number): string[] {
  if (!(error instanceof SharedSecretPostError)) return [];
  const errors = error.answer.errors;
  const ids = Array.isArray(errors) ? (errors[0] as { extensions?: { eventIds?: unknown } } | undefined)?.extensions?.eventIds : undefined;
  return Array.isArray(ids) && ids.length < batchLength && ids.every((id) => typeof id === 'string') ? (ids as string[]) : [];
}

/**
 * A publisher that posts to the subscriptions service (embedded mode). One post at a time: the events published
 * while none is in flight are collected until the end of the event-loop turn (`setImmediate`), those published while
 * one is in flight wait for it; each post then carries up to `maxBatch` of them as `{ events: [...] }`. Posts are
 * sent one after the other, so events reach the topics in the order they were published. Each `publish`
 * answers its own event id; when a post fails, each of its events not stored rejects with the reason (the service
 * names those of a batch it stored before the failure: they answer their ids), and the events queued behind it go
 * in the next post.
 */
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
      const together =
        batch.length === 1 ? '' : `, one of ${batch.length} events posted together${stored.length > 0 ? ` (the first ${stored.length} were stored)` : ''}`;
      for (const event of failed) event.reject(new Error(`publishing an event to ${event.topic} at ${url} failed${together}: ${reason}`, { cause: error }));
    } finally {
      posting = false;
      schedule();
    }
  };

  const post = async (batch: QueuedEvent[]): Promise<string[]> => {
    const events = batch.map(({ topic, fields }) => ({ topic, fields }));
    const body = options.environment === undefined ? { events } : { environment: options.environment, events };
    const answer = await postWithSharedSecret(url, options.token, body, { expectStatus: 201, timeoutMs: options.timeoutMs });
    const eventIds = answer.eventIds;
    if (!Array.isArray(eventIds) || eventIds.length !== batch.length || !eventIds.every((id) => typeof id === 'string')) {
      throw new Error(`POST ${url} answered 201 without ${batch.length} event ids in "eventIds"`);
    }
    return eventIds as string[];
  };

  return {
    publish(family, agency, fields) {
      const topic = topicName(family, agency);
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
