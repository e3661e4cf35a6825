/**
 * `/health/ready`: the gateway can serve when Redis (if configured) answers PING and every subgraph of the
 * current supergraph answers `{ __typename }` with the internal token. Results are reused for a short while so
 * that load balancers probing every second cost the subgraphs next to nothing.
 */
import type { RedisClient } from '@lgsp/kit';
import { callSubgraph, type SubgraphCallDeps } from '../federation/subgraph-data-source.ts';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { status: 'ok' | 'failed'; error?: string }>;
}

export interface ReadinessOptions {
  /** The subgraphs to probe, resolved at probe time (the supergraph can change). */
  subgraphs: () => Array<{ name: string; url: string }>;
  redis: RedisClient | undefined;
  timeoutMs: number;
  cacheMs: number;
  call: SubgraphCallDeps;
}

export function createReadiness(options: ReadinessOptions): () => Promise<ReadinessReport> {
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at >= options.cacheMs) {
      cached = { at: now, report: probe(options) };
    }
    return cached.report;
  };
}

async function probe(options: ReadinessOptions): Promise<ReadinessReport> {
  const checks: ReadinessReport['checks'] = {};
  const tasks: Array<Promise<void>> = [];
  const record = (name: string, task: Promise<unknown>) =>
    tasks.push(
      withTimeout(task, options.timeoutMs).then(
        () => void (checks[name] = { status: 'ok' }),
        (error: Error) => void (checks[name] = { status: 'failed', error: error.message }),
      ),
    );
  if (options.redis !== undefined) record('redis', options.redis.ping());
  for (const subgraph of options.subgraphs()) {
    record(`subgraph:${subgraph.name}`, probeSubgraph(options, subgraph));
  }
  await Promise.all(tasks);
  return { ready: Object.values(checks).every((c) => c.status === 'ok'), checks };
}

async function probeSubgraph(options: ReadinessOptions, subgraph: { name: string; url: string }): Promise<void> {
  // Probes go through the pool but not through the fetch metrics: they are not operations.
  const response = await callSubgraph({ ...options.call, metrics: undefined }, subgraph, { query: '{ __typename }' }, undefined, options.timeoutMs);
  if (response.errors !== undefined && response.errors.length > 0) throw new Error(response.errors[0]!.message);
  if ((response.data as { __typename?: unknown } | null | undefined)?.__typename !== 'Query') {
    throw new Error('answer is not a GraphQL response to { __typename }');
  }
}

function withTimeout<T>(task: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([task, timeout]).finally(() => clearTimeout(timer));
}
