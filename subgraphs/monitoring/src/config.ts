/**
 * The monitoring service's environment, read and checked once.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `PORT` | 4106 | HTTP port (GraphQL at `/graphql`, the internal API at `/internal/v1/…`) |
 * | `HOST` | 127.0.0.1 | interface to listen on |
 * | `LOG_LEVEL` | info | pino level |
 * | `NODE_ENV` | development | `production` refuses the development audit subject key and requires `REPORT_LINK_SECRET` |
 * | `REDIS_URL` | (unset) | Redis for the audit log (a stream every process appends to), health history and events; unset = in memory (development: lost at a restart) |
 * | `REDIS_KEY_PREFIX` | `lgsp:` | prefix of every Redis key (`<prefix>monitoring:…`, `<prefix>audit:…`) |
 * | `GATEWAY_JWKS_URL` | http://127.0.0.1:4000/.well-known/jwks.json | the gateway's keys for the internal token |
 * | `MONITORING_INTERNAL_TOKEN` | (unset) | bearer secret (≥ 32 chars) of `/internal/v1/…`; without Redis, the other processes append their audit records to `/internal/v1/audit` with it; unset = no internal API |
 * | `AUDIT_SUBJECT_KEY_FILE`, `AUDIT_SIGNING_KEY_FILE`, `AUDIT_CHECKPOINT_INTERVAL_SECONDS`, `AUDIT_WRITER_*` | | `@lgsp/audit`'s `auditConfigSchema` (described there): the subject key searches hash with, the key checkpoints are signed with (monitoring signs the chain's head every interval), the writer's tuning. `MONITORING_URL` is ignored here: monitoring holds the log without Redis |
 * | `AUDIT_VERIFY_INTERVAL_SECONDS` | 60 | how often the chain's verifier checks what was appended since it last looked (`auditChainStatus` answers its latest result) |
 * | `AUDIT_VERIFY_FULL_INTERVAL_SECONDS` | 86400 | how often the verifier walks the whole log again (an edit of an old record is caught then); 0 = only the first run at start |
 * | `AUDIT_VERIFY_PUBLIC_KEYS_FILE` | (unset) | a JWK or JWK set of earlier audit signing keys' public halves (after a rotation), accepted besides the current key's |
 * | `REGISTRY_URL` | (unset) | origin of the registry; the health module reads its systems (`/internal/v1/systems`) |
 * | `REGISTRY_INTERNAL_TOKEN` | (unset) | bearer secret of the registry's internal API; required with `REGISTRY_URL` |
 * | `REGISTRY_REFRESH_MS` | 60000 | how often the list of systems and their health endpoints is read again (ETag: unchanged lists cost a 304) |
 * | `EVENTS_RETENTION` | 10000 | events kept per topic stream on Redis (XADD MAXLEN ~), as in the subscriptions service |
 * | `EVENTS_URL` | (unset) | origin of the subscriptions service; without REDIS_URL, events are posted to its `/internal/events` |
 * | `EVENTS_PUBLISH_TOKEN` | (unset) | shared secret (≥ 32 chars) with the subscriptions service for posting events |
 * | `HEALTH_POLL` | true | pull the registered health endpoints (false: only pushed reports) |
 * | `HEALTH_TIMEOUT_MS` | 5000 | longest a health endpoint may take to answer before the check counts as failed |
 * | `HEALTH_CONCURRENCY` | 16 | most health checks in flight at once |
 * | `HEALTH_FAILURES_OFFLINE` | 3 | consecutive failed checks after which a system turns OFFLINE |
 * | `HEALTH_MIN_INTERVAL_SECONDS` | 10 | shortest interval a system may be pulled at, whatever its endpoint asks |
 * | `HEALTH_RAW_RETENTION_DAYS` | 7 | raw samples are trimmed after this many days; daily rollups and transitions are kept `HEALTH_HISTORY_DAYS` |
 * | `HEALTH_HISTORY_DAYS` | 100 | days of daily rollups and online/offline transitions kept (DL App.01 §2.3: at least 3 months, so ≥ 93) |
 * | `HEALTH_PUSH_WINDOW_SECONDS` | 300 | a pushed report's `observedAt` must be within this many seconds of the monitoring's clock |
 * | `HEALTH_PRESENCE` | (unset) | where the relay's presence (each agency's last relay activity) is read: `redis` from Redis (REDIS_URL, same REDIS_KEY_PREFIX); `http` from the relay's `GET /internal/presence/<agency>` (RELAY_URL, EVENTS_PUBLISH_TOKEN; embedded mode, where the relay keeps it in memory); unset = not shown |
 * | `RELAY_URL` | (unset) | origin of the relay, for HEALTH_PRESENCE=http |
 * | `REPORT_LINK_SECRET` | (unset) | HMAC secret (≥ 32 chars) signing report download links (reports/report-link.ts); unset = a random key of the process (links die with it; one warning); **required when NODE_ENV=production** |
 * | `REPORT_LINK_SECRET_PREVIOUS` | (unset) | the secret `REPORT_LINK_SECRET` replaced: its links still download until they expire |
 * | `REPORT_LINK_TTL_SECONDS` | 600 | how long a report download link works |
 * | `REPORT_PUBLIC_URL` | http://127.0.0.1:4000 | the public origin report links point at: the gateway (or the ingress), which proxies `/reports/` to monitoring |
 */
import { z } from 'zod';
import { auditConfigSchema } from '@lgsp/audit';
import { env, loadConfig } from '@lgsp/kit';

const origin = () =>
  env
    .url()
    .transform((u) => u.replace(/\/+$/, ''))
    .optional();

export const configSchema = z
  .object({
    PORT: env.port(4106),
    HOST: env.host(),
    LOG_LEVEL: env.logLevel(),
    NODE_ENV: env.nodeEnv(),
    REDIS_URL: env.redisUrl().optional(),
    REDIS_KEY_PREFIX: env.redisKeyPrefix(),
    GATEWAY_JWKS_URL: env.url().default('http://127.0.0.1:4000/.well-known/jwks.json'),
    ...auditConfigSchema.shape,
    AUDIT_VERIFY_INTERVAL_SECONDS: env
      .positiveInt(60)
      .describe("How often the chain's verifier checks the records appended since it last looked, in seconds (auditChainStatus answers its latest result)"),
    AUDIT_VERIFY_FULL_INTERVAL_SECONDS: env
      .nonNegativeInt(86_400)
      .describe('How often the verifier walks the whole audit log again, in seconds; 0: only its first run does'),
    AUDIT_VERIFY_PUBLIC_KEYS_FILE: z
      .string()
      .min(1)
      .optional()
      .describe("A JWK or JWK set of earlier audit signing keys' public halves (after a rotation): their checkpoints still verify"),
    REGISTRY_URL: origin(),
    REGISTRY_INTERNAL_TOKEN: env.secret().optional(),
    REGISTRY_REFRESH_MS: env.positiveInt(60_000),
    EVENTS_RETENTION: env.positiveInt(10_000),
    EVENTS_URL: origin(),
    EVENTS_PUBLISH_TOKEN: env.secret().optional(),
    HEALTH_POLL: env.boolean(true),
    HEALTH_TIMEOUT_MS: env.positiveInt(5_000),
    HEALTH_CONCURRENCY: env.positiveInt(16),
    HEALTH_FAILURES_OFFLINE: env.positiveInt(3),
    HEALTH_MIN_INTERVAL_SECONDS: env.positiveInt(10),
    HEALTH_RAW_RETENTION_DAYS: env.positiveInt(7),
    HEALTH_HISTORY_DAYS: env.positiveInt(100).refine((d) => d >= 93, 'must be at least 93 (DL App.01 §2.3: health history kept at least 3 months)'),
    HEALTH_PUSH_WINDOW_SECONDS: env.positiveInt(300),
    HEALTH_PRESENCE: z.enum(['redis', 'http']).optional(),
    RELAY_URL: origin(),
    REPORT_LINK_SECRET: env.secret().optional().describe('HMAC secret (≥ 32 chars) signing report download links; unset = a random key of the process'),
    REPORT_LINK_SECRET_PREVIOUS: env.secret().optional().describe('The secret REPORT_LINK_SECRET replaced: its links still download until they expire'),
    REPORT_LINK_TTL_SECONDS: env.positiveInt(600).describe('How long a report download link works, in seconds'),
    REPORT_PUBLIC_URL: env
      .url()
      .default('http://127.0.0.1:4000')
      .transform((u) => u.replace(/\/+$/, ''))
      .describe('The public origin report links point at: the gateway, which proxies /reports/ to monitoring'),
  })
  .superRefine((c, ctx) => {
    if (c.REGISTRY_URL !== undefined && c.REGISTRY_INTERNAL_TOKEN === undefined)
      ctx.addIssue({ code: 'custom', path: ['REGISTRY_INTERNAL_TOKEN'], message: 'required with REGISTRY_URL' });
    if (c.HEALTH_PRESENCE === 'redis' && c.REDIS_URL === undefined)
      ctx.addIssue({ code: 'custom', path: ['HEALTH_PRESENCE'], message: 'redis needs REDIS_URL' });
    if (c.HEALTH_PRESENCE === 'http' && (c.RELAY_URL === undefined || c.EVENTS_PUBLISH_TOKEN === undefined))
      ctx.addIssue({ code: 'custom', path: ['HEALTH_PRESENCE'], message: "http needs RELAY_URL and EVENTS_PUBLISH_TOKEN (the relay's presence route secret)" });
    if (c.HEALTH_RAW_RETENTION_DAYS > c.HEALTH_HISTORY_DAYS)
      ctx.addIssue({ code: 'custom', path: ['HEALTH_RAW_RETENTION_DAYS'], message: 'must not exceed HEALTH_HISTORY_DAYS' });
    if (c.NODE_ENV === 'production' && c.REPORT_LINK_SECRET === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['REPORT_LINK_SECRET'],
        message: 'required when NODE_ENV=production (report links must survive a restart and work on every replica)',
      });
  });

export type MonitoringConfig = z.infer<typeof configSchema>;

export function loadMonitoringConfig(environment: Record<string, string | undefined> = process.env): MonitoringConfig {
  return loadConfig('monitoring', configSchema, environment);
}
