/**
 * Publishes relay events to topics the subscriptions subgraph serves: `packet-available`, `packet-status`,
 * `document-status`, per agency. Events carry entity keys (packet id, agency codes, status), never content.
 */
export type RelayTopic = 'packet-available' | 'packet-status' | 'document-status';

/** The topic name the subscriptions subgraph serves for a relay topic and an agency: `packet-available:<agency>`. */
export const topicOf = (topic: RelayTopic, agency: string) => `${topic}:${agency}`;

export interface PublishedEvent {
  /** The stream id (a Redis stream id), usable as `after` to resume. */
  id: string;
  fields: Record<string, string>;
}

export interface EventPublisher {
  publish(topic: RelayTopic, agency: string, fields: Record<string, string>): Promise<string>;
  /** The latest events of a topic for one agency, oldest first (tests, embedded subscriptions). */
  recent(topic: RelayTopic, agency: string, count: number): Promise<PublishedEvent[]>;
}
