/**
 * The subscriptions part of the gateway's configuration (merged into config.ts's schema and table):
 *
 * | variable                                   | default | meaning |
 * | ------------------------------------------ | ------- | ------- |
 * | `GATEWAY_WS_KEEPALIVE_MS`                  | `15000` | the gateway sends a graphql-transport-ws `ping` this often to every acknowledged connection; a connection that has not answered `pong` by the next round is terminated; `0` turns keep-alive off |
 * | `GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS`    | `3000`  | a connection that sends no `connection_init` in this time is closed with 4408 |
 * | `GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY`    | `100`   | acknowledged WebSocket connections one agency may hold, across every replica sharing `REDIS_URL` (per process without Redis); the next is closed with 1013 |
 * | `GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION` | `50` | active subscriptions on one connection; the next `subscribe` gets an `error` LIMIT_EXCEEDED |
 * | `GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY`  | `1000`  | active subscriptions of one agency across its connections, across every replica sharing `REDIS_URL` (per process without Redis); the next gets an `error` LIMIT_EXCEEDED |
 * | `GATEWAY_WS_UPSTREAM_KEEPALIVE_MS`         | `15000` | the gateway pings each subscriptions subgraph stream this often and drops a stream whose `pong` does not come back in that time; `0` turns it off |
 * | `GATEWAY_WS_LIMIT_LEASE_TTL_MS`            | `30000` | with Redis: a replica's slot (lease) lapses this long after its last refresh, so the slots of a replica that died come back within it; at least twice `GATEWAY_WS_LIMIT_REFRESH_MS` |
 * | `GATEWAY_WS_LIMIT_REFRESH_MS`              | `10000` | with Redis: how often each replica refreshes all its leases (one command); at least 100 |
 *
 * With `REDIS_URL` the per-agency limits count across replicas (redis-agency-slots.ts; when Redis does not answer, a
 * replica counts its own slots against the same limit and warns); without it, per gateway process. Agencies are told
 * apart by the token's `agency_code`; callers without one share the bucket of their principal kind (`(anonymous)`,
 * `(user)`).
 */
import { env } from '@lgsp/kit';

export const subscriptionsEnv = {
  GATEWAY_WS_KEEPALIVE_MS: env.nonNegativeInt(15_000),
  GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS: env.positiveInt(3_000),
  GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY: env.positiveInt(100),
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: env.positiveInt(50),
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY: env.positiveInt(1_000),
  GATEWAY_WS_UPSTREAM_KEEPALIVE_MS: env.nonNegativeInt(15_000),
  GATEWAY_WS_LIMIT_LEASE_TTL_MS: env.positiveInt(30_000),
  GATEWAY_WS_LIMIT_REFRESH_MS: env.positiveInt(10_000).refine((v) => v >= 100, 'must be at least 100 (ms)'),
};

export interface SubscriptionsConfig {
  /** Interval of the server's keep-alive pings (0: none). */
  keepAliveMs: number;
  connectionInitTimeoutMs: number;
  maxConnectionsPerAgency: number;
  maxSubscriptionsPerConnection: number;
  maxSubscriptionsPerAgency: number;
  /** Interval of the gateway's pings to the subgraph streams (0: none). */
  upstreamKeepAliveMs: number;
  /** With Redis: how long a slot of the per-agency limits lives without a refresh. */
  limitLeaseTtlMs: number;
  /** With Redis: how often a replica refreshes its slots (a few times per TTL). */
  limitRefreshMs: number;
}

/** Problems between variables (each variable alone was checked by its schema), naming the variable. */
export function subscriptionsConfigProblems(parsed: { GATEWAY_WS_LIMIT_LEASE_TTL_MS: number; GATEWAY_WS_LIMIT_REFRESH_MS: number }): string[] {
  const ttl = parsed.GATEWAY_WS_LIMIT_LEASE_TTL_MS;
  const refresh = parsed.GATEWAY_WS_LIMIT_REFRESH_MS;
  // One late or failed refresh must not drop the slots of connections that are still open.
  if (ttl < 2 * refresh) return [`GATEWAY_WS_LIMIT_LEASE_TTL_MS: must be at least twice GATEWAY_WS_LIMIT_REFRESH_MS, ${2 * refresh} (got "${ttl}")`];
  return [];
}

export function subscriptionsConfigFrom(parsed: {
  GATEWAY_WS_KEEPALIVE_MS: number;
  GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS: number;
  GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY: number;
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: number;
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY: number;
  GATEWAY_WS_UPSTREAM_KEEPALIVE_MS: number;
  GATEWAY_WS_LIMIT_LEASE_TTL_MS: number;
  GATEWAY_WS_LIMIT_REFRESH_MS: number;
}): SubscriptionsConfig {
  return {
    keepAliveMs: parsed.GATEWAY_WS_KEEPALIVE_MS,
    connectionInitTimeoutMs: parsed.GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS,
    maxConnectionsPerAgency: parsed.GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY,
    maxSubscriptionsPerConnection: parsed.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxSubscriptionsPerAgency: parsed.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY,
    upstreamKeepAliveMs: parsed.GATEWAY_WS_UPSTREAM_KEEPALIVE_MS,
    limitLeaseTtlMs: parsed.GATEWAY_WS_LIMIT_LEASE_TTL_MS,
    limitRefreshMs: parsed.GATEWAY_WS_LIMIT_REFRESH_MS,
  };
}
