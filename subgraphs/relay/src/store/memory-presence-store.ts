/** In-memory PresenceStore (embedded mode, tests). */
import { byMostRecent, type PresenceStore } from './presence-store.ts';

export function createMemoryPresenceStore(): PresenceStore {
  const seen = new Map<string, Map<string, number>>();
  return {
    async markActive(agency, system, atMs) {
      const systems = seen.get(agency) ?? new Map<string, number>();
      systems.set(system, Math.max(atMs, systems.get(system) ?? 0));
      seen.set(agency, systems);
    },
    async lastSeen(agency) {
      const systems = seen.get(agency);
      return systems === undefined || systems.size === 0 ? null : Math.max(...systems.values());
    },
    async systems(agency) {
      return [...(seen.get(agency) ?? new Map<string, number>())].map(([system, lastSeenMs]) => ({ system, lastSeenMs })).sort(byMostRecent);
    },
  };
}
