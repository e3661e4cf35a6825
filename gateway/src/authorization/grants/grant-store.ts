/**
 * Where grants live. Two adapters with one behaviour (see grant-store.contract.ts): in memory (one process,
 * development, tests) and Redis (every gateway replica sees the same grants and hears about every change).
 */
import type { Grant } from './grant.ts';

export interface GrantStore {
  /** Every grant, in id order. */
  list(): Promise<Grant[]>;
  /** The grants whose consumer is this agency or every agency (`*`), in id order; validity dates not applied. */
  grantsFor(consumer: string): Promise<Grant[]>;
  get(id: string): Promise<Grant | null>;
  /** Creates or replaces the grant with this id (validated), then notifies subscribers. */
  put(grant: Grant): Promise<void>;
  /** Deletes a grant; true when it existed. Subscribers are notified. */
  remove(id: string): Promise<boolean>;
  /** A number that changes with every change of any grant (for caches). */
  version(): Promise<number>;
  /**
   * Calls `listener` after every change made through any store sharing this backend (for Redis: any replica),
   * and also whenever notifications may have been missed (e.g. after a Redis reconnect). Returns the unsubscribe.
   */
  subscribe(listener: () => void): Promise<() => Promise<void>>;
  /** Releases what the store opened itself (not a Redis client it was given). */
  close(): Promise<void>;
}
