/** Wiring of the national sources: one HTTP client (pool + token) and one circuit per source. */
import { Gauge, type Logger, type Registry } from '@lgsp/kit';
import type { NationalDataConfig } from '../config.ts';
import { GuardedSource } from './breaker-guard.ts';
import { NationalPlatformClient } from './national-platform-client.ts';
import { HttpPopulationConnector, type PopulationConnector } from './population.ts';
import { HttpEnterpriseRegistryConnector, type EnterpriseRegistryConnector } from './enterprise-registry.ts';

export type { PopulationConnector } from './population.ts';
export type { EnterpriseRegistryConnector } from './enterprise-registry.ts';

export interface NationalConnectors {
  population: PopulationConnector;
  enterprises: EnterpriseRegistryConnector;
  client: NationalPlatformClient;
  guards: { population: GuardedSource; enterprises: GuardedSource };
  close(): Promise<void>;
}

export function createNationalConnectors(config: NationalDataConfig, logger: Logger, metrics?: Registry): NationalConnectors {
  const client = new NationalPlatformClient({
    baseUrl: config.NATIONAL_PLATFORM_URL,
    consumerKey: config.NATIONAL_PLATFORM_CONSUMER_KEY,
    consumerSecret: config.NATIONAL_PLATFORM_CONSUMER_SECRET,
    timeoutMs: config.NATIONAL_PLATFORM_TIMEOUT_MS,
    connectTimeoutMs: config.NATIONAL_PLATFORM_CONNECT_TIMEOUT_MS,
    retries: config.NATIONAL_PLATFORM_RETRIES,
    retryBaseMs: config.NATIONAL_PLATFORM_RETRY_BASE_MS,
    connections: config.NATIONAL_PLATFORM_CONNECTIONS,
    logger,
    ...(metrics ? { metrics } : {}),
  });
  const stateGauge = metrics
    ? new Gauge({
        name: 'lgsp_national_platform_circuit_open',
        help: 'Circuit state per national source: 0 closed, 0.5 half-open, 1 open',
        labelNames: ['source'] as const,
        registers: [metrics],
      })
    : undefined;
  const breaker = { failureThreshold: config.NATIONAL_PLATFORM_BREAKER_FAILURES, resetTimeoutMs: config.NATIONAL_PLATFORM_BREAKER_RESET_MS };
  const onStateChange = (state: string, source: string) => {
    logger.warn({ source, state }, 'national platform circuit changed state');
    stateGauge?.set({ source }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
  };
  const guards = {
    population: new GuardedSource('population', breaker, onStateChange),
    enterprises: new GuardedSource('enterprise-registry', breaker, onStateChange),
  };
  return {
    population: new HttpPopulationConnector(client, guards.population),
    enterprises: new HttpEnterpriseRegistryConnector(client, guards.enterprises),
    client,
    guards,
    close: () => client.close(),
  };
}
