/**
 * Part (a): the graphql-gateways-benchmark federation — four subgraphs in one process on the upstream CPU, their
 * supergraph composed at run time with `@apollo/composition`, and the nested users/reviews/products query.
 */
import { composeServices } from '@apollo/composition';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnPinned } from '../lib/child.ts';
import type { GatewaySpec, Scenario } from '../lib/scenario.ts';
import { BENCH_QUERY, benchServiceDefinitions } from './subgraphs.ts';

export interface FederationSetup {
  scenario: Scenario;
  close(): Promise<void>;
}

export async function setUpFederation(options: {
  upstreamCpu: string;
  workDir: string;
  gateways: (supergraphFile: string) => GatewaySpec[];
}): Promise<FederationSetup> {
  const subgraphs = await spawnPinned<{ urls: Record<string, string>; controlUrl: string }>({
    cpu: options.upstreamCpu,
    entry: 'bench/federation/subgraphs-main.ts',
    label: 'bench subgraphs',
    env: { NODE_ENV: 'production' },
  });
  try {
    const composed = composeServices(benchServiceDefinitions(subgraphs.info.urls));
    if (composed.errors !== undefined) throw new Error(`composition failed:\n${composed.errors.map((e) => `  - ${e.message}`).join('\n')}`);
    const supergraphFile = join(options.workDir, 'federation-supergraph.graphql');
    await writeFile(supergraphFile, composed.supergraphSdl);
    const scenario: Scenario = {
      id: 'federation',
      title: '(a) federation: graphql-gateways-benchmark query (accounts, inventory, products, reviews)',
      body: JSON.stringify({ query: BENCH_QUERY }),
      gateways: options.gateways(supergraphFile),
      upstreamPids: [subgraphs.pid],
      async counters() {
        const response = await fetch(`${subgraphs.info.controlUrl}/counters`, { signal: AbortSignal.timeout(10_000) });
        return (await response.json()) as Record<string, number>;
      },
      checkResponse(text) {
        const parsed = JSON.parse(text) as { data?: { users?: unknown[]; topProducts?: unknown[] }; errors?: unknown[] };
        if (parsed.errors !== undefined) return `it carries errors: ${JSON.stringify(parsed.errors).slice(0, 500)}`;
        if ((parsed.data?.users?.length ?? 0) !== 6 || (parsed.data?.topProducts?.length ?? 0) !== 5) return 'expected 6 users and 5 top products';
        return undefined;
      },
    };
    return { scenario, close: () => subgraphs.stop() };
  } catch (error) {
    await subgraphs.stop();
    throw error;
  }
}
