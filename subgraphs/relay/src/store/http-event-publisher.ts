/**
 * EventPublisher for embedded mode (no Redis): the topics live in the subscriptions service's memory, so events are
 * posted to its `POST /internal/events` with the shared EVENTS_PUBLISH_TOKEN. The event id it answers is the one
 * subscribers see (usable as `after`). `recent` answers from what this process published (bounded), since the
 * subscriptions service offers no read endpoint outside subscriptions.
 */
import { httpEventPublisher } from '@lgsp/subscriptions/publish';
import { topicOf, type EventPublisher, type PublishedEvent } from './event-publisher.ts';

export function createHttpEventPublisher(options: { baseUrl: string; token: string; timeoutMs?: number; keepRecent?: number }): EventPublisher {
  const remote = httpEventPublisher(options);
  const keep = options.keepRecent ?? 1_000;
  const published = new Map<string, PublishedEvent[]>();
  return {
    async publish(topic, agency, fields) {
      const key = topicOf(topic, agency);
      const id = await remote.publishEvent(key, fields);
      const list = published.get(key) ?? [];
      list.push({ id, fields: { ...fields } });
      if (list.length > keep) list.splice(0, list.length - keep);
      published.set(key, list);
      return id;
    },
    async recent(topic, agency, count) {
      return (published.get(topicOf(topic, agency)) ?? []).slice(-count).map((e) => ({ id: e.id, fields: { ...e.fields } }));
    },
  };
}
