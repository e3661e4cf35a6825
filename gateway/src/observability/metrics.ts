/** The gateway's Prometheus metrics, all on the one registry served at GET /metrics. */
import { Counter, Histogram, type Registry } from '@lgsp/kit';

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface GatewayMetrics {
  /** Operations by `type` (query, mutation, subscription, unknown) and `outcome` (see `OperationOutcome`). */
  operations: Counter<'type' | 'outcome'>;
  operationDuration: Histogram<'type'>;
  /** One per HTTP request sent to a subgraph; `outcome` is success, graphql_error or transport_error. */
  subgraphFetches: Counter<'subgraph' | 'outcome'>;
  subgraphFetchDuration: Histogram<'subgraph'>;
  /** One per error a subgraph fetch produced, by `extensions.code` (transport failures use the gateway's code). */
  subgraphErrors: Counter<'subgraph' | 'code'>;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    operations: new Counter({
      name: 'lgsp_gateway_operations_total',
      help: 'GraphQL operations served by the gateway, by operation type and outcome',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    operationDuration: new Histogram({
      name: 'lgsp_gateway_operation_duration_seconds',
      help: 'Time from receiving a GraphQL operation to sending its response',
      labelNames: ['type'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    subgraphFetches: new Counter({
      name: 'lgsp_gateway_subgraph_fetches_total',
      help: 'HTTP requests the gateway sent to each subgraph, by outcome',
      labelNames: ['subgraph', 'outcome'] as const,
      registers: [registry],
    }),
    subgraphFetchDuration: new Histogram({
      name: 'lgsp_gateway_subgraph_fetch_duration_seconds',
      help: 'Round-trip time of one subgraph HTTP request, including reading the response',
      labelNames: ['subgraph'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    subgraphErrors: new Counter({
      name: 'lgsp_gateway_subgraph_errors_total',
      help: 'Errors returned by or raised while calling each subgraph, by error code',
      labelNames: ['subgraph', 'code'] as const,
      registers: [registry],
    }),
  };
}
