/** In-memory RegistryStore: one process (development without Redis, tests). Records are copied in and out. */
import { COLLECTIONS, recordKey, type CollectionName, type Collections, type RegistryStore } from './registry-store.ts';

export function createMemoryRegistryStore(): RegistryStore {
  const data = new Map<CollectionName, Map<string, string>>(COLLECTIONS.map((c) => [c, new Map()]));
  const versions = new Map<CollectionName, number>(COLLECTIONS.map((c) => [c, 0]));
  const revisionOf = (json: string | undefined) => (json === undefined ? 0 : (JSON.parse(json) as { revision: number }).revision);
  return {
    async get<C extends CollectionName>(collection: C, key: string) {
      const json = data.get(collection)!.get(key);
      return json === undefined ? null : (JSON.parse(json) as Collections[C]);
    },
    async list<C extends CollectionName>(collection: C) {
      return [...data.get(collection)!.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, json]) => JSON.parse(json) as Collections[C]);
    },
    async commit(writes) {
      for (const w of writes) {
        const key = recordKey(w.collection, w.record);
        if (revisionOf(data.get(w.collection)!.get(key)) !== w.expectedRevision) return { committed: false, conflict: { collection: w.collection, key } };
      }
      const revisions: number[] = [];
      for (const w of writes) {
        const revision = w.expectedRevision + 1;
        data.get(w.collection)!.set(recordKey(w.collection, w.record), JSON.stringify({ ...w.record, revision }));
        revisions.push(revision);
      }
      for (const c of new Set(writes.map((w) => w.collection))) versions.set(c, versions.get(c)! + 1);
      return { committed: true, revisions };
    },
    async version(collection) {
      return versions.get(collection)!;
    },
    async close() {},
  };
}
