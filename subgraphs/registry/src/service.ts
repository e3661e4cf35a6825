/**
 * The registry subgraph (R5–R7, docs/requirements.md): agencies, systems, services and access requests, GraphQL
 * behind the gateway's internal token at `/graphql`, the internal API at `/internal/v1/…` (REGISTRY_INTERNAL_TOKEN),
 * records on Redis (REDIS_URL) or in memory, and a sweep on an interval (REGISTRY_SWEEP_MS) that applies scheduled
 * agency changes and flags overdue requests.
 *
 * The grants, revocations, change log, credential issuer and events are ports: `deps` gives the real ones
 * (`@lgsp/access`, `@lgsp/credentials`, `@lgsp/events`); without them the in-memory stand-ins serve development.
 */
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import { parse } from 'graphql';
import { httpEventPublisher, redisEventPublisher } from '@lgsp/events';
import {
  ConfigError,
  connectRedis,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  startSubgraph,
  type InternalTokenVerifier,
  type Logger,
  type RedisClient,
  type Registry as MetricsRegistry,
  type RunningSubgraph,
} from '@lgsp/kit';
import { configSchema, type RegistryConfig } from './config.ts';
import { seedRegistry } from './data/seed.ts';
import { callerFrom } from './domain/caller.ts';
import { loadWorkingCalendar } from './data/calendar/index.ts';
import type { WorkingCalendar } from './domain/working-days/index.ts';
import { Registry } from './domain/registry.ts';
import { mountInternalApi } from './http/internal-api.ts';
import { createRegistryMetrics } from './metrics.ts';
import { createMemoryChangeLog, type ChangeLog } from './ports/change-log.ts';
import { createMemoryCredentialIssuer, createMemoryCredentialRevocations, type CredentialIssuer, type CredentialRevocations } from './ports/credentials.ts';
import { createMemoryRegistryEvents, registryEventsFrom, type RegistryEvents } from './ports/events.ts';
import { createMemoryGrantStore, type GrantStore } from './ports/grants.ts';
import { resolvers, type RegistryContext } from './resolvers.ts';
import { createMemoryRegistryStore } from './store/memory-registry-store.ts';
import { createRedisRegistryStore } from './store/redis-registry-store.ts';
import type { RegistryStore } from './store/registry-store.ts';

export { configSchema };

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface RegistryServiceDeps {
  verifier?: InternalTokenVerifier;
  logger?: Logger;
  metrics?: MetricsRegistry;
  /** A store to use instead of the one REDIS_URL selects. */
  store?: RegistryStore;
  /** The GrantStore the gateway enforces (`@lgsp/access`); default an in-memory one. */
  grants?: GrantStore;
  /** The change log (`@lgsp/access`); default in memory. */
  changes?: ChangeLog;
  /** Keycloak's Admin REST API (`@lgsp/credentials`); default an in-memory issuer. */
  issuer?: CredentialIssuer;
  /** Revocations the gateway reads (`@lgsp/access`); default in memory. */
  revocations?: CredentialRevocations;
  /** Where announcements go (`@lgsp/events`); default kept in memory. */
  events?: RegistryEvents;
  /** The working-day calendar; default the shipped table extended by REGISTRY_CALENDAR_FILE. */
  calendar?: WorkingCalendar;
  /** `@lgsp/access`'s router, mounted at `/internal/v1/access` (the gateway's HTTP adapters read it without Redis). */
  accessRouter?: RequestHandler;
  /** The clock (tests). */
  now?: () => Date;
}

export interface RunningRegistry extends RunningSubgraph {
  registry: Registry;
  /** Base URL of the HTTP server (e.g. http://127.0.0.1:4105). */
  origin: string;
  /** Runs one sweep now (the timer does it every REGISTRY_SWEEP_MS). */
  sweep(): ReturnType<Registry['sweep']>;
}

export async function startRegistry(config: RegistryConfig, deps: RegistryServiceDeps = {}): Promise<RunningRegistry> {
  const logger = deps.logger ?? createLogger('registry', config.LOG_LEVEL);
  let redis: RedisClient | undefined;
  let store = deps.store;
  if (store === undefined) {
    if (config.REDIS_URL !== undefined) {
      redis = await connectRedis(config.REDIS_URL, { name: 'lgsp-registry' });
      store = createRedisRegistryStore(redis, { keyPrefix: config.REDIS_KEY_PREFIX });
    } else {
      store = createMemoryRegistryStore();
      logger.warn('REDIS_URL unset: the registry lives in memory and is lost when it stops');
    }
  }
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const seed = config.REGISTRY_SEED ?? (config.NODE_ENV === 'production' ? 'none' : 'development');
    if (seed === 'development' && (await seedRegistry(store))) logger.info('registry seeded with the development agencies, systems and services');
    // Events: given, else on Redis with the records, else posted to the subscriptions service, else kept here.
    const events =
      deps.events ??
      (redis !== undefined
        ? registryEventsFrom(redisEventPublisher(redis, { keyPrefix: config.REDIS_KEY_PREFIX, retention: config.EVENTS_RETENTION }))
        : config.EVENTS_URL !== undefined && config.EVENTS_PUBLISH_TOKEN !== undefined
          ? registryEventsFrom(httpEventPublisher({ baseUrl: config.EVENTS_URL, token: config.EVENTS_PUBLISH_TOKEN }))
          : createMemoryRegistryEvents());
    if (deps.events === undefined && redis === undefined && config.EVENTS_URL === undefined)
      logger.warn('REDIS_URL and EVENTS_URL unset: registry events stay in this process');
    for (const [port, given] of Object.entries({ grants: deps.grants, changes: deps.changes, issuer: deps.issuer, revocations: deps.revocations })) {
      if (given === undefined) logger.warn({ port }, `no ${port} given: an in-memory stand-in is used (development only)`);
    }
    const calendar =
      deps.calendar ??
      (await loadWorkingCalendar(config.REGISTRY_CALENDAR_FILE).catch((error: Error) => {
        throw new ConfigError('registry', [error.message]);
      }));
    const metricsRegistry = deps.metrics ?? createMetricsRegistry('registry');
    const registry = new Registry({
      store,
      grants: deps.grants ?? createMemoryGrantStore(),
      changes: deps.changes ?? createMemoryChangeLog(),
      issuer: deps.issuer ?? createMemoryCredentialIssuer(),
      revocations: deps.revocations ?? createMemoryCredentialRevocations(),
      events,
      calendar,
      logger,
      metrics: createRegistryMetrics(metricsRegistry),
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
    const running = await startSubgraph<RegistryContext>({
      name: 'registry',
      typeDefs,
      resolvers: resolvers as never,
      host: config.HOST,
      port: config.PORT,
      verifier: deps.verifier ?? createInternalTokenVerifier({ jwksUrl: config.GATEWAY_JWKS_URL }),
      logger,
      metrics: metricsRegistry,
      context: (base) => ({ ...base, registry, caller: callerFrom(base.principal) }),
      readiness: {
        store: async () => {
          await store.version('agencies');
        },
      },
      routes: (app) => {
        if (config.REGISTRY_INTERNAL_TOKEN !== undefined) {
          mountInternalApi(app, { registry, token: config.REGISTRY_INTERNAL_TOKEN, logger, ...(deps.accessRouter ? { accessRouter: deps.accessRouter } : {}) });
        } else {
          logger.warn('REGISTRY_INTERNAL_TOKEN unset: no internal API (catalogs, the relay, the gateway and the operator CLI cannot read the registry)');
        }
      },
    });

    let sweeping: Promise<unknown> | null = null;
    const sweep = async () => {
      while (sweeping !== null) await sweeping.catch(() => undefined);
      const run = registry.sweep();
      sweeping = run;
      try {
        return await run;
      } finally {
        sweeping = null;
      }
    };
    await sweep();
    if (config.REGISTRY_SWEEP_MS > 0) {
      timer = setInterval(() => {
        if (sweeping === null) sweep().catch((error: unknown) => logger.warn({ err: error }, 'registry sweep failed; retried at the next interval'));
      }, config.REGISTRY_SWEEP_MS);
      timer.unref();
    }
    return {
      ...running,
      registry,
      origin: `http://${config.HOST}:${running.port}`,
      sweep,
      async close() {
        clearInterval(timer);
        await sweeping?.catch(() => undefined);
        await running.close();
        await store.close();
        if (redis !== undefined) await redis.quit();
      },
    };
  } catch (error) {
    clearInterval(timer);
    if (redis !== undefined) await redis.quit().catch(() => undefined);
    throw error;
  }
}
