/**
 * The gateway's configuration: read from the environment once, validated, every problem naming its variable.
 *
 * | variable                      | default                                   | meaning |
 * | ----------------------------- | ----------------------------------------- | ------- |
 * | `PORT`                        | `4000`                                    | TCP port of the public HTTP endpoint (`0` picks a free one) |
 * | `HOST`                        | `127.0.0.1`                               | interface to listen on (`0.0.0.0` in containers) |
 * | `NODE_ENV`                    | `development`                             | `production` turns the Sandbox landing page and introspection off |
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
 * | `GATEWAY_EXECUTOR`            | `apollo`                                  | `apollo`: Apollo Gateway sends each query-plan fetch as it comes; `merged`: entity fetches to one subgraph that are ready together leave as one request (federation/executor/) |
 */
import { ConfigError, env, loadConfig } from '@lgsp/kit';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

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
  GATEWAY_EXECUTOR: z.enum(['apollo', 'merged'], { message: 'must be apollo or merged' }).default('apollo'),
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
  /** How query-plan fetches reach subgraphs: one request each (`apollo`) or merged when ready together (`merged`). */
  executor: 'apollo' | 'merged';
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
    executor: parsed.GATEWAY_EXECUTOR,
  };
}

/** Defaults for tests and embedding: everything `gatewayConfigFromEnv({})` gives, with these fields replaced. */
export function gatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return { ...gatewayConfigFromEnv({}), ...overrides };
}
