/**
 * The catalogs subgraph: shared code tables, versioned (R3, docs/requirements.md). Starts on the in-memory store or on
 * Redis, publishes the default data of any catalog that has no version yet, and serves GraphQL behind the
 * gateway's internal token.
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
import { configSchema, type CatalogsConfig } from './config.ts';
import { noCatalogEvents } from './domain/catalog-events.ts';
import { Catalogs } from './domain/catalogs.ts';
import { createCursorCodec } from './domain/cursor.ts';
import { defaultVersion } from './data/defaults.ts';
import { resolvers, type CatalogsContext } from './resolvers.ts';
import type { CatalogStore } from './store/catalog-store.ts';
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
}

export interface RunningCatalogs extends RunningSubgraph {
  catalogs: Catalogs;
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
  try {
    // The service only seeds empty catalogs, which are not announced; new versions come from the import command.
    const catalogs = new Catalogs({ store, events: noCatalogEvents, versionCheckIntervalMs: config.CATALOGS_VERSION_CHECK_MS, logger });
    const seeded = await catalogs.seed(defaultVersion);
    // Warm the indexes of the current versions so the first request does not pay for them.
    await Promise.all(Object.values(seeded).map((info) => catalogs.index(info.catalog, info.version)));
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
      async close() {
        await running.close();
        if (redis !== undefined) await redis.quit();
      },
    };
  } catch (error) {
    if (redis !== undefined) await redis.quit().catch(() => undefined);
    throw error;
  }
}
