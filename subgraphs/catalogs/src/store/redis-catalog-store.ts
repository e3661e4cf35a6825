/**
 * Redis CatalogStore: the source of truth when REDIS_URL is set. Publishing is one Lua script, so the version
 * number, the data, the metadata and the current pointer change together, and two replicas seeding an empty
 * catalog at the same moment publish exactly one version.
 */
import { ErrorCode, LgspError, type RedisClient } from '@lgsp/kit';
import type { CatalogName, NewCatalogVersion } from '../domain/catalog.ts';
import { toInfo, type CatalogStore, type PublishOptions, type PublishResult, type StoredVersionMeta } from './catalog-store.ts';
import { catalogKeys } from './keys.ts';

// KEYS: sequence, versions, payloads, current. ARGV: meta JSON, payload JSON, onlyIfEmpty (1/0), makeCurrent (1/0),
// ifCurrentIs ('' = no condition, '0' = only when there is no current version, else the version number).
// Returns {1, version} when published, {0, currentVersion} when a condition refused (currentVersion 0: none).
const PUBLISH = `
local current = redis.call('GET', KEYS[4])
if ARGV[3] == '1' and current then return {0, tonumber(current)} end
if ARGV[5] ~= '' and (current or '0') ~= ARGV[5] then return {0, tonumber(current or '0')} end
local version = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[3], version, ARGV[2])
redis.call('HSET', KEYS[2], version, ARGV[1])
if ARGV[4] == '1' then redis.call('SET', KEYS[4], version) end
return {1, version}
`;

// KEYS: versions, current. ARGV: version. Returns 0 when the version does not exist.
const SET_CURRENT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
return 1
`;

export function createRedisCatalogStore(redis: RedisClient, options: { keyPrefix: string }): CatalogStore {
  const keys = (catalog: CatalogName) => catalogKeys(options.keyPrefix, catalog);
  const parseMeta = (json: string) => JSON.parse(json) as StoredVersionMeta;

  return {
    async currentVersion(catalog) {
      const value = await redis.get(keys(catalog).current);
      return value === null ? null : Number(value);
    },
    async versions(catalog) {
      const all = await redis.hGetAll(keys(catalog).versions);
      return Object.entries(all)
        .map(([version, meta]) => toInfo(catalog, Number(version), parseMeta(meta)))
        .sort((a, b) => a.version - b.version);
    },
    async versionInfo(catalog, version) {
      const meta = await redis.hGet(keys(catalog).versions, String(version));
      return meta === null ? null : toInfo(catalog, version, parseMeta(meta));
    },
    async readPayload(catalog, version) {
      const payload = await redis.hGet(keys(catalog).payloads, String(version));
      return payload === null ? null : (JSON.parse(payload) as unknown);
    },
    async publish(catalog: CatalogName, next: NewCatalogVersion, publishOptions: PublishOptions = {}): Promise<PublishResult> {
      const k = keys(catalog);
      const meta: StoredVersionMeta = { publishedAt: new Date().toISOString(), source: next.source, itemCount: next.itemCount, label: next.label ?? null };
      const reply = (await redis.eval(PUBLISH, {
        keys: [k.sequence, k.versions, k.payloads, k.current],
        arguments: [
          JSON.stringify(meta),
          JSON.stringify(next.payload),
          publishOptions.onlyIfEmpty === true ? '1' : '0',
          publishOptions.makeCurrent === false ? '0' : '1',
          publishOptions.ifCurrentIs === undefined ? '' : String(publishOptions.ifCurrentIs ?? 0),
        ],
      })) as [number, number];
      const [published, version] = reply;
      if (published === 1) return { info: toInfo(catalog, version, meta), published: true };
      if (version === 0) throw new LgspError(ErrorCode.NOT_FOUND, `${catalog} has no current version (ifCurrentIs ${publishOptions.ifCurrentIs})`);
      const existing = await redis.hGet(k.versions, String(version));
      if (existing === null) throw new Error(`${catalog}: current version ${version} has no metadata`);
      return { info: toInfo(catalog, version, parseMeta(existing)), published: false };
    },
    async setCurrentVersion(catalog, version) {
      const k = keys(catalog);
      const done = (await redis.eval(SET_CURRENT, { keys: [k.versions, k.current], arguments: [String(version)] })) as number;
      if (done !== 1) throw new LgspError(ErrorCode.NOT_FOUND, `${catalog} has no version ${version}`);
    },
  };
}
