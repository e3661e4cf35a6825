/** In-memory PresenceStore (embedded mode, tests). */
import { listSystems, type PresenceStore, type SystemPresence } from './presence-store.ts';

export function createMemoryPresenceStore(): PresenceStore {
  const seen = new Map<string, Map<string, SystemPresence>>();
  const record = (agency: string, system: string, atMs: number): SystemPresence => {
    const systems = seen.get(agency) ?? new Map<string, SystemPresence>();
    seen.set(agency, systems);
    const presence = systems.get(system) ?? { activeMs: atMs, heldUntilMs: null };
    presence.activeMs = Math.max(presence.activeMs, atMs);
    systems.set(system, presence);
    return presence;
  };
  const store: PresenceStore = {
    async markActive(agency, system, atMs) {
      record(agency, system, atMs);
    },
    async hold(agency, system, atMs, untilMs) {
      const presence = record(agency, system, atMs);
      presence.heldUntilMs = Math.max(presence.heldUntilMs ?? 0, untilMs);
    },
    async lastSeen(agency, nowMs) {
      return (await store.systems(agency, nowMs))[0]?.lastSeenMs ?? null;
    },
    async systems(agency, nowMs) {
      return listSystems(seen.get(agency) ?? [], nowMs);
    },
  };
  return store;
}
