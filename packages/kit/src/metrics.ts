/** Prometheus metrics: each service owns one registry, exposed at GET /metrics. */
import { collectDefaultMetrics, Histogram, Counter, Registry } from 'prom-client';

export { Counter, Histogram, Gauge, Registry } from 'prom-client';

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Standard per-operation metrics for a subgraph. */
export function subgraphOperationMetrics(registry: Registry) {
  return {
    operations: new Counter({
      name: 'lgsp_subgraph_operations_total',
      help: 'GraphQL operations served by this subgraph, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'lgsp_subgraph_operation_duration_seconds',
      help: 'Time to serve a GraphQL operation in this subgraph',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
