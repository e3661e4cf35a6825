/**
 * The relay's port for events: the platform's one EventPublisher (`@lgsp/events`), which the exchange steps call as
 * `events.publish('packet-status', agency, fields)`. The adapters (Redis stream, HTTP to the subscriptions service,
 * memory) are `@lgsp/events`'s too; events carry entity keys (packet id, agency codes, status), never content.
 */
export type { EventFields, EventPublisher, PublishedEvent } from '@lgsp/events';
