/**
 * Credential revocations in Redis, shared by the registry and every gateway replica. Keys (named in ../keys.ts):
 * - `<prefix>revocations:{revocations}:items`   hash: client id → revocation JSON
 * - `<prefix>revocations:{revocations}:version` string: incremented with every change (same slot: one script)
 * - channel `<prefix>revocations:changed`: the new version, published with every change.
 * Every change is one Lua script, so the write, the version and the announcement happen together or not at all.
 */
import { redisScript, type RedisClient } from '@lgsp/kit';
import { revocationKeys } from '../keys.ts';
import { closeChannels, listenToChannel } from '../redis-channel.ts';
import { checkClientId, parseRevocation, revocationSchema, type CredentialRevocations, type Revocation } from './credential-revocations.ts';

// KEYS: items, version. ARGV: channel, client id, revocation JSON.
const REVOKE = redisScript(`
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PUBLISH', ARGV[1], redis.call('INCR', KEYS[2]))
return 1`);

// KEYS: items, version. ARGV: channel, client id. Answers 1 when there was a revocation.
const RESTORE = redisScript(`
if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
redis.call('PUBLISH', ARGV[1], redis.call('INCR', KEYS[2]))
return 1`);

export function createRedisCredentialRevocations(
  redis: RedisClient,
  options: {
    keyPrefix: string;
    /**
     * Told of a stored entry that does not read as a revocation (written by hand). It still revokes (deny when in
     * doubt): `list` shows it with the reason `unreadable: …`.
     */
    onUnreadable?: (clientId: string, error: Error) => void;
  },
): CredentialRevocations {
  const keys = revocationKeys(options.keyPrefix);
  const subscribers = new Set<RedisClient>();
  return {
    async revoke(clientId, details) {
      const revocation = parseRevocation(clientId, details);
      await REVOKE.run(redis, [keys.items, keys.version], [keys.channel, clientId, JSON.stringify(revocation)]);
    },
    async restore(clientId) {
      checkClientId(clientId);
      return (await RESTORE.run(redis, [keys.items, keys.version], [keys.channel, clientId])) === 1;
    },
    async list() {
      const found: Revocation[] = [];
      for (const [clientId, json] of Object.entries(await redis.hGetAll(keys.items))) {
        try {
          found.push(revocationSchema.parse(JSON.parse(json)));
        } catch (error) {
          options.onUnreadable?.(clientId, error as Error);
          found.push({ clientId, at: new Date(0).toISOString(), reason: `unreadable: ${(error as Error).message}`.slice(0, 500), by: 'unknown' });
        }
      }
      return found.sort((a, b) => a.clientId.localeCompare(b.clientId));
    },
    async isRevoked(clientId) {
      checkClientId(clientId);
      // An entry that does not read as a revocation still revokes: deny when in doubt.
      return (await redis.hExists(keys.items, clientId)) === 1;
    },
    version: async () => Number((await redis.get(keys.version)) ?? 0),
    subscribe: (listener) => listenToChannel(redis, keys.channel, listener, subscribers),
    close: () => closeChannels(subscribers),
  };
}
