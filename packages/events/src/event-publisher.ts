/**
 * The one port every publisher of events implements (Redis, HTTP, memory) and every producer depends on (the relay's
 * exchange steps, the catalogs' version announcements).
 */
import type { TopicAgency, TopicFamily } from './topics.ts';

/** An event's fields: flat strings naming entities by key (see `TopicFamily` for each family's fields). */
export type EventFields = Record<string, string>;

export interface EventPublisher {
  /**
   * Appends an event to the topic of `family` for `agency` (null for the platform topic `catalog-changed`) and answers
   * its event id: the stream id subscribers see, `<ms>-<seq>`, usable as `after` to resume. Rejects an unknown topic,
   * empty or non-string fields and an event larger than `eventLimits.maxEventBytes` without publishing it.
   */
  publish<F extends TopicFamily>(family: F, agency: TopicAgency<F>, fields: EventFields): Promise<string>;
}

/** An event as a topic holds it. */
export interface PublishedEvent {
  /** The stream id (`<ms>-<seq>`). */
  id: string;
  fields: EventFields;
}
