/**
 * Announcements of the registry (the topic families helper "calendar" adds to `@lgsp/events`): `agency-changed`
 * (platform topic), `service-notice:<agency>` and `access-request-changed:<agency>`, and `maintenance-announced`
 * (platform topic, domain/maintenance/). A port so that the registry
 * depends on no publisher; the service wires `@lgsp/events`' EventPublisher into it, best effort.
 */
import { TopicFamily, type EventPublisher } from '@lgsp/events';

export type RegistryTopic = 'agency-changed' | 'service-notice' | 'access-request-changed' | 'maintenance-announced';

export interface RegistryEvents {
  /** Publishes an event of flat string fields to the topic of `family` for `agency` (null for `agency-changed`). */
  announce(family: RegistryTopic, agency: string | null, fields: Record<string, string>): Promise<void>;
}

/** Keeps announcements in memory (tests, and development with no subscriber). */
export function createMemoryRegistryEvents(): RegistryEvents & {
  announced: Array<{ family: RegistryTopic; agency: string | null; fields: Record<string, string> }>;
} {
  const announced: Array<{ family: RegistryTopic; agency: string | null; fields: Record<string, string> }> = [];
  return {
    announced,
    async announce(family, agency, fields) {
      announced.push({ family, agency, fields: { ...fields } });
    },
  };
}

/** The registry's announcements through an `@lgsp/events` publisher (Redis stream, or HTTP to the subscriptions service). */
export function registryEventsFrom(publisher: EventPublisher): RegistryEvents {
  return {
    async announce(family, agency, fields) {
      if (family === 'agency-changed') await publisher.publish(TopicFamily.agencyChanged, null, fields);
      // Maintenance windows and incidents (domain/maintenance/): one platform topic.
      else if (family === 'maintenance-announced') await publisher.publish(TopicFamily.maintenanceAnnounced, null, fields);
      else if (agency === null) throw new Error(`${family} needs an agency`);
      else await publisher.publish(family === 'service-notice' ? TopicFamily.serviceNotice : TopicFamily.accessRequestChanged, agency, fields);
    },
  };
}
