/**
 * The relay's presence beside the health of an agency's systems: when the agency's systems were last active on the
 * relay (a call, a download, a subscription held). Read-only from the relay's Redis hashes, whose layout is the
 * relay's (subgraphs/relay/src/store/keys.ts `presence`, `presenceHolds`; redis-presence-store.ts):
 * `<prefix>relay:presence:{<agency>}` (system → last activity ms) and `…:holds` (system → end of its hold ms); a
 * system is seen now while its hold runs, else at its last activity (presence-store.ts `seenAt`). Only the
 * production namespace is read (HEALTH_PRESENCE=redis).
 *
 * Without Redis the relay keeps presence in its own memory: HEALTH_PRESENCE=http reads it from the relay's
 * `GET /internal/presence/<agency>` (RELAY_URL, bearer EVENTS_PUBLISH_TOKEN, the secret the relay's presence route
 * shares with the subscriptions service); when the relay does not answer, the presence is not shown (null) and one
 * `warn` line says why, at most once a minute.
 */
import type { Logger, RedisClient } from '@lgsp/kit';

export interface RelayPresence {
  lastSeenMs: number | null;
  systems: Array<{ systemId: string; lastSeenMs: number }>;
}

export interface PresenceReader {
  /** Null when the presence cannot be read now (the relay over HTTP does not answer). */
  agency(agencyCode: string, nowMs: number): Promise<RelayPresence | null>;
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

/** The relay's presence over its internal HTTP API (embedded mode: the relay keeps presence in memory). */
export function httpPresenceReader(options: { relayUrl: string; token: string; timeoutMs: number; logger: Logger }): PresenceReader {
  let lastWarningMs = 0;
  const warn = (detail: Record<string, unknown>) => {
    if (Date.now() - lastWarningMs < 60_000) return;
    lastWarningMs = Date.now();
    options.logger.warn({ event: 'health.presence-unavailable', relay: options.relayUrl, ...detail }, "the relay's presence could not be read; not shown");
  };
  return {
    async agency(agencyCode) {
      try {
        const response = await fetch(`${options.relayUrl}/internal/presence/${encodeURIComponent(agencyCode)}`, {
          headers: { authorization: `Bearer ${options.token}` },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (!response.ok) {
          warn({ status: response.status });
          return null;
        }
        const body = (await response.json()) as { systems?: unknown };
        if (!Array.isArray(body.systems)) {
          warn({ problem: 'unexpected answer' });
          return null;
        }
        const systems = body.systems
          .filter(
            (s): s is { systemId: string; lastSeenMs: number } =>
              typeof s === 'object' && s !== null && typeof s.systemId === 'string' && Number.isFinite(s.lastSeenMs),
          )
          .map((s) => ({ systemId: s.systemId, lastSeenMs: s.lastSeenMs }))
          .sort((a, b) => b.lastSeenMs - a.lastSeenMs || (a.systemId < b.systemId ? -1 : 1));
        return { lastSeenMs: systems[0]?.lastSeenMs ?? null, systems };
      } catch (error) {
        warn({ err: (error as Error).message });
        return null;
      }
    },
  };
}
