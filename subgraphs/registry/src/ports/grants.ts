/**
 * The part of `@lgsp/access`'s GrantStore the registry uses, and the grant shape with the issue-16 fields
 * (environment, quota). Local until `@lgsp/access` lands; the integrator passes that package's store, which has
 * these methods and more.
 */
import type { Environment } from '@lgsp/kit';

/** A grant as the gateway enforces it (thỏa thuận chia sẻ dữ liệu); see gateway/src/authorization/grants/grant.ts. */
export interface Grant {
  id: string;
  provider: string;
  consumer: string;
  service: string;
  fieldSets: string[];
  purposes: string[];
  validFrom: string;
  validTo?: string;
  basis?: string;
  /** Absent = production; a grant serves only principals of the same environment. */
  environment?: Environment;
  /** A rate per consumer and service; absent = no quota. */
  quota?: { requests: number; perSeconds: number };
}

/** What `removeIfVersion` did. */
export type ConditionalRemoval = 'removed' | 'absent' | 'stale';

export interface GrantStore {
  list(): Promise<Grant[]>;
  get(id: string): Promise<Grant | null>;
  /** Writes every grant in one step only if `version()` is still `expectedVersion`; false = nothing written. */
  putAll(grants: Grant[], expectedVersion: number): Promise<boolean>;
  /** Deletes a grant only if `version()` is still `expectedVersion`. */
  removeIfVersion(id: string, expectedVersion: number): Promise<ConditionalRemoval>;
  version(): Promise<number>;
}

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
