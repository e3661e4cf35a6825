/**
 * Announcements of the registry (the topic families helper "calendar" adds to `@lgsp/events`): `agency-changed`
 * (platform topic), `service-notice:<agency>` and `access-request-changed:<agency>`. A port so that the registry
 * depends on no publisher; the service wires `@lgsp/events`' EventPublisher into it, best effort.
 */
export type RegistryTopic = 'agency-changed' | 'service-notice' | 'access-request-changed';

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
