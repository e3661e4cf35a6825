/** In-memory EventPublisher (embedded mode, tests): bounded per topic and agency. */
import type { EventPublisher, PublishedEvent } from './event-publisher.ts';

export function createMemoryEventPublisher(options: { maxLength?: number } = {}): EventPublisher {
  const max = options.maxLength ?? 10_000;
  const topics = new Map<string, PublishedEvent[]>();
  let counter = 0;
  return {
    async publish(topic, agency, fields) {
      counter += 1;
      const key = `${topic}:${agency}`;
      const list = topics.get(key) ?? [];
      const id = `${Date.now()}-${counter}`;
      list.push({ id, fields: { ...fields } });
      if (list.length > max) list.splice(0, list.length - max);
      topics.set(key, list);
      return id;
    },
    async recent(topic, agency, count) {
      return (topics.get(`${topic}:${agency}`) ?? []).slice(-count).map((e) => ({ id: e.id, fields: { ...e.fields } }));
    },
  };
}
