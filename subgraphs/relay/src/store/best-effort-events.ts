/**
 * Notifications are advice, not the delivery itself: the packet is already stored and queued when its events are
 * published, the recipient's inbox lists it, and the sweep notifies again while it is not claimed. So a failure to
 * publish (the subscriptions service restarting in embedded mode, say) is logged and counted for the operator
 * instead of failing the exchange step that caused it.
 */
import type { Counter, Logger } from '@lgsp/kit';
import type { EventPublisher } from './event-publisher.ts';

export function bestEffortEvents(events: EventPublisher, options: { logger: Logger; failures: Counter<'topic'> }): EventPublisher {
  return {
    async publish(family, agency, fields) {
      try {
        return await events.publish(family, agency, fields);
      } catch (error) {
        options.failures.inc({ topic: family });
        options.logger.error(
          { err: error, topic: family, agency, packetId: fields.packetId },
          'event not published; the inbox and the next sweep still offer the packet',
        );
        return '';
      }
    },
  };
}
