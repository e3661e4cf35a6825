/**
 * Revocations in Redis, shared by every gateway replica (and by whoever revokes: the registry, an operator's tool).
 * Keys (named in ../../redis-keys.ts; prefix `lgsp:` in deployment):
 * - `<prefix>revocations:{revocations}:items`   hash: client id → revocation JSON
 * - `<prefix>revocations:{revocations}:version` string: incremented with every change (same hash slot)
 * - channel `<prefix>revocations:changed` (the keys @lgsp/access uses): the new version, published with every change.
 * Each change is one Lua script: the write, the new version and its publication happen together or not at all.
 */
import { redisScript, type RedisClient } from '@lgsp/kit';
import { revocationKeys } from '../../redis-keys.ts';
import { parseRevocation, validRevocation, type CredentialRevocations, type Revocation } from './credential-revocations.ts';

// KEYS: items, version. ARGV: channel, client id, revocation JSON (absent: remove). Answers 1 when something changed.
const CHANGE = redisScript(`
if ARGV[3] then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
elseif redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
redis.call('PUBLISH', ARGV[1], redis.call('INCR', KEYS[2]))
return 1`);

export interface RedisCredentialRevocationsOptions {
  keyPrefix: string;
  /**
   * Told of each stored entry that does not read as a revocation (written by hand, or by an older schema). It still
   * counts as revoked (its key is the client id): a credential is never let back in by a garbled entry.
   */
  onUnreadable?: (clientId: string, error: Error) => void;
}

export function createRedisCredentialRevocations(redis: RedisClient, options: RedisCredentialRevocationsOptions): CredentialRevocations {
  const keys = revocationKeys(options.keyPrefix);
  const subscribers = new Set<RedisClient>();
  return {
    async revoke(clientId, details) {
      const revocation = validRevocation(clientId, details);
      await CHANGE.run(redis, [keys.items, keys.version], [keys.channel, clientId, JSON.stringify(revocation)]);
    },
    restore: async (clientId) => (await CHANGE.run(redis, [keys.items, keys.version], [keys.channel, clientId])) === 1,
    async list() {
      const entries = await redis.hGetAll(keys.items);
      const revocations: Revocation[] = [];
      for (const [clientId, json] of Object.entries(entries)) {
        try {
          revocations.push({ ...parseRevocation(json), clientId });
        } catch (error) {
          options.onUnreadable?.(clientId, error as Error);
          revocations.push({ clientId, at: new Date(0).toISOString(), reason: '(unreadable entry)', by: '(unknown)' });
        }
      }
      return revocations.sort((a, b) => a.clientId.localeCompare(b.clientId));
    },
    isRevoked: async (clientId) => (await redis.hExists(keys.items, clientId)) === 1,
    version: async () => Number((await redis.get(keys.version)) ?? 0),
    async subscribe(listener) {
      const subscriber = redis.duplicate() as RedisClient;
      subscriber.on('error', () => {
        /* reconnects on its own; a missed message is covered by the 'ready' notification below and the watch's poll */
      });
      let ready = false;
      subscriber.on('ready', () => {
        if (ready) listener();
        ready = true;
      });
      await subscriber.connect();
      await subscriber.subscribe(keys.channel, () => listener());
      subscribers.add(subscriber);
      return async () => {
        if (!subscribers.delete(subscriber)) return;
        await subscriber.quit().catch(() => undefined);
      };
    },
    async close() {
      await Promise.all([...subscribers].map((s) => s.quit().catch(() => undefined)));
      subscribers.clear();
    },
  };
}
