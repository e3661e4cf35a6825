/**
 * The relay service's environment, read and checked once.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `PORT` | 4103 | HTTP port (GraphQL at `/graphql`, content at `/exchange/…`) |
 * | `HOST` | 127.0.0.1 | interface to listen on |
 * | `LOG_LEVEL` | info | pino level |
 * | `REDIS_URL` | (unset) | Redis for every store; unset = in-memory stores (embedded mode, nothing survives a restart) |
 * | `REDIS_KEY_PREFIX` | `lgsp:` | prefix of every Redis key (`<prefix>relay:…`, `<prefix>events:…`) |
 * | `GATEWAY_JWKS_URL` | http://127.0.0.1:4000/.well-known/jwks.json | the gateway's keys for the internal token |
 * | `RELAY_PUBLIC_URL` | the relay's own `http://HOST:PORT` | origin put in upload/download URLs (the gateway's public origin when it proxies `/exchange/`) |
 * | `RELAY_MASTER_KEY` | generated (development) | 32-byte key wrapping every packet's data key: 64 hex chars or base64. Required when NODE_ENV=production |
 * | `RELAY_MASTER_KEY_PREVIOUS` | (unset) | earlier master keys, comma-separated, in the same forms: content stored under them stays readable after a rotation; needs `RELAY_MASTER_KEY` |
 * | `RELAY_URL_SECRET` | generated | HMAC secret of upload/download URLs (≥ 32 chars); the same on every replica. Required when NODE_ENV=production |
 * | `RELAY_URL_SECRET_PREVIOUS` | (unset) | the secret before a rotation: URLs it signed are honoured until they expire; needs `RELAY_URL_SECRET` |
 * | `RELAY_MAX_PACKET_BYTES` | 268435456 (256 MiB) | largest packet accepted |
 * | `RELAY_MAX_RECIPIENTS` | 100 | most recipients per packet |
 * | `RELAY_SPACE_TTL_MS` | 900000 (15 min) | life of an exchange space (capped by the deadline) |
 * | `RELAY_CLAIM_TTL_MS` | 900000 (15 min) | life of a download URL |
 * | `RELAY_ACK_TIMEOUT_MS` | 600000 (10 min) | a claim not acknowledged within this is redelivered |
 * | `RELAY_DEFAULT_DEADLINE_MS` | 259200000 (3 days) | delivery deadline when the policy gives none |
 * | `RELAY_MAX_DEADLINE_MS` | 2592000000 (30 days) | latest deadline a policy may set |
 * | `RELAY_DEFAULT_MAX_ATTEMPTS` | 5 | claims without acknowledgement before UNDELIVERABLE |
 * | `RELAY_MAX_OFFLINE_MS` | 86400000 (1 day) | a destination offline longer is UNDELIVERABLE (policy default) |
 * | `RELAY_CHUNK_BYTES` | 262144 (256 KiB) | size of the encrypted chunks content is stored in |
 * | `RELAY_JSON_MAX_BYTES` | 16777216 (16 MiB) | largest JSON payload parsed for schema checks |
 * | `RELAY_INLINE_MAX_BYTES` | 65536 (64 KiB) | largest content sent with the request or read with the claim (`content`, base64) instead of PUT and GET; 0 = never; at most 1048576 (a batch must fit the gateway's `GATEWAY_MAX_BODY_BYTES`) |
 * | `RELAY_RETENTION_MS` | 7776000000 (90 days) | how long finished packets' records and histories are kept (R8) |
 * | `RELAY_SWEEP_MS` | 5000 | interval of the expiry / redelivery / presence sweep; 0 = no timer |
 * | `RELAY_WORKERS` | 1 | processes serving the relay on its one port (node:cluster), to use several cores; above 1 needs `REDIS_URL` |
 * | `RELAY_JSON_SCHEMAS_DIR` | (unset) | directory of JSON Schemas (`<data type or schema id>.json`) that JSON and DOSSIER packets are checked against |
 * | `EVENTS_RETENTION` | 10000 | events kept per topic stream on Redis (XADD MAXLEN ~), as in the subscriptions service |
 * | `EVENTS_URL` | (unset) | origin of the subscriptions service; without REDIS_URL, events are posted to its `/internal/events` |
 * | `EVENTS_PUBLISH_TOKEN` | (unset) | shared secret (≥ 32 chars) with the subscriptions service: posting events, and `POST /internal/presence` here |
 * | `REGISTRY_URL` | (unset) | origin of the registry: the agency directory and who may send what to whom come from its `/internal/v1/agencies` and `/internal/v1/relay/routes`. Unset: the catalogs' development agency list, everyone to everyone (development only, with a warning; refused when NODE_ENV=production) |
 * | `REGISTRY_INTERNAL_TOKEN` | (unset) | bearer secret (≥ 32 chars) of the registry's internal API; required with `REGISTRY_URL` |
 * | `RELAY_DIRECTORY_REFRESH_MS` | 15000 | how often the directory is revalidated with the registry (`If-None-Match`); a change there applies here within this time |
 * | `NODE_ENV` | development | `production` requires the master key, the URL secret and `REGISTRY_URL` |
 * | `AUDIT_SUBJECT_KEY_FILE`, `MONITORING_URL`, `MONITORING_INTERNAL_TOKEN`, `AUDIT_WRITER_*`, … | | where the relay's audit records (one per exchange step) go: `@lgsp/audit`'s `auditConfigSchema` (Redis with REDIS_URL, else monitoring's log, else this process) |
 */
import { z } from 'zod';
import { auditConfigSchema } from '@lgsp/audit';
import { env, loadConfig } from '@lgsp/kit';
import { masterKeyBytes } from './domain/content-cipher.ts';

export const configSchema = z
  .object({
    PORT: env.port(4103),
    HOST: env.host(),
    LOG_LEVEL: env.logLevel(),
    NODE_ENV: env.nodeEnv(),
    REDIS_URL: env.redisUrl().optional(),
    REDIS_KEY_PREFIX: env.redisKeyPrefix(),
    GATEWAY_JWKS_URL: env.url().default('http://127.0.0.1:4000/.well-known/jwks.json'),
    RELAY_PUBLIC_URL: env
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    RELAY_MASTER_KEY: z
      .string()
      .refine((v) => masterKeyBytes(v) !== null, 'must be 32 bytes: 64 hexadecimal characters or base64')
      .optional(),
    RELAY_MASTER_KEY_PREVIOUS: z
      .string()
      .refine(
        (v) => v.split(',').every((k) => masterKeyBytes(k.trim()) !== null),
        'must be 32-byte keys separated by commas, each 64 hexadecimal characters or base64',
      )
      .optional(),
    RELAY_URL_SECRET: env.secret().optional(),
    RELAY_URL_SECRET_PREVIOUS: env.secret().optional(),
    RELAY_MAX_PACKET_BYTES: env.positiveInt(256 * 1024 * 1024),
    RELAY_MAX_RECIPIENTS: env.positiveInt(100),
    RELAY_SPACE_TTL_MS: env.positiveInt(15 * 60_000),
    RELAY_CLAIM_TTL_MS: env.positiveInt(15 * 60_000),
    RELAY_ACK_TIMEOUT_MS: env.positiveInt(10 * 60_000),
    RELAY_DEFAULT_DEADLINE_MS: env.positiveInt(3 * 24 * 3_600_000),
    RELAY_MAX_DEADLINE_MS: env.positiveInt(30 * 24 * 3_600_000),
    RELAY_DEFAULT_MAX_ATTEMPTS: env.positiveInt(5),
    RELAY_MAX_OFFLINE_MS: env.positiveInt(24 * 3_600_000),
    RELAY_CHUNK_BYTES: env.positiveInt(256 * 1024),
    RELAY_JSON_MAX_BYTES: env.positiveInt(16 * 1024 * 1024),
    RELAY_INLINE_MAX_BYTES: env
      .nonNegativeInt(64 * 1024)
      .pipe(z.number().max(1024 * 1024, 'must be at most 1048576 (inline content travels in GraphQL bodies)')),
    RELAY_RETENTION_MS: env.positiveInt(90 * 24 * 3_600_000),
    RELAY_SWEEP_MS: env.nonNegativeInt(5_000),
    RELAY_WORKERS: env.positiveInt(1).pipe(z.number().max(64, 'must be at most 64')),
    RELAY_JSON_SCHEMAS_DIR: z.string().min(1).optional(),
    EVENTS_RETENTION: env.positiveInt(10_000),
    EVENTS_URL: env
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    EVENTS_PUBLISH_TOKEN: env.secret().optional(),
    REGISTRY_URL: env
      .url()
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    REGISTRY_INTERNAL_TOKEN: env.secret().optional(),
    RELAY_DIRECTORY_REFRESH_MS: env.positiveInt(15_000),
    ...auditConfigSchema.shape,
  })
  .superRefine((c, ctx) => {
    if (c.EVENTS_URL !== undefined && c.EVENTS_PUBLISH_TOKEN === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['EVENTS_PUBLISH_TOKEN'],
        message: 'is required with EVENTS_URL (the subscriptions service refuses events without it)',
      });
    }
    if (c.REGISTRY_URL !== undefined && c.REGISTRY_INTERNAL_TOKEN === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REGISTRY_INTERNAL_TOKEN'],
        message: "is required with REGISTRY_URL (the registry's internal API refuses calls without it)",
      });
    }
    if (c.RELAY_MASTER_KEY_PREVIOUS !== undefined && c.RELAY_MASTER_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_MASTER_KEY_PREVIOUS'], message: 'needs RELAY_MASTER_KEY (the key new content is sealed with)' });
    }
    if (c.RELAY_MASTER_KEY !== undefined && c.RELAY_MASTER_KEY_PREVIOUS?.split(',').some((k) => k.trim() === c.RELAY_MASTER_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_MASTER_KEY_PREVIOUS'], message: 'lists RELAY_MASTER_KEY itself: list only the keys it replaced' });
    }
    if (c.RELAY_URL_SECRET_PREVIOUS !== undefined && c.RELAY_URL_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_URL_SECRET_PREVIOUS'], message: 'needs RELAY_URL_SECRET (the secret new URLs are signed with)' });
    }
    if (c.RELAY_URL_SECRET_PREVIOUS !== undefined && c.RELAY_URL_SECRET_PREVIOUS === c.RELAY_URL_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_URL_SECRET_PREVIOUS'], message: 'equals RELAY_URL_SECRET: set it to the secret RELAY_URL_SECRET replaced' });
    }
    if (c.RELAY_WORKERS > 1) {
      // Workers are replicas: they share packets through Redis and must read each other's content and URLs.
      if (c.REDIS_URL === undefined)
        ctx.addIssue({ code: 'custom', path: ['RELAY_WORKERS'], message: 'above 1 needs REDIS_URL (in-memory stores are per process)' });
      if (c.RELAY_MASTER_KEY === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['RELAY_MASTER_KEY'],
          message: 'is required with RELAY_WORKERS above 1 (every worker must read the content the others stored)',
        });
      if (c.RELAY_URL_SECRET === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['RELAY_URL_SECRET'],
          message: 'is required with RELAY_WORKERS above 1 (every worker must honour the URLs the others signed)',
        });
    }
    if (c.NODE_ENV !== 'production') return;
    if (c.RELAY_MASTER_KEY === undefined)
      ctx.addIssue({ code: 'custom', path: ['RELAY_MASTER_KEY'], message: 'is required when NODE_ENV=production (content must survive restarts)' });
    if (c.RELAY_URL_SECRET === undefined)
      ctx.addIssue({ code: 'custom', path: ['RELAY_URL_SECRET'], message: 'is required when NODE_ENV=production (every replica signs URLs alike)' });
    if (c.REGISTRY_URL === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['REGISTRY_URL'],
        message: 'is required when NODE_ENV=production (who may send what to whom comes from the registry, never from the development list)',
      });
  });

export type RelayConfig = z.infer<typeof configSchema>;

export function loadRelayConfig(environment: Record<string, string | undefined> = process.env): RelayConfig {
  return loadConfig('relay', configSchema as never, environment) as RelayConfig;
}
