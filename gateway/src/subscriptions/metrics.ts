/** Metrics of the WebSocket endpoint, on the gateway's one registry (GET /metrics). */
import { Counter, Gauge, type Registry } from '@lgsp/kit';

export interface SubscriptionMetrics {
  /** Open WebSocket connections on /graphql (initialised or not). */
  connections: Gauge;
  /** Active client subscriptions. */
  subscriptions: Gauge;
  /** Subscriptions the gateway holds open to subgraphs (shared by identical client subscriptions). */
  upstreamStreams: Gauge<'subgraph'>;
  /** Events received from subgraph streams. */
  upstreamEvents: Counter<'subgraph'>;
  /** `next` messages sent to clients. */
  eventsDelivered: Counter;
  /** Connections closed, by close code. */
  closes: Counter<'code'>;
  /** Connections and subscriptions refused, by reason. */
  rejections: Counter<'reason'>;
  /** Redis commands of the per-agency limits that failed or timed out (`acquire`: the slot was counted locally). */
  limitStoreFailures: Counter<'operation'>;
}

export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  return {
    connections: new Gauge({ name: 'lgsp_gateway_ws_connections', help: 'Open graphql-ws connections on /graphql', registers: [registry] }),
    subscriptions: new Gauge({ name: 'lgsp_gateway_ws_subscriptions', help: 'Active client subscriptions over graphql-ws', registers: [registry] }),
    upstreamStreams: new Gauge({
      name: 'lgsp_gateway_ws_upstream_streams',
      help: 'Subscriptions open from the gateway to subgraphs (identical client subscriptions share one)',
      labelNames: ['subgraph'] as const,
      registers: [registry],
    }),
    upstreamEvents: new Counter({
      name: 'lgsp_gateway_ws_upstream_events_total',
      help: 'Events received from subgraph subscription streams',
      labelNames: ['subgraph'] as const,
      registers: [registry],
    }),
    eventsDelivered: new Counter({
      name: 'lgsp_gateway_ws_events_delivered_total',
      help: 'Subscription events (next messages) sent to clients',
      registers: [registry],
    }),
    closes: new Counter({
      name: 'lgsp_gateway_ws_closes_total',
      help: 'graphql-ws connections closed, by WebSocket close code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'lgsp_gateway_ws_rejections_total',
      help: 'graphql-ws connections and operations refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    limitStoreFailures: new Counter({
      name: 'lgsp_gateway_ws_limit_store_failures_total',
      help: 'Redis commands of the per-agency WebSocket limits that failed or timed out, by operation (acquire: the slot was counted on this replica only)',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
  };
}
