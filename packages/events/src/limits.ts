/**
 * What one event and one post to the subscriptions service's `POST /internal/events` may hold, and the check every
 * publisher and that route apply before anything is stored.
 */
import { parseTopic, PLATFORM_FAMILIES, TopicFamily } from './topics.ts';

/** The topic names, for the message that refuses another one. */
const knownTopics = Object.values(TopicFamily)
  .map((family) => ((PLATFORM_FAMILIES as readonly string[]).includes(family) ? family : `${family}:<agency>`))
  .join(', ');

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
 * Throws when `topic` is not a topic of the platform, `fields` is not a non-empty flat string map, or the event is
 * larger than `eventLimits.maxEventBytes`.
 */
export function checkEvent(topic: string, fields: Record<string, string>): void {
  if (parseTopic(topic) === null) {
    throw new Error(`unknown event topic "${topic}": expected one of ${knownTopics}`);
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
