/**
 * Counting against a quota, with `rate-limiter-flexible`: `RateLimiterRedis` on the gateway's Redis (every replica
 * counts against the same window: one Lua script per consume, atomic), or `RateLimiterMemory` without Redis (one
 * process). Windows are fixed: the first request after a window ends opens the next one for `perSeconds` seconds.
 *
 * If Redis fails or is not connected, a consume falls back to an in-memory limiter of the same quota (the library's
 * `insuranceLimiter`): each replica then counts on its own until Redis is back, rather than refusing every caller
 * or letting every request through. Redis being down is reported by `/health/ready`.
 */
import type { RedisClient } from '@lgsp/kit';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Quota } from '@lgsp/access';

/** The state of one quota after a request was counted. */
export interface QuotaCount {
  /** Whether this request was within the quota. */
  allowed: boolean;
  /** Requests still allowed in the current window (0 when refused). */
  remaining: number;
  /** Milliseconds until the current window ends and the quota is whole again. */
  msBeforeReset: number;
}

/** Counts requests against quotas; `key` names the counter (agency, environment and service). */
export interface QuotaCounter {
  consume(key: string, quota: Quota): Promise<QuotaCount>;
}

/** A counter over `rate-limiter-flexible` limiters (one per distinct quota, all on the same keys). */
export function createQuotaCounter(options: { redis?: RedisClient | undefined; keyPrefix: string }): QuotaCounter {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (quota: Quota): RateLimiterAbstract => {
    const id = `${quota.requests}/${quota.perSeconds}`;
    let limiter = limiters.get(id);
    if (limiter === undefined) {
      const shape = { keyPrefix: options.keyPrefix, points: quota.requests, duration: quota.perSeconds };
      limiter =
        options.redis === undefined
          ? new RateLimiterMemory(shape)
          : new RateLimiterRedis({
              ...shape,
              storeClient: options.redis,
              useRedisPackage: true,
              // Not connected: count in memory at once, instead of queueing the command until Redis is back.
              rejectIfRedisNotReady: true,
              insuranceLimiter: new RateLimiterMemory(shape),
            });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return {
    async consume(key, quota) {
      try {
        const result = await limiterFor(quota).consume(key, 1);
        return { allowed: true, remaining: result.remainingPoints, msBeforeReset: result.msBeforeNext };
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        return { allowed: false, remaining: 0, msBeforeReset: refusal.msBeforeNext };
      }
    },
  };
}
