/**
 * Wiring of the national sources, once per environment of the national platform: the production endpoint and its
 * test endpoint (WSO2's sandbox) each get their own HTTP client (pool, WSO2 token, consumer keys) and their own
 * circuit per source, so that nothing — a connection, a token, a failure count — is shared between them.
 */
import { Gauge, type Environment, type Logger, type Registry } from '@lgsp/kit';
import type { NationalDataConfig } from '../config.ts';
import { GuardedSource } from './breaker-guard.ts';
import { createNationalPlatformMetrics, NationalPlatformClient } from './national-platform-client.ts';
import { HttpPopulationConnector, type PopulationConnector } from './population.ts';
import { HttpEnterpriseRegistryConnector, type EnterpriseRegistryConnector } from './enterprise-registry.ts';

export type { PopulationConnector } from './population.ts';
export type { EnterpriseRegistryConnector } from './enterprise-registry.ts';

/** The sources one environment's callers read. */
export interface NationalSources {
  population: PopulationConnector;
  enterprises: EnterpriseRegistryConnector;
}

/** One environment's HTTP connectors with the client and circuits behind them (for health and tests). */
export interface EnvironmentConnectors extends NationalSources {
  environment: Environment;
  client: NationalPlatformClient;
  guards: { population: GuardedSource; enterprises: GuardedSource };
}

/** The connectors of both environments. */
export type NationalConnectors = Record<Environment, EnvironmentConnectors> & { close(): Promise<void> };

export function createNationalConnectors(config: NationalDataConfig, logger: Logger, metrics?: Registry): NationalConnectors {
  const instruments = metrics ? createNationalPlatformMetrics(metrics) : undefined;
  const stateGauge = metrics
    ? new Gauge({
        name: 'lgsp_national_platform_circuit_open',
        help: 'Circuit state per environment and national source: 0 closed, 0.5 half-open, 1 open',
        labelNames: ['environment', 'source'] as const,
        registers: [metrics],
      })
    : undefined;
  const endpoints: Record<Environment, { baseUrl: string; consumerKey: string; consumerSecret: string }> = {
    production: {
      baseUrl: config.NATIONAL_PLATFORM_URL,
      consumerKey: config.NATIONAL_PLATFORM_CONSUMER_KEY,
      consumerSecret: config.NATIONAL_PLATFORM_CONSUMER_SECRET,
    },
    test: {
      baseUrl: config.NATIONAL_PLATFORM_TEST_URL,
      consumerKey: config.NATIONAL_PLATFORM_TEST_CONSUMER_KEY,
      consumerSecret: config.NATIONAL_PLATFORM_TEST_CONSUMER_SECRET,
    },
  };
  const connect = (environment: Environment): EnvironmentConnectors => {
    const client = new NationalPlatformClient({
      ...endpoints[environment],
      environment,
      timeoutMs: config.NATIONAL_PLATFORM_TIMEOUT_MS,
      connectTimeoutMs: config.NATIONAL_PLATFORM_CONNECT_TIMEOUT_MS,
      retries: config.NATIONAL_PLATFORM_RETRIES,
      retryBaseMs: config.NATIONAL_PLATFORM_RETRY_BASE_MS,
      connections: config.NATIONAL_PLATFORM_CONNECTIONS,
      logger,
      ...(instruments ? { metrics: instruments } : {}),
    });
    return withClient(environment, client, config, logger, stateGauge);
  };
  const production = connect('production');
  const test = connect('test');
  return {
    production,
    test,
    close: async () => {
      await Promise.all([production.client.close(), test.client.close()]);
    },
  };
}

function withClient(
  environment: Environment,
  client: NationalPlatformClient,
  config: NationalDataConfig,
  logger: Logger,
  stateGauge: Gauge<'environment' | 'source'> | undefined,
): EnvironmentConnectors {
  const breaker = { failureThreshold: config.NATIONAL_PLATFORM_BREAKER_FAILURES, resetTimeoutMs: config.NATIONAL_PLATFORM_BREAKER_RESET_MS };
  const onStateChange = (state: string, source: string) => {
    logger.warn({ environment, source, state }, 'national platform circuit changed state');
    stateGauge?.set({ environment, source }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
  };
  const guards = {
    population: new GuardedSource('population', breaker, onStateChange),
    enterprises: new GuardedSource('enterprise-registry', breaker, onStateChange),
  };
  return {
    environment,
    population: new HttpPopulationConnector(client, guards.population),
    enterprises: new HttpEnterpriseRegistryConnector(client, guards.enterprises),
    client,
    guards,
  };
}
