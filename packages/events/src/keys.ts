import type { Environment } from '@lgsp/kit';

/**
 * The key prefix of one environment's namespace (issue 16, test and production environments): production's is the
 * service's prefix itself (`lgsp:`), the test environment's is `<prefix>test:` (`lgsp:test:relay:…`,
 * `lgsp:test:events:…`), so that no key of one namespace is a key of the other. The relay stores packets and writes
 * events under it, the subscriptions subgraph reads a subscriber's environment's streams under it.
 */
export function namespaceKeyPrefix(prefix: string, environment: Environment): string {
  return environment === 'production' ? prefix : `${prefix}${environment}:`;
}

/**
 * Redis key names of the event topics, and only here: one stream per topic, `<prefix>events:<topic>`, e.g.
 * `lgsp:events:packet-available:000.00.03.H41` (the test environment's: `lgsp:test:events:…`, with the prefix of
 * `namespaceKeyPrefix`). The publishers (redis-publisher.ts) write them, the subscriptions subgraph's event log reads
 * them. No hash tag: each stream is read and written on its own.
 */
export function eventStreamKey(prefix: string, topic: string): string {
  return `${prefix}events:${topic}`;
}

/** Every event stream under a prefix (cleaning up after tests; the test namespace's are under `namespaceKeyPrefix`). */
export function eventKeyPattern(prefix: string): string {
  return `${prefix}events:*`;
}
