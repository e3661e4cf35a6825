/**
 * Redis PresenceStore, two hashes per agency in one slot (hash tag `{<agency>}`): `<prefix>relay:presence:{<agency>}`,
 * system id → last activity in ms, and `<prefix>relay:presence:{<agency>}:holds`, system id → the end of its hold in
 * ms. Writers keep the larger value of each (a late write never moves activity back, nor shortens a hold). A report
 * writes both in one step, and an agency's presence is read in one round trip. The keys live `retentionMs`.
 */
import { redisScript, type RedisClient } from '@lgsp/kit';
import { relayKeys } from './keys.ts';
import { listSystems, type PresenceStore, type SystemPresence } from './presence-store.ts';

/** KEYS: activity, holds. ARGV: system, activity ms, held until ms ('' = activity only), retention ms. */
const RECORD = redisScript(`
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if ARGV[3] ~= '' and tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return 1`);

export function createRedisPresenceStore(redis: RedisClient, options: { keyPrefix: string; retentionMs?: number }): PresenceStore {
  const keys = relayKeys(options.keyPrefix);
  const retention = String(options.retentionMs ?? 30 * 24 * 3600 * 1000);
  const record = async (agency: string, system: string, atMs: number, heldUntil: string) => {
    await RECORD.run(redis, [keys.presence(agency), keys.presenceHolds(agency)], [system, String(atMs), heldUntil, retention]);
  };
  const systems: PresenceStore['systems'] = async (agency, nowMs) => {
    const [active, holds] = await redis.multi().hGetAll(keys.presence(agency)).hGetAll(keys.presenceHolds(agency)).execTyped();
    const presence = Object.entries(active).map(([system, ms]): [string, SystemPresence] => [
      system,
      { activeMs: Number(ms), heldUntilMs: Object.hasOwn(holds, system) ? Number(holds[system]) : null },
    ]);
    return listSystems(presence, nowMs);
  };
  return {
    async markActive(agency, system, atMs) {
      await record(agency, system, atMs, '');
    },
    async hold(agency, system, atMs, untilMs) {
      await record(agency, system, atMs, String(untilMs));
    },
    async lastSeen(agency, nowMs) {
      return (await systems(agency, nowMs))[0]?.lastSeenMs ?? null;
    },
    systems,
  };
}
