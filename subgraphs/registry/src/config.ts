/**
 * The registry service's environment, read and checked once.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `PORT` | 4105 | HTTP port (GraphQL at `/graphql`, the internal API at `/internal/v1/…`) |
 * | `HOST` | 127.0.0.1 | interface to listen on |
 * | `LOG_LEVEL` | info | pino level |
 * | `REDIS_URL` | (unset) | Redis for the registry's records; unset = in memory (development: lost at a restart) |
 * | `REDIS_KEY_PREFIX` | `lgsp:` | prefix of every Redis key (`<prefix>registry:…`) |
 * | `GATEWAY_JWKS_URL` | http://127.0.0.1:4000/.well-known/jwks.json | the gateway's keys for the internal token |
 * | `REGISTRY_INTERNAL_TOKEN` | (unset) | bearer secret (≥ 32 chars) of `/internal/v1/…` (catalogs, relay, gateway, the operator CLI); unset = no internal API |
 * | `REGISTRY_SWEEP_MS` | 60000 | interval of the sweep (scheduled agency changes, overdue flags and their metric, the STARTED/ENDED events of maintenance windows); 0 = no timer |
 * | `SUPERGRAPH_FILE` | `schema/supergraph.graphql` (repo root) | the composed supergraph, read at start: which fields each field set (`@policy`) covers, with their descriptions (`OfferedFieldSet.fields`, `fieldDocs`); unreadable = empty lists and a warning |
 * | `REGISTRY_CALENDAR_FILE` | (unset) | JSON file adding or overriding days of the shipped working-day calendar (holidays, swap days; see src/data/calendar/) |
 * | `EVENTS_RETENTION` | 10000 | events kept per topic stream on Redis (XADD MAXLEN ~), as in the subscriptions service |
 * | `EVENTS_URL` | (unset) | origin of the subscriptions service; without REDIS_URL, events are posted to its `/internal/events` |
 * | `EVENTS_PUBLISH_TOKEN` | (unset) | shared secret (≥ 32 chars) with the subscriptions service for posting events |
 * | `KEYCLOAK_ADMIN_URL` | (required) | Keycloak's origin (no path) whose Admin REST API makes the systems' credentials (@lgsp/credentials); the development issuer's in `npm start` |
 * | `KEYCLOAK_REALM`, `KEYCLOAK_ADMIN_CLIENT_ID`, `KEYCLOAK_ADMIN_TIMEOUT_MS` | lgsp, lgsp-registry, 10000 | the realm, the admin client (realm-management roles) and the timeout of each call |
 * | `KEYCLOAK_ADMIN_CLIENT_SECRET_FILE` | (required) | file holding the admin client's secret (development: keycloak/dev-credentials/lgsp-registry.secret) |
 * | `REGISTRY_SEED` | `none` when NODE_ENV=production, else `development` | `development` loads the development agencies, systems and services into an empty registry (never over existing records) |
 * | `REGISTRY_SEED_HEALTH_URL` | (unset) | with the development seed: the origin serving fake health endpoints of the seeded systems (`/agency-systems/<system id>/health/live` level 1 every 30 s, `…/ready` level 2 every 60 s; the simulator in `npm start`); unset = seeded systems have none |
 * | `NODE_ENV` | development | `production` turns the development seed off by default |
 * | `REGISTRY_LOGIN_EVENTS_POLL_MS` | 15000 | how often Keycloak's login events (`GET /admin/realms/{realm}/events`, role view-events) are copied into the audit trail as `login` records; 0 = never |
 * | `AUDIT_SUBJECT_KEY_FILE`, `MONITORING_URL`, `MONITORING_INTERNAL_TOKEN`, `AUDIT_WRITER_*`, … | | where the registry's audit records (`change`, `login`) go: `@lgsp/audit`'s `auditConfigSchema` (Redis with REDIS_URL, else monitoring's log, else this process) |
 */
import { z } from 'zod';
import { auditConfigSchema } from '@lgsp/audit';
import { credentialsConfigSchema } from '@lgsp/credentials';
import { env, loadConfig } from '@lgsp/kit';

export const configSchema = z.object({
  PORT: env.port(4105),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  NODE_ENV: env.nodeEnv(),
  REDIS_URL: env.redisUrl().optional(),
  REDIS_KEY_PREFIX: env.redisKeyPrefix(),
  GATEWAY_JWKS_URL: env.url().default('http://127.0.0.1:4000/.well-known/jwks.json'),
  REGISTRY_INTERNAL_TOKEN: env.secret().optional(),
  REGISTRY_SWEEP_MS: env.nonNegativeInt(60_000),
  REGISTRY_CALENDAR_FILE: z.string().min(1).optional(),
  SUPERGRAPH_FILE: z.string().min(1).default('schema/supergraph.graphql'),
  REGISTRY_LOGIN_EVENTS_POLL_MS: env
    .nonNegativeInt(15_000)
    .describe("How often Keycloak's login events are read (Admin REST API, role view-events) and written as audit records of kind login; 0 = never."),
  ...auditConfigSchema.shape,
  EVENTS_RETENTION: env.positiveInt(10_000),
  EVENTS_URL: env
    .url()
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  EVENTS_PUBLISH_TOKEN: env.secret().optional(),
  // Keycloak's Admin REST API, where credentials are made (@lgsp/credentials): required unless a test gives an issuer.
  KEYCLOAK_ADMIN_URL: credentialsConfigSchema.shape.KEYCLOAK_ADMIN_URL.optional(),
  KEYCLOAK_REALM: credentialsConfigSchema.shape.KEYCLOAK_REALM,
  KEYCLOAK_ADMIN_CLIENT_ID: credentialsConfigSchema.shape.KEYCLOAK_ADMIN_CLIENT_ID,
  KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: credentialsConfigSchema.shape.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE.optional(),
  KEYCLOAK_ADMIN_TIMEOUT_MS: credentialsConfigSchema.shape.KEYCLOAK_ADMIN_TIMEOUT_MS,
  REGISTRY_SEED: z.enum(['development', 'none']).optional(),
  REGISTRY_SEED_HEALTH_URL: env
    .url()
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
});

export type RegistryConfig = z.infer<typeof configSchema>;

export function loadRegistryConfig(environment: Record<string, string | undefined> = process.env): RegistryConfig {
  return loadConfig('registry', configSchema, environment);
}
