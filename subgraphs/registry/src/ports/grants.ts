/**
 * The part of `@lgsp/access`'s GrantStore the registry uses (the grant model is that package's), and an in-memory
 * store with a fault hook for the registry's own all-or-nothing tests.
 */
import type { ConditionalRemoval, Grant, GrantStore as AccessGrantStore } from '@lgsp/access';
import type { Environment } from '@lgsp/kit';

export type { ConditionalRemoval, Grant };

/** What the registry calls on the GrantStore the gateway enforces. */
export type GrantStore = Pick<AccessGrantStore, 'list' | 'get' | 'putAll' | 'removeIfVersion' | 'version'>;

/** The registry's grant ids: `registry.<accessRequestId>.<environment>`. */
export function registryGrantId(accessRequestId: string, environment: Environment): string {
  return `registry.${accessRequestId}.${environment}`;
}

/** An in-memory GrantStore (development without `@lgsp/access`, tests). */
export function createMemoryGrantStore(initial: Grant[] = []): GrantStore & { failNextWrite(error: Error): void } {
  const grants = new Map(initial.map((g) => [g.id, structuredClone(g)]));
  let version = 0;
  let failure: Error | null = null;
  const failIfAsked = () => {
    if (failure === null) return;
    const error = failure;
    failure = null;
    throw error;
  };
  return {
    async list() {
      return [...grants.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((g) => structuredClone(g));
    },
    async get(id) {
      const g = grants.get(id);
      return g === undefined ? null : structuredClone(g);
    },
    async putAll(list, expectedVersion) {
      failIfAsked();
      if (version !== expectedVersion) return false;
      if (list.length === 0) return true;
      for (const g of list) grants.set(g.id, structuredClone(g));
      version += 1;
      return true;
    },
    async removeIfVersion(id, expectedVersion) {
      failIfAsked();
      if (!grants.has(id)) return 'absent';
      if (version !== expectedVersion) return 'stale';
      grants.delete(id);
      version += 1;
      return 'removed';
    },
    async version() {
      return version;
    },
    /** The next write fails with `error` (tests of all-or-nothing changes). */
    failNextWrite(error) {
      failure = error;
    },
  };
}
