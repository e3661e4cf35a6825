/**
 * AgencySlots in Redis: the per-agency WebSocket limits hold across every gateway replica sharing the Redis.
 *
 * Keys (prefix `lgsp:` in deployment, `REDIS_KEY_PREFIX`), all under one hash tag so that one script can refresh a
 * replica's leases whatever agencies they belong to:
 * - `<prefix>ws-limits:{ws-limits}:<kind>:<agency>` sorted set: one member per lease, `<replica>:<lease>`, scored
 *   by its expiry (ms, Redis's clock: replicas' clocks do not matter).
 *
 * - acquire: one script drops expired members, counts the rest and adds the lease only under the limit.
 * - release: ZREM.
 * - every `refreshMs`, one script sets the expiry of every lease this replica holds to now + `leaseTtlMs` (adding back
 *   any that lapsed while Redis was away: the sets count what is really open). A replica that dies stops refreshing:
 *   its slots come back within the TTL.
 * - close: one script removes the leases still held.
 *
 * Redis unavailable (not connected, or no answer within `acquireTimeoutMs`) → fail open: the slot is decided on this
 * replica's own count of its leases, against the same limit, with a warning and `onFailure('acquire')`. The limits
 * keep one agency from crowding out the others; they are not an access decision (authentication and authorization
 * still apply in full), and refusing every connection and subscription of every agency while Redis is away would turn
 * a Redis outage into an outage of the province's 24/7 event feeds. Counting locally still bounds an agency at the
 * limit per replica, which is what each replica enforced on its own before. Leases taken that way are written to Redis
 * by the next refresh once it answers again, so the shared count catches up with what is open.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { redisScript, type Logger, type RedisClient } from '@lgsp/kit';
import { agencySlotKeys } from '../redis-keys.ts';
import type { AgencySlots, Lease, SlotKind } from './limits.ts';

/** The Redis commands of the limits that can fail; `acquire` failing means the slot was counted locally. */
export type SlotStoreOperation = 'acquire' | 'refresh' | 'release';

export interface RedisAgencySlotsOptions {
  keyPrefix: string;
  /** How long a lease lives without a refresh (GATEWAY_WS_LIMIT_LEASE_TTL_MS). */
  leaseTtlMs: number;
  /** How often this replica refreshes all its leases in one command (GATEWAY_WS_LIMIT_REFRESH_MS). */
  refreshMs: number;
  /** How long `acquire` waits for Redis before deciding on the local count. */
  acquireTimeoutMs?: number;
  logger: Logger;
  /** Called for every Redis command of the limits that failed or did not answer in time (metrics). */
  onFailure?: (operation: SlotStoreOperation) => void;
}

/** Long enough for a loaded Redis, short enough that a client opening a connection does not notice much. */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 1_000;

// Redis's clock in ms, so that expiries do not depend on the replicas' clocks.
const NOW = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

// KEYS: the agency's leases of one kind. ARGV: member, limit, ttl ms. Answers 1 when taken, 0 at the limit.
const ACQUIRE = redisScript(`${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

// KEYS: sets of leases. ARGV: ttl ms, then per key in order: how many members, the members. Every member expires at
// now + ttl (added back if it had lapsed); every key lives as long as its latest lease.
const REFRESH = redisScript(`${NOW}
local ttl = tonumber(ARGV[1])
local expiry = now + ttl
local at = 2
for k = 1, #KEYS do
  local n = tonumber(ARGV[at])
  local batch = {}
  for i = at + 1, at + n do
    batch[#batch + 1] = expiry
    batch[#batch + 1] = ARGV[i]
    if #batch == 1000 then
      redis.call('ZADD', KEYS[k], unpack(batch))
      batch = {}
    end
  end
  if #batch > 0 then redis.call('ZADD', KEYS[k], unpack(batch)) end
  redis.call('PEXPIRE', KEYS[k], ttl)
  at = at + n + 1
end
return 1`);

// KEYS: sets of leases. ARGV: per key in order: how many members, the members. Removes them.
const REMOVE = redisScript(`
local at = 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[at])
  for first = at + 1, at + n, 500 do
    redis.call('ZREM', KEYS[k], unpack(ARGV, first, math.min(first + 499, at + n)))
  end
  at = at + n + 1
end
return 1`);

// KEYS: the agency's leases of one kind. Answers how many have not expired.
const COUNT = redisScript(`${NOW}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`);

export function createRedisAgencySlots(redis: RedisClient, options: RedisAgencySlotsOptions): AgencySlots {
  const keys = agencySlotKeys(options.keyPrefix);
  const ttl = String(options.leaseTtlMs);
  const acquireTimeoutMs = options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
  const logger = options.logger.child({ component: 'ws-limits' });
  // Tells this replica's leases apart from the others' (the host name shows operators who holds a slot).
  const replica = `${hostname()}/${randomBytes(4).toString('hex')}`;
  let sequence = 0;
  /** Redis key → the members (leases) this replica holds under it. */
  const held = new Map<string, Set<string>>();
  const acquiring = new Set<Promise<unknown>>();
  /** Leases released while a refresh is in flight: that refresh may write them back (see refresh). */
  let releasedDuringRefresh: Array<[key: string, member: string]> | undefined;
  let closed = false;
  let degraded = false;

  const failed = (operation: SlotStoreOperation, error: unknown) => {
    options.onFailure?.(operation);
    if (degraded) return; // one warning per outage; the metric counts every failure
    degraded = true;
    logger.warn(
      { event: 'ws.limits.redis_unavailable', operation, err: error },
      'Redis unavailable: WebSocket limits count on this replica only until it answers',
    );
  };
  const answered = () => {
    if (!degraded) return;
    degraded = false;
    logger.info({ event: 'ws.limits.redis_available' }, 'Redis answers again: WebSocket limits count across replicas');
  };
  const remove = (key: string, member: string) => {
    void (async () => {
      try {
        await redis.zRem(key, member);
      } catch (error) {
        failed('release', error); // the lease lapses after the TTL
      }
    })();
  };
  /** `work`, or a rejection when Redis has not answered it within `acquireTimeoutMs`. */
  const inTime = <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${acquireTimeoutMs} ms`)), acquireTimeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  };
  /** KEYS and ARGV (count, members… per key) naming every lease held now. */
  const heldNow = (): { keys: string[]; args: string[] } => {
    const args: string[] = [];
    for (const members of held.values()) args.push(String(members.size), ...members);
    return { keys: [...held.keys()], args };
  };

  const hold = (key: string, member: string): Lease => {
    let members = held.get(key);
    if (members === undefined) held.set(key, (members = new Set()));
    members.add(member);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const members = held.get(key);
        members?.delete(member);
        if (members?.size === 0) held.delete(key);
        if (closed) return; // close() removed it already, or could not and the TTL will
        releasedDuringRefresh?.push([key, member]);
        remove(key, member);
      },
    };
  };

  const acquireFromRedis = async (kind: SlotKind, agency: string, limit: number): Promise<Lease | undefined> => {
    const key = keys.slots(kind, agency);
    sequence += 1;
    const member = `${replica}:${sequence.toString(36)}`;
    const local = () => ((held.get(key)?.size ?? 0) < limit ? hold(key, member) : undefined);
    if (!redis.isReady) {
      failed('acquire', new Error('Redis is not connected'));
      return local();
    }
    const answer = ACQUIRE.run(redis, [key], [member, String(limit), ttl]).then((taken) => Number(taken) === 1);
    try {
      const taken = await inTime(answer);
      answered();
      return taken ? hold(key, member) : undefined;
    } catch (error) {
      failed('acquire', error);
    }
    // A late answer may still take the slot in Redis: it stays when the local lease is still held (it is the same
    // member), and is handed back otherwise. A release sent meanwhile follows the script on this connection anyway.
    void answer.then(
      (taken) => {
        if (taken && held.get(key)?.has(member) !== true) remove(key, member);
      },
      () => undefined,
    );
    return local();
  };

  const refresh = async () => {
    if (closed || held.size === 0 || releasedDuringRefresh !== undefined) return;
    if (!redis.isReady) {
      failed('refresh', new Error('Redis is not connected'));
      return;
    }
    const { keys: leaseKeys, args } = heldNow();
    releasedDuringRefresh = [];
    try {
      await REFRESH.run(redis, leaseKeys, [ttl, ...args]);
      answered();
    } catch (error) {
      failed('refresh', error);
    } finally {
      // The script may have run after their ZREM (e.g. sent again after NOSCRIPT): remove them once more.
      for (const [key, member] of releasedDuringRefresh) remove(key, member);
      releasedDuringRefresh = undefined;
    }
  };
  const refresher = setInterval(() => void refresh(), options.refreshMs);
  refresher.unref();

  return {
    acquire(kind, agency, limit) {
      if (closed) return Promise.resolve(undefined);
      const acquired = acquireFromRedis(kind, agency, limit);
      acquiring.add(acquired);
      const settled = () => acquiring.delete(acquired);
      acquired.then(settled, settled);
      return acquired;
    },
    async count(kind, agency) {
      return Number(await COUNT.run(redis, [keys.slots(kind, agency)], []));
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(refresher);
      await Promise.allSettled([...acquiring]);
      if (held.size === 0) return;
      const { keys: leaseKeys, args } = heldNow();
      held.clear();
      if (!redis.isReady) return; // the TTL hands them back
      try {
        await inTime(REMOVE.run(redis, leaseKeys, args));
      } catch (error) {
        failed('release', error);
      }
    },
  };
}
