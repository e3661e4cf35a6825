/** Grants in a Map: one gateway process, development and tests. */
import { EventEmitter } from 'node:events';
import { ANY_AGENCY, parseGrant, type Grant } from './grant.ts';
import type { GrantStore } from './grant-store.ts';

export function createMemoryGrantStore(initial: Grant[] = []): GrantStore {
  const grants = new Map<string, Grant>();
  for (const grant of initial) grants.set(grant.id, parseGrant(grant));
  const changes = new EventEmitter();
  let version = 0;
  const sorted = (items: Iterable<Grant>) => [...items].sort((a, b) => a.id.localeCompare(b.id)).map((g) => structuredClone(g));
  const changed = () => {
    version += 1;
    changes.emit('change');
  };
  return {
    list: async () => sorted(grants.values()),
    grantsFor: async (consumer) => sorted([...grants.values()].filter((g) => g.consumer === consumer || g.consumer === ANY_AGENCY)),
    get: async (id) => (grants.has(id) ? structuredClone(grants.get(id)!) : null),
    async put(grant) {
      grants.set(grant.id, parseGrant(grant));
      changed();
    },
    async remove(id) {
      const existed = grants.delete(id);
      if (existed) changed();
      return existed;
    },
    async putAll(list, expectedVersion) {
      const valid = list.map(parseGrant);
      if (version !== expectedVersion) return false;
      if (valid.length === 0) return true;
      for (const grant of valid) grants.set(grant.id, grant);
      changed();
      return true;
    },
    async removeIfVersion(id, expectedVersion) {
      if (version !== expectedVersion) return 'stale';
      if (!grants.delete(id)) return 'absent';
      changed();
      return 'removed';
    },
    version: async () => version,
    async subscribe(listener) {
      changes.on('change', listener);
      return async () => {
        changes.off('change', listener);
      };
    },
    async close() {
      changes.removeAllListeners();
    },
  };
}
