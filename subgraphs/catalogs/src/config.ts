/** The catalogs service's environment, read and checked once (see README "Configuration"). */
import { z } from 'zod';
import { env, loadConfig } from '@lgsp/kit';

export const configSchema = z
  .object({
    PORT: env.port(4101),
    HOST: env.host(),
    LOG_LEVEL: env.logLevel(),
    /** Redis holds the catalog versions; unset = in-memory store (embedded mode). */
    REDIS_URL: env.redisUrl().optional(),
    /** Prefix of every Redis key (`<prefix>catalogs:…`). */
    REDIS_KEY_PREFIX: env.redisKeyPrefix(),
    GATEWAY_JWKS_URL: env.url().default('http://127.0.0.1:4000/.well-known/jwks.json'),
    /** Key that signs pagination cursors; give every replica the same one. Unset = random per process. */
    CATALOGS_CURSOR_SECRET: env.secret().optional(),
    /** After a rotation: the secret CATALOGS_CURSOR_SECRET replaced; cursors it signed are still read. */
    CATALOGS_CURSOR_SECRET_PREVIOUS: env.secret().optional(),
    /** Events kept in the `catalog-changed` topic (XADD MAXLEN ~), as the subscriptions service's EVENTS_RETENTION. */
    EVENTS_RETENTION: env.positiveInt(10_000),
    /** How long (ms) the current-version pointer read from the store is reused before it is read again. */
    CATALOGS_VERSION_CHECK_MS: env.nonNegativeInt(1_000),
  })
  .superRefine((c, ctx) => {
    if (c.CATALOGS_CURSOR_SECRET_PREVIOUS === undefined) return;
    if (c.CATALOGS_CURSOR_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['CATALOGS_CURSOR_SECRET_PREVIOUS'],
        message: 'needs CATALOGS_CURSOR_SECRET (the secret new cursors are signed with)',
      });
    } else if (c.CATALOGS_CURSOR_SECRET_PREVIOUS === c.CATALOGS_CURSOR_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['CATALOGS_CURSOR_SECRET_PREVIOUS'],
        message: 'equals CATALOGS_CURSOR_SECRET: set it to the secret CATALOGS_CURSOR_SECRET replaced',
      });
    }
  });

export type CatalogsConfig = z.infer<typeof configSchema>;

export function loadCatalogsConfig(environment: Record<string, string | undefined> = process.env): CatalogsConfig {
  return loadConfig('catalogs', configSchema, environment);
}
