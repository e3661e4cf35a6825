/**
 * CatalogEvents on the platform's event topics: each published version becomes one `catalog-changed` event
 * `{catalog, version, occurredAt}`, which the subscriptions subgraph serves as `catalogChanged`. `version` is the
 * number `catalogVersion(catalog)` reports (the subscriptions side reads it as a positive integer); `occurredAt` is
 * the version's `publishedAt`. The publisher is `@lgsp/events`'s: on Redis
 * (`redisEventPublisher`, the same REDIS_KEY_PREFIX and EVENTS_RETENTION as the subscriptions service) or over HTTP
 * (`httpEventPublisher`, embedded mode).
 */
import { TopicFamily, type EventPublisher } from '@lgsp/events';
import type { CatalogEvents } from '../domain/catalog-events.ts';

export function createTopicCatalogEvents(publisher: EventPublisher): CatalogEvents {
  return {
    versionPublished: (info) =>
      publisher.publish(TopicFamily.catalogChanged, null, { catalog: info.catalog, version: String(info.version), occurredAt: info.publishedAt }),
  };
}
