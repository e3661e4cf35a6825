/**
 * The relay's presence beside the health of an agency's systems: when the agency's systems were last active on the
 * relay (a call, a download, a subscription held). Read-only from the relay's Redis hashes, whose layout is the
 * relay's (subgraphs/relay/src/store/keys.ts `presence`, `presenceHolds`; redis-presence-store.ts):
 * `<prefix>relay:presence:{<agency>}` (system → last activity ms) and `…:holds` (system → end of its hold ms); a
 * system is seen now while its hold runs, else at its last activity (presence-store.ts `seenAt`). Only the
 * production namespace is read. Without Redis the relay keeps presence in its own memory: not shown (null).
 */
import type { RedisClient } from '@lgsp/kit';

export interface RelayPresence {
  lastSeenMs: number | null;
  systems: Array<{ systemId: string; lastSeenMs: number }>;
}

export interface PresenceReader {
  agency(agencyCode: string, nowMs: number): Promise<RelayPresence>;
}

export function redisPresenceReader(redis: RedisClient, keyPrefix: string): PresenceReader {
  const key = (agency: string) => `${keyPrefix}relay:presence:{${agency}}`;
  return {
    async agency(agencyCode, nowMs) {
      const [active, holds] = await Promise.all([redis.hGetAll(key(agencyCode)), redis.hGetAll(`${key(agencyCode)}:holds`)]);
      const systems = Object.entries(active)
        .map(([systemId, ms]) => {
          const held = Object.hasOwn(holds, systemId) ? Number(holds[systemId]) : null;
          const activeMs = Number(ms);
          return { systemId, lastSeenMs: held !== null && held > nowMs ? Math.max(activeMs, nowMs) : activeMs };
        })
        .sort((a, b) => b.lastSeenMs - a.lastSeenMs || (a.systemId < b.systemId ? -1 : 1));
      return { lastSeenMs: systems[0]?.lastSeenMs ?? null, systems };
    },
  };
}
