/**
 * The subscriptions part of the gateway's configuration (merged into config.ts's schema and table):
 *
 * | variable                                   | default | meaning |
 * | ------------------------------------------ | ------- | ------- |
 * | `GATEWAY_WS_KEEPALIVE_MS`                  | `15000` | the gateway sends a graphql-transport-ws `ping` this often to every acknowledged connection; a connection that has not answered `pong` by the next round is terminated; `0` turns keep-alive off |
 * | `GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS`    | `3000`  | a connection that sends no `connection_init` in this time is closed with 4408 |
 * | `GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY`    | `100`   | acknowledged WebSocket connections one agency may hold on one gateway process; the next is closed with 1013 |
 * | `GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION` | `50` | active subscriptions on one connection; the next `subscribe` gets an `error` LIMIT_EXCEEDED |
 * | `GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY`  | `1000`  | active subscriptions of one agency across its connections on one gateway process; the next gets an `error` LIMIT_EXCEEDED |
 * | `GATEWAY_WS_UPSTREAM_KEEPALIVE_MS`         | `15000` | the gateway pings each subscriptions subgraph stream this often and drops a stream whose `pong` does not come back in that time; `0` turns it off |
 *
 * Limits count per gateway process (every replica applies them on its own). Agencies are told apart by the
 * token's `agency_code`; callers without one share the bucket of their principal kind (`(anonymous)`, `(user)`).
 */
import { env } from '@lgsp/kit';

export const subscriptionsEnv = {
  GATEWAY_WS_KEEPALIVE_MS: env.nonNegativeInt(15_000),
  GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS: env.positiveInt(3_000),
  GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY: env.positiveInt(100),
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: env.positiveInt(50),
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY: env.positiveInt(1_000),
  GATEWAY_WS_UPSTREAM_KEEPALIVE_MS: env.nonNegativeInt(15_000),
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
}

export function subscriptionsConfigFrom(parsed: {
  GATEWAY_WS_KEEPALIVE_MS: number;
  GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS: number;
  GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY: number;
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: number;
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY: number;
  GATEWAY_WS_UPSTREAM_KEEPALIVE_MS: number;
}): SubscriptionsConfig {
  return {
    keepAliveMs: parsed.GATEWAY_WS_KEEPALIVE_MS,
    connectionInitTimeoutMs: parsed.GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS,
    maxConnectionsPerAgency: parsed.GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY,
    maxSubscriptionsPerConnection: parsed.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxSubscriptionsPerAgency: parsed.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY,
    upstreamKeepAliveMs: parsed.GATEWAY_WS_UPSTREAM_KEEPALIVE_MS,
  };
}
