/**
 * The Redis keys the backup commands own, and only here (prefix `lgsp:` in deployment, `REDIS_KEY_PREFIX`):
 *
 * | key | type | what |
 * | --- | --- | --- |
 * | `<prefix>platform:identity` | string | JSON `{ id, createdAt }`: this installation's identity, made by the first backup; archived and restored with the data |
 * | `<prefix>restore-staging:<run>:…` | any | a restore's staged copy of the archive (renamed over the live keys at the end; expires after an hour if a restore died) |
 */
export function platformIdentityKey(prefix: string): string {
  return `${prefix}platform:identity`;
}

/** Where one restore run stages its keys: the archive's keys under this prefix, so the staged data reads like a platform. */
export function stagingPrefix(prefix: string, run: string): string {
  return `${prefix}restore-staging:${run}:`;
}

/** Every staged key of any restore run under `prefix` (never archived, never counted as the platform's data). */
export function stagingKeyPattern(prefix: string): string {
  return `${prefix}restore-staging:*`;
}

export function isStagingKey(prefix: string, key: string): boolean {
  return key.startsWith(`${prefix}restore-staging:`);
}
