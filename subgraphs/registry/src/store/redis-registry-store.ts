/**
 * Redis RegistryStore: the source of truth when REDIS_URL is set. A commit is one Lua script: it checks every
 * record's revision, then writes them all and bumps the collections' versions, so replicas never interleave.
 */
import { redisScript, type RedisClient } from '@lgsp/kit';
import { recordKey, type CollectionName, type Collections, type RegistryStore } from './registry-store.ts';
import { registryKeys } from './keys.ts';

// KEYS: for each write its records hash, then each touched collection's version key.
// ARGV: n (writes), then per write: field, expected revision, JSON with the new revision.
// Returns {1} when written, {0, index} (1-based write) on a revision mismatch.
const COMMIT = redisScript(`
local n = tonumber(ARGV[1])
for i = 1, n do
  local current = redis.call('HGET', KEYS[i], ARGV[2 + (i - 1) * 3])
  local revision = 0
  if current then revision = cjson.decode(current)['revision'] end
  if revision ~= tonumber(ARGV[3 + (i - 1) * 3]) then return {0, i} end
end
for i = 1, n do
  redis.call('HSET', KEYS[i], ARGV[2 + (i - 1) * 3], ARGV[4 + (i - 1) * 3])
end
for k = n + 1, #KEYS do redis.call('INCR', KEYS[k]) end
return {1}
`);

export function createRedisRegistryStore(redis: RedisClient, options: { keyPrefix: string }): RegistryStore {
  const keys = registryKeys(options.keyPrefix);
  return {
    async get<C extends CollectionName>(collection: C, key: string) {
      const json = await redis.hGet(keys.records(collection), key);
      return json === null ? null : (JSON.parse(json) as Collections[C]);
    },
    async list<C extends CollectionName>(collection: C) {
      const all = await redis.hGetAll(keys.records(collection));
      return Object.entries(all)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, json]) => JSON.parse(json) as Collections[C]);
    },
    async commit(writes) {
      if (writes.length === 0) return { committed: true, revisions: [] };
      const touched = [...new Set(writes.map((w) => w.collection))];
      const args: string[] = [String(writes.length)];
      for (const w of writes) {
        args.push(recordKey(w.collection, w.record), String(w.expectedRevision), JSON.stringify({ ...w.record, revision: w.expectedRevision + 1 }));
      }
      const reply = (await COMMIT.run(redis, [...writes.map((w) => keys.records(w.collection)), ...touched.map((c) => keys.version(c))], args)) as number[];
      if (reply[0] === 1) return { committed: true, revisions: writes.map((w) => w.expectedRevision + 1) };
      const failed = writes[(reply[1] ?? 1) - 1]!;
      return { committed: false, conflict: { collection: failed.collection, key: recordKey(failed.collection, failed.record) } };
    },
    async version(collection) {
      return Number((await redis.get(keys.version(collection))) ?? 0);
    },
    async close() {},
  };
}
