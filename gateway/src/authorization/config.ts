/**
 * The authorization part of the gateway's configuration (merged into config.ts's schema and table):
 *
 * | variable               | default                                                   | meaning |
 * | ---------------------- | --------------------------------------------------------- | ------- |
 * | `AUTHORIZATION_MODE`   | `filter`                                                  | `filter`: unauthorized fields removed, null with an error; `reject`: the whole operation refused; `dry-run`: decisions only reported (`extensions.authorization`) |
 * | `GRANTS_FILE`          | `gateway/src/authorization/grants/development-grants.json` outside production, unset in production | field sets (which policies are personal data) and grants; the grants seed an empty GrantStore |
 * | `GRANTS_CACHE_TTL_MS`  | `60000`                                                   | longest time an agency's grants stay cached without a change notification |
 * | `REDIS_KEY_PREFIX`     | `lgsp:`                                                   | prefix of the gateway's Redis keys (`lgsp:grants:…`) |
 *
 * With `REDIS_URL`, grants live in Redis and every replica hears about changes; otherwise in memory.
 */
import { env } from '@lgsp/kit';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { AuthorizationMode } from './authorizing-gateway.ts';

/** The development grants shipped with the gateway (field sets and grants of the development agencies). */
export const DEVELOPMENT_GRANTS_FILE = fileURLToPath(new URL('./grants/development-grants.json', import.meta.url));

export const authorizationEnv = {
  AUTHORIZATION_MODE: z.enum(['filter', 'reject', 'dry-run'], { message: 'must be filter, reject or dry-run' }).default('filter'),
  GRANTS_FILE: z.string().min(1).optional(),
  GRANTS_CACHE_TTL_MS: env.positiveInt(60_000),
  REDIS_KEY_PREFIX: env.redisKeyPrefix(),
};

export interface AuthorizationConfig {
  mode: AuthorizationMode;
  /** Absolute path of the grants file, or undefined (no field set declarations, no seeding). */
  grantsFile: string | undefined;
  grantsCacheTtlMs: number;
  redisKeyPrefix: string;
}

export function authorizationConfigFrom(
  parsed: { AUTHORIZATION_MODE: AuthorizationMode; GRANTS_FILE?: string | undefined; GRANTS_CACHE_TTL_MS: number; REDIS_KEY_PREFIX: string },
  production: boolean,
  repoRoot: string,
): AuthorizationConfig {
  const file = parsed.GRANTS_FILE;
  return {
    mode: parsed.AUTHORIZATION_MODE,
    grantsFile: file === undefined ? (production ? undefined : DEVELOPMENT_GRANTS_FILE) : isAbsolute(file) ? file : resolve(repoRoot, file),
    grantsCacheTtlMs: parsed.GRANTS_CACHE_TTL_MS,
    redisKeyPrefix: parsed.REDIS_KEY_PREFIX,
  };
}
