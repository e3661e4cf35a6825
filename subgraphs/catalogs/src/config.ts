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
    /**
     * The registry service's base URL. Set: the AGENCIES catalog follows its `GET /internal/v1/agencies` instead of
     * the development file. Unset (development only): the development file seeds it.
     */
    REGISTRY_URL: env
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /** Shared secret of the registry's internal API (its REGISTRY_INTERNAL_TOKEN); required with REGISTRY_URL. */
    REGISTRY_INTERNAL_TOKEN: env.secret().optional(),
    /** Pause between two polls of the registry's agency list (ms); a poll that finds no change costs one 304. */
    CATALOGS_REGISTRY_POLL_MS: env.positiveInt(10_000),
    /** Deadline of one poll of the registry (ms). */
    CATALOGS_REGISTRY_TIMEOUT_MS: env.positiveInt(3_000),
    /**
     * Without Redis: the subscriptions service's origin and EVENTS_PUBLISH_TOKEN, to announce the agency versions
     * imported from the registry (`catalog-changed`). With REDIS_URL the events go to the topic stream instead.
     */
    EVENTS_URL: env
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    EVENTS_PUBLISH_TOKEN: env.secret().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.REGISTRY_URL !== undefined && c.REGISTRY_INTERNAL_TOKEN === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REGISTRY_INTERNAL_TOKEN'],
        message: "is required with REGISTRY_URL (the registry's internal API refuses calls without it)",
      });
    }
    if (c.EVENTS_URL !== undefined && c.EVENTS_PUBLISH_TOKEN === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['EVENTS_PUBLISH_TOKEN'],
        message: 'is required with EVENTS_URL (the subscriptions service refuses events without it)',
      });
    }
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
