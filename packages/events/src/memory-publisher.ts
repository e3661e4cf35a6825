/**
 * A publisher in this process's memory, for a service that runs with neither Redis nor a subscriptions service to post
 * to (a relay on its own) and for tests: each topic keeps its newest `retention` events, with stream-like ids.
 */
import type { EventPublisher, PublishedEvent } from './event-publisher.ts';
import { checkEvent } from './limits.ts';
import { topicName } from './topics.ts';

export interface MemoryEventPublisher extends EventPublisher {
  /** The events a topic holds, oldest first. */
  read(topic: string): PublishedEvent[];
}

export function memoryEventPublisher(options: { retention?: number } = {}): MemoryEventPublisher {
  const retention = options.retention ?? 10_000;
  const streams = new Map<string, PublishedEvent[]>();
  let lastMs = 0;
  let sequence = 0;
  // Ids as Redis makes them, `<ms>-<seq>`, increasing even when the clock does not.
  const nextId = () => {
    const now = Date.now();
    if (now > lastMs) [lastMs, sequence] = [now, 0];
    else sequence += 1;
    return `${lastMs}-${sequence}`;
  };
  return {
    async publish(family, agency, fields) {
      const topic = topicName(family, agency);
      checkEvent(topic, fields);
      const events = streams.get(topic) ?? [];
      const id = nextId();
      events.push({ id, fields: { ...fields } });
      if (events.length > retention) events.splice(0, events.length - retention);
      streams.set(topic, events);
      return id;
    },
    read: (topic) => (streams.get(topic) ?? []).map((event) => ({ id: event.id, fields: { ...event.fields } })),
  };
}
