/**
 * Every Redis key name the gateway itself owns, and only here (prefix `lgsp:` in deployment, `REDIS_KEY_PREFIX`). Hash
 * tags (`{ws-limits}`) keep the keys one script or MULTI touches in one Redis Cluster slot. The grants' and the
 * credential revocations' keys belong to the stores of @lgsp/access and are named in its keys module
 * (packages/access/src/keys.ts: `grantKeys`, `revocationKeys`, `changeLogKey`).
 */
import type { SlotKind } from './subscriptions/limits.ts';

/** The per-agency WebSocket limits' keys (subscriptions/redis-agency-slots.ts). */
export function agencySlotKeys(prefix: string) {
  const base = `${prefix}ws-limits:{ws-limits}`;
  return {
    /** Sorted set: the leases of one agency and kind, scored by expiry (ms). */
    slots: (kind: SlotKind, agency: string) => `${base}:${kind}:${agency}`,
  };
}

/** Every key of the WebSocket limits under a prefix (cleaning up after tests). */
export function agencySlotKeyPattern(prefix: string): string {
  return `${prefix}ws-limits:*`;
}

/**
 * The quota counters' keys (quotas/counter.ts): rate-limiter-flexible names each counter `<limiterPrefix>:<key>`,
 * with `key` = `<environment>:<agency code>:<service>`, a string with the window's count and TTL.
 */
export function quotaKeys(prefix: string) {
  return { limiterPrefix: `${prefix}quotas`, counter: (environment: string, agency: string, service: string) => `${environment}:${agency}:${service}` };
}

/** Every quota counter under a prefix (cleaning up after tests). */
export function quotaKeyPattern(prefix: string): string {
  return `${prefix}quotas:*`;
}
