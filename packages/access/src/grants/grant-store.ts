/**
 * Where grants live. Two adapters with one behaviour (see grant-store.contract.ts): in memory (one process,
 * development, tests) and Redis (every gateway replica sees the same grants and hears about every change).
 */
import type { Grant } from './grant.ts';

/** `get` found the grant, but what is stored no longer reads as a grant (written by hand, or by an older schema). */
export class UnreadableGrantError extends Error {
  override name = 'UnreadableGrantError';
}

/**
 * What `removeIfVersion` did: 'removed' (the version moved on, subscribers were notified), 'absent' (no such grant;
 * nothing changed) or 'stale' (the version is no longer the expected one; nothing deleted).
 */
export type ConditionalRemoval = 'removed' | 'absent' | 'stale';

export interface GrantStore {
  /** Every grant, in id order. */
  list(): Promise<Grant[]>;
  /** The grants whose consumer is this agency or every agency (`*`), in id order; validity dates not applied. */
  grantsFor(consumer: string): Promise<Grant[]>;
  /** The grant, or null; throws UnreadableGrantError when what is stored no longer reads as a grant. */
  get(id: string): Promise<Grant | null>;
  /** Creates or replaces the grant with this id (validated), then notifies subscribers. */
  put(grant: Grant): Promise<void>;
  /** Deletes a grant; true when it existed. Subscribers are notified. */
  remove(id: string): Promise<boolean>;
  /**
   * Creates or replaces every one of these grants (all validated before any is written) in one atomic step, only if
   * `version()` is still `expectedVersion`: the version then moves on once, subscribers are notified once, and the
   * answer is true. Otherwise nothing is written and the answer is false. So what was read at that version (e.g. the
   * `before` of a change record) is still true when the write lands. An empty list changes nothing (the answer still
   * tells whether the version was `expectedVersion`).
   */
  putAll(grants: Grant[], expectedVersion: number): Promise<boolean>;
  /** Deletes a grant in one atomic step, only if `version()` is still `expectedVersion`, as `putAll` does. */
  removeIfVersion(id: string, expectedVersion: number): Promise<ConditionalRemoval>;
  /** A number that goes up by one with every change of any grant (for caches, and for `putAll`/`removeIfVersion`). */
  version(): Promise<number>;
  /**
   * Calls `listener` after every change made through any store sharing this backend (for Redis: any replica),
   * and also whenever notifications may have been missed (e.g. after a Redis reconnect). Returns the unsubscribe.
   */
  subscribe(listener: () => void): Promise<() => Promise<void>>;
  /** Releases what the store opened itself (not a Redis client it was given). */
  close(): Promise<void>;
}
