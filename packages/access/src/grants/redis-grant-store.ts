/**
 * Grants in Redis, shared by every gateway replica. Keys (named in ../keys.ts; prefix `lgsp:` in deployment):
 * - `<prefix>grants:{grants}:items`   hash: grant id → grant JSON
 * - `<prefix>grants:{grants}:version` string: incremented with every change (same hash slot, so one script)
 * - channel `<prefix>grants:changed`: the new version is published with every change; each replica's policy
 *   cache listens and drops what it knows at once.
 * Every change is one Lua script: the write, the new version and its publication happen together or not at all, and
 * a conditional change (`putAll`, `removeIfVersion`) checks the version in the same step.
 */
import { redisScript, type RedisClient } from '@lgsp/kit';
import { grantKeys } from '../keys.ts';
import { closeChannels, listenToChannel } from '../redis-channel.ts';
import { ANY_AGENCY, parseGrant, type Grant } from './grant.ts';
import { UnreadableGrantError, type ConditionalRemoval, type GrantStore } from './grant-store.ts';

/** In place of an expected version: change whatever the version is (`put`, `remove`). */
const ANY_VERSION = '';

// KEYS: items, version. ARGV: expected version (or ANY_VERSION), channel, then grant id and JSON pairs.
// Answers 1 when written (nothing to write included), 0 when the version is not the expected one (nothing written).
const PUT = redisScript(`
if ARGV[1] ~= '' and (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
if #ARGV == 2 then return 1 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PUBLISH', ARGV[2], redis.call('INCR', KEYS[2]))
return 1`);

// KEYS: items, version. ARGV: expected version (or ANY_VERSION), channel, grant id.
const REMOVE = redisScript(`
if ARGV[1] ~= '' and (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 'stale' end
if redis.call('HDEL', KEYS[1], ARGV[3]) == 0 then return 'absent' end
redis.call('PUBLISH', ARGV[2], redis.call('INCR', KEYS[2]))
return 'removed'`);

export interface RedisGrantStoreOptions {
  keyPrefix: string;
  /**
   * Told of each stored grant that no longer reads as a grant (written by hand, or by an older schema): it is left
   * out of `list` and `grantsFor`, so it grants nothing (deny unless granted), and the others still apply. `get`
   * still throws for it, so that it can be looked at and revoked (`npm run grants -- revoke <id>`).
   */
  onUnreadable?: (id: string, error: Error) => void;
}

export function createRedisGrantStore(redis: RedisClient, options: RedisGrantStoreOptions): GrantStore {
  const keys = grantKeys(options.keyPrefix);
  const subscribers = new Set<RedisClient>();

  const decode = (json: string): Grant => parseGrant(JSON.parse(json));
  const all = async (): Promise<Grant[]> => {
    const entries = await redis.hGetAll(keys.items);
    const grants: Grant[] = [];
    for (const [id, json] of Object.entries(entries)) {
      try {
        grants.push(decode(json));
      } catch (error) {
        options.onUnreadable?.(id, error as Error);
      }
    }
    return grants.sort((a, b) => a.id.localeCompare(b.id));
  };
  const write = async (grants: Grant[], expectedVersion: string): Promise<boolean> => {
    const pairs = grants.map(parseGrant).flatMap((grant) => [grant.id, JSON.stringify(grant)]);
    return (await PUT.run(redis, [keys.items, keys.version], [expectedVersion, keys.channel, ...pairs])) === 1;
  };
  const removeGrant = async (id: string, expectedVersion: string) =>
    (await REMOVE.run(redis, [keys.items, keys.version], [expectedVersion, keys.channel, id])) as ConditionalRemoval;

  return {
    list: all,
    grantsFor: async (consumer) => (await all()).filter((g) => g.consumer === consumer || g.consumer === ANY_AGENCY),
    async get(id) {
      const json = await redis.hGet(keys.items, id);
      if (json === null || json === undefined) return null;
      try {
        return decode(json);
      } catch (error) {
        throw new UnreadableGrantError((error as Error).message);
      }
    },
    async put(grant) {
      await write([grant], ANY_VERSION);
    },
    remove: async (id) => (await removeGrant(id, ANY_VERSION)) === 'removed',
    putAll: (grants, expectedVersion) => write(grants, String(expectedVersion)),
    removeIfVersion: (id, expectedVersion) => removeGrant(id, String(expectedVersion)),
    version: async () => Number((await redis.get(keys.version)) ?? 0),
    subscribe: (listener) => listenToChannel(redis, keys.channel, listener, subscribers),
    close: () => closeChannels(subscribers),
  };
}
