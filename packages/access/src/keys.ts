/**
 * Every Redis key name of `@lgsp/access`, and only here (prefix `lgsp:` in deployment, `REDIS_KEY_PREFIX`). Hash tags
 * (`{grants}`, `{revocations}`) keep the keys one script changes in one Redis Cluster slot. The grant keys are the
 * ones the gateway used before this package existed, so a deployment keeps its grants.
 */

/** The keys of a store of versioned items: a hash, its version counter and the channel announcing each change. */
export interface VersionedKeys {
  /** Hash: id → JSON. */
  items: string;
  /** String: incremented with every change (same slot as `items`, so one script changes both). */
  version: string;
  /** Pub/sub channel: the new version, published after every change. */
  channel: string;
}

/** The grant store's keys (grants/redis-grant-store.ts): `<prefix>grants:{grants}:items|version`, `<prefix>grants:changed`. */
export function grantKeys(prefix: string): VersionedKeys {
  const base = `${prefix}grants:{grants}`;
  return { items: `${base}:items`, version: `${base}:version`, channel: `${prefix}grants:changed` };
}

/** Every key the grant store may own under a prefix (cleaning up after tests). */
export function grantKeyPattern(prefix: string): string {
  return `${prefix}grants:*`;
}

/** The credential revocations' keys (revocations/redis-credential-revocations.ts). */
export function revocationKeys(prefix: string): VersionedKeys {
  const base = `${prefix}revocations:{revocations}`;
  return { items: `${base}:items`, version: `${base}:version`, channel: `${prefix}revocations:changed` };
}

/** Every key of the credential revocations under a prefix (cleaning up after tests). */
export function revocationKeyPattern(prefix: string): string {
  return `${prefix}revocations:*`;
}

/** The change log's stream (changes/redis-change-log.ts): `<prefix>registry:changes`, one entry per change. */
export function changeLogKey(prefix: string): string {
  return `${prefix}registry:changes`;
}

/** Every key of the change log under a prefix (cleaning up after tests). */
export function changeLogKeyPattern(prefix: string): string {
  return `${prefix}registry:changes*`;
}
