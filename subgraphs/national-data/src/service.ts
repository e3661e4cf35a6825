/**
 * The national-data subgraph: Citizen and Enterprise from the national databases, through connectors to the
 * national platform. `startNationalData(config, deps?)` is used by `npm start` (main.ts) and by tests.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  environmentOf,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  startSubgraph,
  type InternalTokenVerifier,
  type Logger,
  type Registry,
  type RunningSubgraph,
} from '@lgsp/kit';
import type { NationalDataConfig } from './config.ts';
import type { Environment } from '@lgsp/kit';
import { createNationalConnectors, type NationalConnectors, type NationalSources } from './connectors/index.ts';
import { createLoaders } from './loaders.ts';
import { resolvers, type NationalDataContext } from './resolvers.ts';
import { withRowConditions } from './row-conditions.ts';
import type { AuditLog, AuditWriter } from '@lgsp/audit';
import { startServedAudit } from './audit/served-records.ts';

export { configSchema, type NationalDataConfig } from './config.ts';

/** The subgraph's SDL (also read by the composition script). */
export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface NationalDataDeps {
  verifier?: InternalTokenVerifier;
  logger?: Logger;
  metrics?: Registry;
  /**
   * Other connector implementations per environment (e.g. another platform); the HTTP ones from the config
   * otherwise. A source given for one environment is never used for the other.
   */
  sources?: Partial<Record<Environment, Partial<NationalSources>>>;
  /** The audit log of the `served` records (tests); otherwise this process's memory until a shared log exists. */
  auditLog?: AuditLog;
}

export interface RunningNationalData extends RunningSubgraph {
  /** The HTTP connectors built from the config, one set per environment (for health and tests). */
  connectors: NationalConnectors;
  /** The `served` records' writer and log (undefined with NATIONAL_DATA_AUDIT=off); `close` writes what is queued. */
  audit: { writer: AuditWriter | undefined; log: AuditLog | undefined };
}

export async function startNationalData(config: NationalDataConfig, deps: NationalDataDeps = {}): Promise<RunningNationalData> {
  const logger = deps.logger ?? createLogger('national-data', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetricsRegistry('national-data');
  const audit = await startServedAudit(config, { logger, registry: metrics, log: deps.auditLog });
  const verifier = deps.verifier ?? createInternalTokenVerifier({ jwksUrl: config.GATEWAY_JWKS_URL });
  const connectors = createNationalConnectors(config, logger, metrics);
  // Test-environment callers (principal.environment 'test') read the platform's test endpoint only, everyone else
  // the production endpoint only: the loaders of a request are built over one environment's sources.
  const sources: Record<Environment, NationalSources> = {
    production: {
      population: deps.sources?.production?.population ?? connectors.production.population,
      enterprises: deps.sources?.production?.enterprises ?? connectors.production.enterprises,
    },
    test: {
      population: deps.sources?.test?.population ?? connectors.test.population,
      enterprises: deps.sources?.test?.enterprises ?? connectors.test.enterprises,
    },
  };

  const subgraph = await startSubgraph<NationalDataContext>({
    name: 'national-data',
    typeDefs,
    resolvers: withRowConditions(typeDefs, resolvers),
    host: config.HOST,
    port: config.PORT,
    verifier,
    logger,
    metrics,
    // Loaders per request: batching within one operation, no personal data kept after it, and one environment's
    // sources only.
    context: (base) => ({ ...base, loaders: createLoaders(sources[environmentOf(base.principal)]) }),
    // Readiness does not depend on the national platform: when it fails, the affected fields fail and the rest of
    // each query is still served (the circuit state is exported as a metric instead).
    readiness: {},
    onServed: audit.onServed,
  });
  return {
    ...subgraph,
    connectors,
    audit: { writer: audit.writer, log: audit.log },
    async close() {
      await subgraph.close();
      await audit.close(); // every request has been answered: write what is queued
      await connectors.close();
    },
  };
}
