/**
 * Redis PresenceStore: a hash per agency, system id → last activity in ms (`<prefix>relay:presence:{<agency>}`).
 * Writers keep the larger value (a late write never moves presence back); the key lives `retentionMs`.
 */
import type { RedisClient } from '@lgsp/kit';
import { relayKeys } from './keys.ts';
import { byMostRecent, type PresenceStore } from './presence-store.ts';

const MARK = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

export function createRedisPresenceStore(redis: RedisClient, options: { keyPrefix: string; retentionMs?: number }): PresenceStore {
  const keys = relayKeys(options.keyPrefix);
  const retention = options.retentionMs ?? 30 * 24 * 3600 * 1000;
  return {
    async markActive(agency, system, atMs) {
      await redis.eval(MARK, { keys: [keys.presence(agency)], arguments: [system, String(atMs), String(retention)] });
    },
    async lastSeen(agency) {
      const values = await redis.hVals(keys.presence(agency));
      return values.length === 0 ? null : Math.max(...values.map(Number));
    },
    async systems(agency) {
      return Object.entries(await redis.hGetAll(keys.presence(agency)))
        .map(([system, ms]) => ({ system, lastSeenMs: Number(ms) }))
        .sort(byMostRecent);
    },
  };
}
