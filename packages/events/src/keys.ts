/**
 * Redis key names of the event topics, and only here: one stream per topic, `<prefix>events:<topic>`, e.g.
 * `lgsp:events:packet-available:000.00.03.H41`. The publishers (redis-publisher.ts) write them, the subscriptions
 * subgraph's event log reads them. No hash tag: each stream is read and written on its own.
 */
export function eventStreamKey(prefix: string, topic: string): string {
  return `${prefix}events:${topic}`;
}

/** Every event stream under a prefix (cleaning up after tests). */
export function eventKeyPattern(prefix: string): string {
  return `${prefix}events:*`;
}
