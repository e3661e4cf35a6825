/**
 * Grants in Redis, shared by every gateway replica. Keys (named in ../../redis-keys.ts; prefix `lgsp:` in deployment):
 * - `<prefix>grants:{grants}:items`   hash: grant id → grant JSON
 * - `<prefix>grants:{grants}:version` string: incremented with every change (same hash slot, so one MULTI)
 * - channel `<prefix>grants:changed`: the new version is published after every change; each replica's policy
 *   cache listens and drops what it knows at once.
 */
import type { RedisClient } from '@lgsp/kit';
import { grantKeys } from '../../redis-keys.ts';
import { ANY_AGENCY, parseGrant, type Grant } from './grant.ts';
import type { GrantStore } from './grant-store.ts';

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
  const changed = async (write: (multi: ReturnType<RedisClient['multi']>) => void): Promise<void> => {
    const multi = redis.multi();
    write(multi);
    multi.incr(keys.version);
    const replies = await multi.exec();
    const version = replies[replies.length - 1];
    await redis.publish(keys.channel, String(version));
  };

  return {
    list: all,
    grantsFor: async (consumer) => (await all()).filter((g) => g.consumer === consumer || g.consumer === ANY_AGENCY),
    async get(id) {
      const json = await redis.hGet(keys.items, id);
      return json === null || json === undefined ? null : decode(json);
    },
    async put(grant) {
      const valid = parseGrant(grant);
      await changed((multi) => multi.hSet(keys.items, valid.id, JSON.stringify(valid)));
    },
    async remove(id) {
      const removed = await redis.hDel(keys.items, id);
      if (removed === 0) return false;
      await changed(() => undefined);
      return true;
    },
    version: async () => Number((await redis.get(keys.version)) ?? 0),
    async subscribe(listener) {
      const subscriber = redis.duplicate() as RedisClient;
      subscriber.on('error', () => {
        /* reconnects on its own; a missed message is covered by the 'ready' notification below */
      });
      let ready = false;
      subscriber.on('ready', () => {
        // After a reconnect, changes may have been published while we were away: tell the listener.
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
