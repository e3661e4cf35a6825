/**
 * Per-agency slots for the WebSocket limits (connections, subscriptions). A slot is taken before the work it guards
 * starts and handed back exactly once (`Lease.release` is idempotent), so a connection or subscription that fails
 * half-way never leaks a slot.
 *
 * Two adapters with one behaviour (agency-slots.contract.ts): in memory, counting on one gateway process (`npm start`
 * without Redis), and Redis (redis-agency-slots.ts), counting across every replica that shares the Redis.
 */
import type { Principal } from '@lgsp/kit';

/** The bucket a principal's connections and subscriptions count in. */
export function agencyOf(principal: Principal): string {
  return principal.agencyCode ?? `(${principal.kind})`;
}

/** What a slot is counted as: each kind has its own limit per agency. */
export type SlotKind = 'connections' | 'subscriptions';

export interface Lease {
  /** Hands the slot back; calling it again does nothing. */
  release(): void;
}

export interface AgencySlots {
  /** Takes a slot of `kind` for the agency while it holds fewer than `limit`; undefined when the limit is reached. */
  acquire(kind: SlotKind, agency: string, limit: number): Promise<Lease | undefined>;
  /** Slots of `kind` the agency holds now (diagnostics, tests). */
  count(kind: SlotKind, agency: string): Promise<number>;
  /** Hands back what this process still holds; no slot is handed out after. */
  close(): Promise<void>;
}

/** Slots counted in this process only: the limits apply per gateway process. */
export function createMemoryAgencySlots(): AgencySlots {
  const counts = new Map<string, number>();
  const keyOf = (kind: SlotKind, agency: string) => `${kind}\n${agency}`;
  let closed = false;
  return {
    async acquire(kind, agency, limit) {
      const key = keyOf(kind, agency);
      const current = counts.get(key) ?? 0;
      if (closed || current >= limit) return undefined;
      counts.set(key, current + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const left = (counts.get(key) ?? 1) - 1;
          if (left <= 0) counts.delete(key);
          else counts.set(key, left);
        },
      };
    },
    count: async (kind, agency) => counts.get(keyOf(kind, agency)) ?? 0,
    async close() {
      closed = true;
    },
  };
}
