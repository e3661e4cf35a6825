/**
 * Every Redis key name of the gateway, and only here (prefix `lgsp:` in deployment, `REDIS_KEY_PREFIX`). Hash tags
 * (`{grants}`, `{ws-limits}`) keep the keys one script or MULTI touches in one Redis Cluster slot.
 */
import type { SlotKind } from './subscriptions/limits.ts';

export interface GrantKeys {
  /** Hash: grant id → grant JSON. */
  items: string;
  /** String: incremented with every change (same slot as `items`, so one script changes both). */
  version: string;
  /** Pub/sub channel: the new version, published after every change. */
  channel: string;
}

/** The grant store's keys (authorization/grants/redis-grant-store.ts). */
export function grantKeys(prefix: string): GrantKeys {
  const base = `${prefix}grants:{grants}`;
  return { items: `${base}:items`, version: `${base}:version`, channel: `${prefix}grants:changed` };
}

/** Every key the grant store may own under a prefix (cleaning up after tests). */
export function grantKeyPattern(prefix: string): string {
  return `${prefix}grants:*`;
}

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

/** The credential revocations' keys (auth/revocations/redis-credential-revocations.ts). */
export function revocationKeys(prefix: string) {
  const base = `${prefix}revocations:{revocations}`;
  return {
    /** Hash: client id → revocation JSON. */
    items: `${base}:items`,
    /** String: incremented with every change (same slot as `items`). */
    version: `${base}:version`,
    /** Pub/sub channel: the new version, published after every change. */
    channel: `${prefix}revocations:changed`,
  };
}

/** Every key of the credential revocations under a prefix (cleaning up after tests). */
export function revocationKeyPattern(prefix: string): string {
  return `${prefix}revocations:*`;
}
