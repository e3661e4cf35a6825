/**
 * Redis PacketContentStore: one hash per upload attempt, `c:<n>` fields holding encrypted chunks (binary) and
 * a `meta` field once complete. The key expires on its own at the packet's deadline, so content cannot outlive
 * its packet even when no sweep runs.
 */
import { RESP_TYPES } from 'redis';
import { redisScript, type RedisClient } from '@lgsp/kit';
import type { ContentMeta, PacketContentStore } from './content-store.ts';
import { relayKeys } from './keys.ts';

// KEYS: the attempt's hash. ARGV: expiry (ms since the epoch), then field, value pairs. One command, not a MULTI of
// three: the relay writes one of these per chunk.
const PUT_FIELDS = redisScript(`
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`);

export function createRedisContentStore(redis: RedisClient, options: { keyPrefix: string }): PacketContentStore {
  const keys = relayKeys(options.keyPrefix);
  const binary = redis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  return {
    async putChunk(packetId, attempt, index, data, expiresAtMs) {
      const key = keys.content(packetId, attempt);
      await PUT_FIELDS.run(redis, [key], [String(expiresAtMs), `c:${index}`, data]);
    },
    async putMeta(packetId, attempt, meta) {
      await redis.hSet(keys.content(packetId, attempt), 'meta', JSON.stringify(meta));
    },
    async putLast(packetId, attempt, index, data, meta, expiresAtMs) {
      const key = keys.content(packetId, attempt);
      await PUT_FIELDS.run(redis, [key], [String(expiresAtMs), `c:${index}`, data, 'meta', JSON.stringify(meta)]);
    },
    async getStart(packetId, attempt) {
      const [meta, first] = (await binary.hmGet(keys.content(packetId, attempt), ['meta', 'c:0'])) as unknown as Array<Buffer | null>;
      return { meta: meta === null || meta === undefined ? null : (JSON.parse(meta.toString('utf8')) as ContentMeta), first: first ?? null };
    },
    async getMeta(packetId, attempt) {
      const json = await redis.hGet(keys.content(packetId, attempt), 'meta');
      return json === null || json === undefined ? null : (JSON.parse(json) as ContentMeta);
    },
    async getChunk(packetId, attempt, index) {
      const chunk = (await binary.hGet(keys.content(packetId, attempt), `c:${index}`)) as unknown as Buffer | null;
      return chunk ?? null;
    },
    async delete(packetId, attempt) {
      // UNLINK frees a 200 MB hash in the background instead of blocking Redis.
      await redis.unlink(keys.content(packetId, attempt));
    },
  };
}
