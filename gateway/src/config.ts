/**
 * The gateway's configuration: read from the environment once, validated, every problem naming its variable.
 *
 * | variable                      | default                                   | meaning |
 * | ----------------------------- | ----------------------------------------- | ------- |
 * | `PORT`                        | `4000`                                    | TCP port of the public HTTP endpoint (`0` picks a free one) |
 * | `HOST`                        | `127.0.0.1`                               | interface to listen on (`0.0.0.0` in containers) |
 * | `NODE_ENV`                    | `development`                             | `production` turns the landing page (GATEWAY_EXPLORER) and introspection off |
 * | `LOG_LEVEL`                   | `info`                                    | pino level: fatal, error, warn, info, debug, trace, silent |
 * | `SUPERGRAPH_FILE`             | `schema/supergraph.graphql` (repo root)   | composed supergraph SDL; reloaded when the file changes |
 * | `SUPERGRAPH_WATCH`            | `true`                                    | watch `SUPERGRAPH_FILE` and reload on change |
 * | `SUBGRAPH_<NAME>_URL`         | the `@join__graph(url:)` in the supergraph | overrides one subgraph's URL; NAME is the subgraph name upper-cased with `-` → `_` (`SUBGRAPH_NATIONAL_DATA_URL`) |
 * | `SUBGRAPH_TIMEOUT_MS`         | `10000`                                   | how long a subgraph fetch waits for the response headers, and then for each piece of the body → `UPSTREAM_TIMEOUT` |
 * | `SUBGRAPH_CONNECTIONS`        | `64`                                      | keep-alive connections per subgraph origin |
 * | `SUBGRAPH_KEEPALIVE_MS`       | `30000`                                   | idle time before the gateway closes a pooled subgraph connection (subgraphs keep theirs 65 s) |
 * | `HEALTH_CHECK_TIMEOUT_MS`     | `1000`                                    | timeout of each readiness probe (`{ __typename }` per subgraph, Redis PING) |
 * | `HEALTH_CHECK_CACHE_MS`       | `1500`                                    | readiness results are reused this long so probes stay cheap |
 * | `REDIS_URL`                   | unset                                     | when set, Redis must answer PING for `/health/ready` |
 * | `GATEWAY_SIGNING_KEY_FILE`    | unset (key generated at start-up)         | private EC P-256 JWK that signs internal tokens; give every replica the same file |
 * | `INTERNAL_TOKEN_TTL_SECONDS`  | `60`                                      | lifetime of the internal token sent to subgraphs |
 * | `GATEWAY_INTROSPECTION`       | `false` in production, else `true`        | allow schema introspection |
 * | `GATEWAY_MAX_BODY_BYTES`      | `1048576`                                 | largest accepted POST body; larger → 413 `PAYLOAD_TOO_LARGE` |
 * | `GATEWAY_MAX_DEPTH`           | `12`                                      | deepest field nesting of an operation (introspection counted, its `ofType` chain not) → `GRAPHQL_VALIDATION_FAILED`, `reason: MAX_DEPTH`; an introspection answer over 50 000 entries → `reason: MAX_INTROSPECTION_SIZE` |
 * | `GATEWAY_MAX_FIELDS`          | `2000`                                    | most field selections of an operation, fragments expanded → `reason: MAX_FIELDS` |
 * | `GATEWAY_MAX_ALIASES`         | `100`                                     | most aliased fields of an operation (each may be one more upstream lookup) → `reason: MAX_ALIASES` |
 * | `GATEWAY_MAX_TOKENS`          | `10000`                                   | most lexical tokens of an operation's text → `GRAPHQL_PARSE_FAILED` |
 * | `GATEWAY_EXECUTOR`            | `native`                                  | `native`: our own plan executor and compiled result shaper; entity fetches to one subgraph that are ready together leave as one request (federation/executor/); `apollo`: Apollo Gateway's own executor, one request per query-plan fetch (the stock baseline). `merged` was retired (native does its merging) and is refused |
 * | `GATEWAY_EXPLORER`            | `graphiql`                                | the browser page at GET /graphql outside production: `graphiql`, served by the gateway itself (works offline); `apollo-sandbox`, loaded from Apollo's CDN (needs the internet) (landing/) |
 * | `KEYCLOAK_URL`                | unset (only anonymous access, warned at start) | realm URL, e.g. `http://localhost:8080/realms/lgsp`: the `iss` of accepted access tokens; its JWKS verifies them |
 * | `AUTH_REQUIRED`               | `false`                                   | `true`: requests without `Authorization: Bearer` get 401 (needs `KEYCLOAK_URL`); `false`: they are anonymous |
 * | `AUTH_AUDIENCE`               | `lgsp-gateway`                            | must be in the token's `aud`; its client roles (`resource_access`) join the principal's roles |
 * | `AUTH_ALLOWED_ALGS`           | `RS256,PS256,ES256`                       | accepted token signature algorithms (asymmetric only: RS/PS/ES 256–512, EdDSA) |
 * | `AUTH_CLOCK_SKEW_SECONDS`     | `30`                                      | tolerance for `exp`, `nbf`, `iat` (0–300) |
 * | `AUTH_MAX_TOKEN_BYTES`        | `8192`                                    | larger tokens get 401 before parsing (at most 12288: Node refuses request headers over 16 KB with 431) |
 * | `AUTH_JWKS_URL`               | `${KEYCLOAK_URL}/protocol/openid-connect/certs` | where the realm's signing keys are fetched |
 * | `AUTH_JWKS_CACHE_SECONDS`     | `300`                                     | fetched keys are trusted this long, then fetched again before use |
 * | `AUTH_JWKS_REFRESH_COOLDOWN_SECONDS` | `10`                               | a token with an unknown `kid` triggers at most one key refresh per this many seconds |
 * | `AUTH_JWKS_TIMEOUT_MS`        | `5000`                                    | timeout of one JWKS fetch (a failure → 503 `UPSTREAM_UNAVAILABLE` for token-bearing requests) |
 * | `AUTH_TOKEN_CACHE_SIZE`       | `10000`                                   | verified access tokens remembered so a reused token is not verified again (until its `exp`, at most 60 s and never across a realm key change; oldest evicted; `0` = off) |
 * | `CREDENTIAL_REVOCATION_POLL_MS` | `2000`                              | revoked credentials are re-read this often besides change notifications (at most 4000: a revoked client is refused within 5 s) |
 * | `AUTHORIZATION_MODE`          | `filter`                                  | `filter`, `reject` or `dry-run`: what an operation asking for fields the caller is not granted gets (authorization/) |
 * | `GRANTS_FILE`                 | development grants outside production, unset in production | field sets and grants; the grants seed an empty grant store (authorization/config.ts) |
 * | `GRANTS_CACHE_TTL_MS`         | `60000`                                   | longest time an agency's grants stay cached without a change notification |
 * | `REDIS_KEY_PREFIX`            | `lgsp:`                                   | prefix of the gateway's Redis keys (grants: `lgsp:grants:…`, WebSocket limits: `lgsp:ws-limits:…`); with `REDIS_URL` grants and the per-agency WebSocket limits live in Redis |
 * | `GATEWAY_QUOTAS`              | `on`                                      | `on`: each operation counts against the quota of the caller agency's grants for every service it touches, 429 `RATE_LIMITED` beyond it (in Redis with `REDIS_URL`, so across replicas); `off`: not checked (quotas/) |
 * | `REGISTRY_INTERNAL_URL`, `REGISTRY_INTERNAL_TOKEN`, `DEPRECATION_*` | see deprecation/config.ts | deprecation notices from the registry: `@deprecated` in the schema, Deprecation/Sunset/Link on responses |
 * | `MAINTENANCE_POLL_MS`, `MAINTENANCE_NOTICE_DAYS` | see maintenance/config.ts | maintenance windows from the registry: `extensions.maintenance` before, 503 `UNDER_MAINTENANCE` during |
 * | `GATEWAY_AUDIT`, `GATEWAY_AUDIT_PROVIDERS`, `AUDIT_SUBJECT_KEY_FILE`, `MONITORING_URL`, `MONITORING_INTERNAL_TOKEN`, `AUDIT_WRITER_*` | see audit/config.ts | one audit record per operation, HTTP and graphql-ws (on by default; the subject key is required in production); the log in Redis with `REDIS_URL`, else monitoring's, else memory |
 * | `PORTAL_DIST`, `PORTAL_CLIENT_ID`, `PORTAL_ISSUER_URL`, `PORTAL_CITIZEN_IDP` | see portal/config.ts | the portal's build served at /portal/ (default portal/dist; missing → 503 there, GraphQL unaffected) and the sign-in settings of /portal/config.json |
 * | `GATEWAY_WS_*`                | see subscriptions/config.ts               | graphql-ws on /graphql: keep-alive, init timeout, connection and subscription limits per agency (across replicas with `REDIS_URL`: `GATEWAY_WS_LIMIT_LEASE_TTL_MS` 30000, `GATEWAY_WS_LIMIT_REFRESH_MS` 10000) |
 */
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './limits/operation-limits.ts';
import { ConfigError, env, loadConfig } from '@lgsp/kit';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import type { AuthenticationConfig } from './auth/authenticate.ts';
import { DEFAULT_REVOCATION_POLL_MS } from './auth/revocations/revocation-watch.ts';
import { authorizationConfigFrom, authorizationEnv, type AuthorizationConfig } from './authorization/config.ts';
import { quotasConfigFrom, quotasEnv, type QuotasConfig } from './quotas/config.ts';
import { auditConfigFrom, auditEnv, type GatewayAuditConfig } from './audit/config.ts';
import { deprecationConfigFrom, deprecationConfigProblems, deprecationEnv, type DeprecationConfig } from './deprecation/config.ts';
import { maintenanceConfigFrom, maintenanceEnv, type MaintenanceConfig } from './maintenance/config.ts';
import { portalConfigFrom, portalEnv, type PortalConfig } from './portal/config.ts';
import { subscriptionsConfigFrom, subscriptionsConfigProblems, subscriptionsEnv, type SubscriptionsConfig } from './subscriptions/config.ts';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Token signature algorithms AUTH_ALLOWED_ALGS may name. */
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export const configSchema = z.object({
  PORT: env.port(4000),
  HOST: env.host(),
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  SUPERGRAPH_FILE: z.string().min(1).default('schema/supergraph.graphql'),
  SUPERGRAPH_WATCH: env.boolean(true),
  SUBGRAPH_TIMEOUT_MS: env.positiveInt(10_000),
  SUBGRAPH_CONNECTIONS: env.positiveInt(64),
  SUBGRAPH_KEEPALIVE_MS: env.positiveInt(30_000),
  HEALTH_CHECK_TIMEOUT_MS: env.positiveInt(1_000),
  HEALTH_CHECK_CACHE_MS: env.nonNegativeInt(1_500),
  REDIS_URL: env.redisUrl().optional(),
  GATEWAY_SIGNING_KEY_FILE: z.string().min(1).optional(),
  INTERNAL_TOKEN_TTL_SECONDS: env.positiveInt(60).refine((v) => v >= 10, 'must be at least 10 seconds'),
  // No default: unset means "on outside production, off in production".
  GATEWAY_INTROSPECTION: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional(),
  GATEWAY_MAX_BODY_BYTES: env.positiveInt(1_048_576),
  GATEWAY_MAX_DEPTH: env.positiveInt(DEFAULT_OPERATION_LIMITS.maxDepth).refine((v) => v <= 100, 'must be at most 100'),
  GATEWAY_MAX_FIELDS: env.positiveInt(DEFAULT_OPERATION_LIMITS.maxFields).refine((v) => v <= 1_000_000, 'must be at most 1000000'),
  GATEWAY_MAX_ALIASES: env.nonNegativeInt(DEFAULT_OPERATION_LIMITS.maxAliases).refine((v) => v <= 100_000, 'must be at most 100000'),
  GATEWAY_MAX_TOKENS: env.positiveInt(DEFAULT_OPERATION_LIMITS.maxTokens).refine((v) => v >= 100 && v <= 1_000_000, 'must be between 100 and 1000000'),
  GATEWAY_EXECUTOR: z
    .enum(['apollo', 'native'], {
      message: 'must be native or apollo (merged was retired: native merges the same entity fetches; see gateway/src/federation/executor/README.md)',
    })
    .default('native'),
  GATEWAY_EXPLORER: z.enum(['graphiql', 'apollo-sandbox'], { message: 'must be graphiql or apollo-sandbox' }).default('graphiql'),
  KEYCLOAK_URL: env
    .url()
    .refine((u) => /^https?:\/\/[^/]+\/(?:auth\/)?realms\/[^/]+\/?$/.test(u), 'must be a realm URL such as http://localhost:8080/realms/lgsp')
    .transform((u) => u.replace(/\/$/, ''))
    .optional(),
  AUTH_REQUIRED: env.boolean(false),
  AUTH_AUDIENCE: z.string().min(1).default('lgsp-gateway'),
  AUTH_ALLOWED_ALGS: z
    .string()
    .default('RS256,PS256,ES256')
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== ''),
      ),
    ])
    .refine((algs) => algs.length > 0, 'must name at least one algorithm')
    .refine(
      (algs) => algs.every((a) => ASYMMETRIC_ALGS.includes(a)),
      `must be a comma-separated list of ${ASYMMETRIC_ALGS.join(', ')} (symmetric algorithms and none are never accepted)`,
    ),
  AUTH_CLOCK_SKEW_SECONDS: env.nonNegativeInt(30).refine((v) => v <= 300, 'must be at most 300 seconds'),
  AUTH_MAX_TOKEN_BYTES: env.positiveInt(8192).refine((v) => v >= 1024 && v <= 12_288, 'must be between 1024 and 12288'),
  AUTH_JWKS_URL: env.url().optional(),
  AUTH_JWKS_CACHE_SECONDS: env.positiveInt(300),
  AUTH_JWKS_REFRESH_COOLDOWN_SECONDS: env.nonNegativeInt(10),
  AUTH_JWKS_TIMEOUT_MS: env.positiveInt(5_000),
  AUTH_TOKEN_CACHE_SIZE: env.nonNegativeInt(10_000).refine((v) => v <= 1_000_000, 'must be at most 1000000 (0 turns the cache off)'),
  CREDENTIAL_REVOCATION_POLL_MS: env
    .positiveInt(DEFAULT_REVOCATION_POLL_MS)
    .refine((v) => v >= 100 && v <= 4_000, 'must be between 100 and 4000 (a revoked client is refused within 5 s)'),
  ...authorizationEnv,
  ...quotasEnv,
  ...auditEnv,
  ...subscriptionsEnv,
  ...deprecationEnv,
  ...maintenanceEnv,
  ...portalEnv,
});

export type GatewayEnv = z.infer<typeof configSchema>;

/** What `startGateway` needs; built from the environment by `gatewayConfigFromEnv`, or directly in tests. */
export interface GatewayConfig {
  port: number;
  host: string;
  production: boolean;
  logLevel: string;
  /** Absolute path of the supergraph SDL file. */
  supergraphFile: string;
  watchSupergraph: boolean;
  /** `SUBGRAPH_<NAME>_URL` variable → URL that replaces that subgraph's URL from the supergraph. */
  subgraphUrlOverrides: Record<string, string>;
  subgraphTimeoutMs: number;
  subgraphConnections: number;
  subgraphKeepAliveMs: number;
  healthCheckTimeoutMs: number;
  healthCheckCacheMs: number;
  redisUrl: string | undefined;
  signingKeyFile: string | undefined;
  internalTokenTtlSeconds: number;
  introspection: boolean;
  maxBodyBytes: number;
  /** Depth, fields, aliases and tokens an operation may have (GATEWAY_MAX_DEPTH, _FIELDS, _ALIASES, _TOKENS). */
  operationLimits: OperationLimits;
  /** Who runs query plans: our own executor (`native`, federation/executor/) or Apollo Gateway's, one request per fetch (`apollo`). */
  executor: 'apollo' | 'native';
  /** The browser page at GET /graphql outside production: GraphiQL served by the gateway, or Apollo Sandbox (its CDN) (landing/). */
  explorer: 'graphiql' | 'apollo-sandbox';
  /** Access tokens: realm, audience, algorithms, skew, key cache (KEYCLOAK_URL, AUTH_*). */
  authentication: AuthenticationConfig;
  /** Field-level authorization: mode, grants file, grant cache, Redis key prefix (AUTHORIZATION_MODE, GRANTS_*). */
  authorization: AuthorizationConfig;
  /** graphql-ws on /graphql: keep-alive, init timeout, limits (GATEWAY_WS_*). */
  subscriptions: SubscriptionsConfig;
  /** Per-agency quotas from grants (GATEWAY_QUOTAS). */
  quotas: QuotasConfig;
  /** Audit records of every operation (GATEWAY_AUDIT, AUDIT_SUBJECT_KEY_FILE, GATEWAY_AUDIT_PROVIDERS). */
  audit: GatewayAuditConfig;
  /** Deprecation notices from the registry (REGISTRY_INTERNAL_URL, REGISTRY_INTERNAL_TOKEN, DEPRECATION_*). */
  deprecation: DeprecationConfig;
  /** Maintenance windows from the registry (MAINTENANCE_POLL_MS, MAINTENANCE_NOTICE_DAYS; the registry's REGISTRY_INTERNAL_*). */
  maintenance: MaintenanceConfig;
  /** The portal served at /portal/: its build folder and sign-in settings (PORTAL_*). */
  portal: PortalConfig;
}

/** The environment variable that overrides a subgraph's URL: `national-data` → `SUBGRAPH_NATIONAL_DATA_URL`. */
export function subgraphUrlVariable(subgraphName: string): string {
  return `SUBGRAPH_${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

const SUBGRAPH_URL_VARIABLE = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

/**
 * Reads and validates the gateway's environment. `SUBGRAPH_<NAME>_URL` variables are collected by pattern (their
 * names depend on the supergraph); they are keyed by the variable's NAME part and matched to subgraphs at load
 * time with `subgraphUrlVariable`.
 */
export function gatewayConfigFromEnv(environment: Record<string, string | undefined> = process.env): GatewayConfig {
  const problems: string[] = [];
  let parsed: GatewayEnv | undefined;
  try {
    parsed = loadConfig('gateway', configSchema, environment);
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else throw error;
  }
  const overrides: Record<string, string> = {};
  for (const [variable, raw] of Object.entries(environment)) {
    const match = SUBGRAPH_URL_VARIABLE.exec(variable);
    if (match === null || raw === undefined || raw.trim() === '') continue;
    const value = raw.trim();
    if (!/^https?:\/\/[^/]+/.test(value) || !URL.canParse(value)) {
      problems.push(`${variable}: must be an absolute http(s) URL such as http://127.0.0.1:4102/graphql (got "${value}")`);
      continue;
    }
    overrides[variable] = value;
  }
  if (parsed?.AUTH_REQUIRED === true && parsed.KEYCLOAK_URL === undefined) {
    problems.push('AUTH_REQUIRED: true needs KEYCLOAK_URL (the realm whose tokens are accepted)');
  }
  if (parsed !== undefined) problems.push(...subscriptionsConfigProblems(parsed), ...deprecationConfigProblems(parsed));
  if (problems.length > 0 || parsed === undefined) throw new ConfigError('gateway', problems);
  const production = parsed.NODE_ENV === 'production';
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    production,
    logLevel: parsed.LOG_LEVEL,
    supergraphFile: isAbsolute(parsed.SUPERGRAPH_FILE) ? parsed.SUPERGRAPH_FILE : resolve(repoRoot, parsed.SUPERGRAPH_FILE),
    watchSupergraph: parsed.SUPERGRAPH_WATCH,
    subgraphUrlOverrides: overrides,
    subgraphTimeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
    subgraphConnections: parsed.SUBGRAPH_CONNECTIONS,
    subgraphKeepAliveMs: parsed.SUBGRAPH_KEEPALIVE_MS,
    healthCheckTimeoutMs: parsed.HEALTH_CHECK_TIMEOUT_MS,
    healthCheckCacheMs: parsed.HEALTH_CHECK_CACHE_MS,
    redisUrl: parsed.REDIS_URL,
    signingKeyFile: parsed.GATEWAY_SIGNING_KEY_FILE,
    internalTokenTtlSeconds: parsed.INTERNAL_TOKEN_TTL_SECONDS,
    introspection: parsed.GATEWAY_INTROSPECTION ?? !production,
    maxBodyBytes: parsed.GATEWAY_MAX_BODY_BYTES,
    operationLimits: {
      maxDepth: parsed.GATEWAY_MAX_DEPTH,
      maxFields: parsed.GATEWAY_MAX_FIELDS,
      maxAliases: parsed.GATEWAY_MAX_ALIASES,
      maxTokens: parsed.GATEWAY_MAX_TOKENS,
    },
    executor: parsed.GATEWAY_EXECUTOR,
    explorer: parsed.GATEWAY_EXPLORER,
    authentication: {
      realmUrl: parsed.KEYCLOAK_URL,
      jwksUrl: parsed.AUTH_JWKS_URL,
      required: parsed.AUTH_REQUIRED,
      audience: parsed.AUTH_AUDIENCE,
      algorithms: parsed.AUTH_ALLOWED_ALGS,
      clockSkewSeconds: parsed.AUTH_CLOCK_SKEW_SECONDS,
      maxTokenBytes: parsed.AUTH_MAX_TOKEN_BYTES,
      jwksCacheSeconds: parsed.AUTH_JWKS_CACHE_SECONDS,
      jwksRefreshCooldownSeconds: parsed.AUTH_JWKS_REFRESH_COOLDOWN_SECONDS,
      jwksTimeoutMs: parsed.AUTH_JWKS_TIMEOUT_MS,
      tokenCacheSize: parsed.AUTH_TOKEN_CACHE_SIZE,
      revocationPollMs: parsed.CREDENTIAL_REVOCATION_POLL_MS,
    },
    authorization: authorizationConfigFrom(parsed, production, repoRoot),
    subscriptions: subscriptionsConfigFrom(parsed),
    quotas: quotasConfigFrom(parsed),
    audit: auditConfigFrom(parsed),
    deprecation: deprecationConfigFrom(parsed),
    maintenance: maintenanceConfigFrom(parsed),
    portal: portalConfigFrom(parsed, repoRoot),
  };
}

/** Defaults for tests and embedding: everything `gatewayConfigFromEnv({})` gives, with these fields replaced. */
export function gatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return { ...gatewayConfigFromEnv({}), ...overrides };
}
