/**
 * The catalogs subgraph: shared code tables, versioned (R3, docs/requirements.md). Starts on the in-memory store or on
 * Redis, publishes the default data of any catalog that has no version yet, and serves GraphQL behind the
 * gateway's internal token. With REGISTRY_URL the AGENCIES catalog follows the registry instead of the development
 * file (connectors/registry-agencies.ts), and the versions it imports are announced as `catalog-changed`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  connectRedis,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  startSubgraph,
  type InternalTokenVerifier,
  type Logger,
  type RedisClient,
  type Registry,
  type RunningSubgraph,
} from '@lgsp/kit';
import { httpEventPublisher, redisEventPublisher } from '@lgsp/events';
import { configSchema, type CatalogsConfig } from './config.ts';
import { startRegistryAgencySync, type RegistryAgencySync } from './connectors/registry-agencies.ts';
import { CATALOG_NAMES } from './domain/catalog.ts';
import { noCatalogEvents, type CatalogEvents } from './domain/catalog-events.ts';
import { Catalogs } from './domain/catalogs.ts';
import { createCursorCodec } from './domain/cursor.ts';
import { defaultVersion } from './data/defaults.ts';
import { resolvers, type CatalogsContext } from './resolvers.ts';
import type { CatalogStore } from './store/catalog-store.ts';
import { createTopicCatalogEvents } from './store/catalog-change-events.ts';
import { createMemoryCatalogStore } from './store/memory-catalog-store.ts';
import { createRedisCatalogStore } from './store/redis-catalog-store.ts';

export { configSchema };

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface CatalogsDeps {
  verifier?: InternalTokenVerifier;
  logger?: Logger;
  metrics?: Registry;
  /** A store to use instead of the one REDIS_URL selects (tests). */
  store?: CatalogStore;
  /** Where imported versions are announced, instead of the publisher the configuration selects (tests). */
  events?: CatalogEvents;
}

export interface RunningCatalogs extends RunningSubgraph {
  catalogs: Catalogs;
  /** The registry poller of the AGENCIES catalog, when REGISTRY_URL is set. */
  registrySync: RegistryAgencySync | undefined;
}

export async function startCatalogs(config: CatalogsConfig, deps: CatalogsDeps = {}): Promise<RunningCatalogs> {
  const logger = deps.logger ?? createLogger('catalogs', config.LOG_LEVEL);
  let redis: RedisClient | undefined;
  let store = deps.store;
  if (store === undefined) {
    if (config.REDIS_URL !== undefined) {
      redis = await connectRedis(config.REDIS_URL, { name: 'lgsp-catalogs' });
      store = createRedisCatalogStore(redis, { keyPrefix: config.REDIS_KEY_PREFIX });
    } else {
      store = createMemoryCatalogStore();
    }
  }
  let registrySync: RegistryAgencySync | undefined;
  try {
    // Seeding an empty catalog is not announced; the versions imported from the registry are (administrative units
    // come from the import command).
    const events = deps.events ?? catalogEvents(config, redis, logger);
    const catalogs = new Catalogs({ store, events, versionCheckIntervalMs: config.CATALOGS_VERSION_CHECK_MS, logger });
    const fromRegistry = config.REGISTRY_URL !== undefined && config.REGISTRY_INTERNAL_TOKEN !== undefined;
    // With a registry the development file of agencies is never read: AGENCIES waits for the registry.
    await catalogs.seed(
      defaultVersion,
      CATALOG_NAMES.filter((catalog) => !(fromRegistry && catalog === 'AGENCIES')),
    );
    if (fromRegistry) {
      registrySync = await startRegistryAgencySync({
        url: config.REGISTRY_URL!,
        token: config.REGISTRY_INTERNAL_TOKEN!,
        intervalMs: config.CATALOGS_REGISTRY_POLL_MS,
        timeoutMs: config.CATALOGS_REGISTRY_TIMEOUT_MS,
        catalogs,
        logger,
      });
    } else {
      logger.warn('REGISTRY_URL unset: the AGENCIES catalog is the development file (subgraphs/catalogs/src/data/agencies.development.json)');
    }
    // Warm the indexes of the current versions so the first request does not pay for them.
    await Promise.all(
      CATALOG_NAMES.map(async (catalog) => {
        const version = await store.currentVersion(catalog);
        if (version !== null) await catalogs.index(catalog, version);
      }),
    );
    const cursors = createCursorCodec(config.CATALOGS_CURSOR_SECRET, config.CATALOGS_CURSOR_SECRET_PREVIOUS);
    if (config.CATALOGS_CURSOR_SECRET === undefined) logger.info('CATALOGS_CURSOR_SECRET unset: pagination cursors are signed with a per-process key');

    const running = await startSubgraph<CatalogsContext>({
      name: 'catalogs',
      typeDefs,
      resolvers: resolvers as never,
      host: config.HOST,
      port: config.PORT,
      verifier: deps.verifier ?? createInternalTokenVerifier({ jwksUrl: config.GATEWAY_JWKS_URL }),
      logger,
      metrics: deps.metrics ?? createMetricsRegistry('catalogs'),
      context: (base) => ({ ...base, catalogs: catalogs.session(), cursors }),
      readiness: {
        store: async () => {
          await store.currentVersion('ADMINISTRATIVE_UNITS');
        },
      },
    });
    return {
      ...running,
      catalogs,
      registrySync,
      async close() {
        await registrySync?.stop();
        await running.close();
        if (redis !== undefined) await redis.quit();
      },
    };
  } catch (error) {
    await registrySync?.stop();
    if (redis !== undefined) await redis.quit().catch(() => undefined);
    throw error;
  }
}

/**
 * Where new catalog versions are announced: the topic stream on the service's Redis, or the subscriptions service
 * over HTTP (EVENTS_URL) without Redis, or nowhere.
 */
function catalogEvents(config: CatalogsConfig, redis: RedisClient | undefined, logger: Logger): CatalogEvents {
  if (redis !== undefined)
    return createTopicCatalogEvents(redisEventPublisher(redis, { keyPrefix: config.REDIS_KEY_PREFIX, retention: config.EVENTS_RETENTION }));
  if (config.EVENTS_URL !== undefined && config.EVENTS_PUBLISH_TOKEN !== undefined) {
    return createTopicCatalogEvents(httpEventPublisher({ baseUrl: config.EVENTS_URL, token: config.EVENTS_PUBLISH_TOKEN }));
  }
  if (config.REGISTRY_URL !== undefined) logger.warn('REDIS_URL and EVENTS_URL unset: agency changes from the registry are not announced (catalog-changed)');
  return noCatalogEvents;
}
