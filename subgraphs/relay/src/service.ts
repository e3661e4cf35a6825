/**
 * The relay subgraph (R4, docs/requirements.md): the 7-step packet exchange. GraphQL behind the gateway's internal token
 * at `/graphql`; content upload and download as streamed HTTP under `/exchange/` (capability URLs); stores on
 * Redis (REDIS_URL) or in memory; a sweep on an interval (RELAY_SWEEP_MS) for expiry, redelivery and presence.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { httpEventPublisher, memoryEventPublisher, namespaceKeyPrefix, redisEventPublisher } from '@lgsp/events';
import {
  ConfigError,
  connectRedis,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  environmentOf,
  startSubgraph,
  type Environment,
  type InternalTokenVerifier,
  type Logger,
  type RedisClient,
  type Registry,
  type RunningSubgraph,
} from '@lgsp/kit';
import { startAuditWriter, type AuditWriter, type StartedAuditWriter } from '@lgsp/audit';
import { auditedPacketStore } from './audit/audited-packet-store.ts';
import { configSchema, type RelayConfig } from './config.ts';
import { createRegistryAgencyDirectory, type RegistryAgencyDirectory } from './connectors/registry-agency-directory.ts';
import { createFileAgencyDirectory, type AgencyDirectory } from './domain/agency-directory.ts';
import { loadMasterKey } from './domain/content-cipher.ts';
import { createJsonSchemaRegistry, readJsonSchemaDirectory, type JsonSchemaRegistry } from './domain/json-schemas.ts';
import { createRelayMetrics } from './domain/metrics.ts';
import { Relay, type SweepCounts } from './domain/relay.ts';
import { RelayNamespaces } from './domain/namespaces.ts';
import { createUrlSigner } from './domain/url-token.ts';
import { exchangeContentHandler } from './http/exchange-routes.ts';
import { presenceRoute } from './http/presence-route.ts';
import { bestEffortEvents } from './store/best-effort-events.ts';
import { callerFrom, resolvers, type RelayContext } from './resolvers.ts';
import type { PacketContentStore } from './store/content-store.ts';
import type { DeliveryQueue } from './store/delivery-queue.ts';
import type { EventPublisher } from './store/event-publisher.ts';
import { createMemoryContentStore } from './store/memory-content-store.ts';
import { createMemoryDeliveryQueue } from './store/memory-delivery-queue.ts';
import { createMemoryPacketStore } from './store/memory-packet-store.ts';
import { createMemoryPresenceStore } from './store/memory-presence-store.ts';
import type { PacketStore } from './store/packet-store.ts';
import type { PresenceStore } from './store/presence-store.ts';
import { createRedisContentStore } from './store/redis-content-store.ts';
import { createRedisDeliveryQueue } from './store/redis-delivery-queue.ts';
import { createRedisPacketStore } from './store/redis-packet-store.ts';
import { createRedisPresenceStore } from './store/redis-presence-store.ts';

export { configSchema };

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

/** The stores of one namespace of packets (production, or the test environment's). */
export interface RelayStores {
  packets: PacketStore;
  content: PacketContentStore;
  queue: DeliveryQueue;
  events: EventPublisher;
  presence: PresenceStore;
}

export interface RelayServiceDeps {
  verifier?: InternalTokenVerifier;
  logger?: Logger;
  metrics?: Registry;
  /** Production's stores, instead of the ones REDIS_URL selects (embedded mode shared with other services, tests). */
  stores?: RelayStores;
  /** The test environment's stores, with `stores` (default: in memory, their events kept in this process). */
  testStores?: RelayStores;
  /** The agency directory, instead of the one REGISTRY_URL selects (tests). */
  directory?: AgencyDirectory;
  /** JSON Schemas by id or data type (`DOSSIER`), checked on JSON/DOSSIER packets. */
  jsonSchemas?: Record<string, object>;
  /** Where the relay's audit records go, instead of the writer the configuration selects (closed by its owner). */
  audit?: AuditWriter;
}

export interface RunningRelay extends RunningSubgraph {
  /** The production namespace's relay. */
  relay: Relay;
  /** Both namespaces' relays (`relays.test` holds the test environment's packets). */
  relays: RelayNamespaces;
  /** Base URL of the relay's HTTP server (e.g. http://127.0.0.1:4103). */
  origin: string;
  /** The relay's audit records (`kind: 'relay'`, one per status event of either namespace): the writer and its log. */
  audit: Pick<StartedAuditWriter, 'writer' | 'log'> | { writer: AuditWriter; log: null };
  /** Runs one expiry / redelivery / presence pass over both namespaces now (the timer does it every RELAY_SWEEP_MS); the counts are their sums. */
  sweep(): ReturnType<Relay['sweep']>;
}

/**
 * The stores of one namespace on Redis: production's keys under `keyPrefix` (`lgsp:relay:…`, events `lgsp:events:…`),
 * the test environment's under `<keyPrefix>test:` (`lgsp:test:relay:…`, events `lgsp:test:events:…`).
 */
export function storesOnRedis(redis: RedisClient, keyPrefix: string, options: { eventsRetention?: number; environment?: Environment } = {}): RelayStores {
  const prefix = namespaceKeyPrefix(keyPrefix, options.environment ?? 'production');
  return {
    packets: createRedisPacketStore(redis, { keyPrefix: prefix }),
    content: createRedisContentStore(redis, { keyPrefix: prefix }),
    queue: createRedisDeliveryQueue(redis, { keyPrefix: prefix }),
    events: redisEventPublisher(redis, { keyPrefix: prefix, retention: options.eventsRetention }),
    presence: createRedisPresenceStore(redis, { keyPrefix: prefix }),
  };
}

/**
 * In-memory stores (embedded mode). Events go to the subscriptions service's `/internal/events` when `events` names
 * it (EVENTS_URL + EVENTS_PUBLISH_TOKEN), to the topics of `events.environment` (the test namespace's posts say
 * `test`, so they reach test-environment subscribers only); otherwise they stay in this process, where no subscriber
 * can see them.
 */
export function storesInMemory(options: { events?: { baseUrl: string; token: string; environment?: Environment } } = {}): RelayStores {
  return {
    packets: createMemoryPacketStore(),
    content: createMemoryContentStore(),
    queue: createMemoryDeliveryQueue(),
    events: options.events === undefined ? memoryEventPublisher() : httpEventPublisher(options.events),
    presence: createMemoryPresenceStore(),
  };
}

/** The schemas given by the caller, or those of RELAY_JSON_SCHEMAS_DIR; a bad file stops the start, naming it. */
async function jsonSchemasFrom(config: RelayConfig, given: Record<string, object> | undefined): Promise<JsonSchemaRegistry> {
  if (given !== undefined || config.RELAY_JSON_SCHEMAS_DIR === undefined) return createJsonSchemaRegistry(given);
  try {
    return createJsonSchemaRegistry(await readJsonSchemaDirectory(config.RELAY_JSON_SCHEMAS_DIR));
  } catch (error) {
    throw new ConfigError('relay', [`RELAY_JSON_SCHEMAS_DIR: ${(error as Error).message}`]);
  }
}

/**
 * The registry's directory when REGISTRY_URL is set (loaded once before the relay serves: it starts even when the
 * registry does not answer, refusing exchange requests until it does); otherwise the development list, with a warning.
 */
async function directoryFor(config: RelayConfig, logger: Logger, metrics: Registry): Promise<AgencyDirectory> {
  if (config.REGISTRY_URL === undefined || config.REGISTRY_INTERNAL_TOKEN === undefined) {
    logger.warn('REGISTRY_URL unset: the development agency list is the directory and every agency may send anything to every other (development only)');
    return createFileAgencyDirectory();
  }
  const directory = createRegistryAgencyDirectory({
    baseUrl: config.REGISTRY_URL,
    token: config.REGISTRY_INTERNAL_TOKEN,
    refreshMs: config.RELAY_DIRECTORY_REFRESH_MS,
    logger,
    metrics,
  });
  await directory.start();
  return directory;
}

/** One sweep pass over each namespace, one after the other; the counts added up. */
async function sweepBoth(relays: RelayNamespaces): Promise<SweepCounts> {
  const total: SweepCounts = { expired: 0, undeliverable: 0, resumed: 0 };
  for (const relay of relays.all()) {
    const counts = await relay.sweep();
    total.expired += counts.expired;
    total.undeliverable += counts.undeliverable;
    total.resumed += counts.resumed;
  }
  return total;
}

export async function startRelay(config: RelayConfig, deps: RelayServiceDeps = {}): Promise<RunningRelay> {
  const logger = deps.logger ?? createLogger('relay', config.LOG_LEVEL);
  let redis: RedisClient | undefined;
  let stores = deps.stores;
  let testStores = deps.testStores;
  if (stores === undefined) {
    if (config.REDIS_URL !== undefined) {
      redis = await connectRedis(config.REDIS_URL, { name: 'lgsp-relay' });
      stores = storesOnRedis(redis, config.REDIS_KEY_PREFIX, { eventsRetention: config.EVENTS_RETENTION });
      testStores ??= storesOnRedis(redis, config.REDIS_KEY_PREFIX, { eventsRetention: config.EVENTS_RETENTION, environment: 'test' });
    } else {
      const events =
        config.EVENTS_URL !== undefined && config.EVENTS_PUBLISH_TOKEN !== undefined
          ? { baseUrl: config.EVENTS_URL, token: config.EVENTS_PUBLISH_TOKEN }
          : undefined;
      stores = storesInMemory({ events });
      testStores ??= storesInMemory({ events: events === undefined ? undefined : { ...events, environment: 'test' } });
      logger.warn('REDIS_URL unset: packets live in memory and are lost when the relay stops');
      if (events === undefined) logger.warn('REDIS_URL and EVENTS_URL unset: events stay in this process and no subscriber is notified');
    }
  }
  // Production's stores given without test ones (tests, embedded with other services): test packets' events stay here.
  testStores ??= storesInMemory();
  let timer: ReturnType<typeof setInterval> | undefined;
  let closeDirectory = (): void => undefined;
  let ownAudit: StartedAuditWriter | undefined;
  try {
    const metricsRegistry = deps.metrics ?? createMetricsRegistry('relay');
    // Issue 17: the audit log on Redis with the records, else monitoring's over HTTP, else in this process (@lgsp/audit).
    ownAudit =
      deps.audit === undefined
        ? startAuditWriter({ config, redis, keyPrefix: config.REDIS_KEY_PREFIX, logger, source: 'relay', registry: metricsRegistry })
        : undefined;
    const auditWriter = deps.audit ?? ownAudit!.writer;
    const masterKey = loadMasterKey(config.RELAY_MASTER_KEY, config.RELAY_MASTER_KEY_PREVIOUS);
    if (masterKey.development)
      logger.warn(
        { masterKeyId: masterKey.id },
        'RELAY_MASTER_KEY unset: a development key was generated; content uploaded before a restart cannot be read after it',
      );
    if (masterKey.previous.size > 0)
      logger.info(
        { masterKeyId: masterKey.id, previousMasterKeyIds: [...masterKey.previous.keys()] },
        'content stored under the previous master keys stays readable',
      );
    const urls = createUrlSigner(config.RELAY_URL_SECRET, config.RELAY_URL_SECRET_PREVIOUS);
    if (urls.ephemeral) logger.warn('RELAY_URL_SECRET unset: upload/download URLs are signed with a per-process key and die with it');
    const schemas = await jsonSchemasFrom(config, deps.jsonSchemas);
    const relayMetrics = createRelayMetrics(metricsRegistry);
    let origin = config.RELAY_PUBLIC_URL ?? '';
    const directory = deps.directory ?? (await directoryFor(config, logger, metricsRegistry));
    closeDirectory = () => (directory as Partial<RegistryAgencyDirectory>).close?.();
    const relayOf = (environment: Environment, namespaceStores: RelayStores) =>
      new Relay({
        ...namespaceStores,
        // Issue 17: every status event either namespace commits is also an audit record (audit/audited-packet-store.ts).
        packets: auditedPacketStore(namespaceStores.packets, auditWriter, environment),
        environment,
        events: bestEffortEvents(namespaceStores.events, { logger, failures: relayMetrics.eventsFailed }),
        directory,
        schemas,
        masterKey,
        urls,
        logger,
        metrics: relayMetrics,
        consumerName: `relay-${randomUUID().slice(0, 8)}`,
        settings: {
          publicBaseUrl: () => config.RELAY_PUBLIC_URL ?? origin,
          maxPacketBytes: config.RELAY_MAX_PACKET_BYTES,
          maxRecipients: config.RELAY_MAX_RECIPIENTS,
          spaceTtlMs: config.RELAY_SPACE_TTL_MS,
          claimTtlMs: config.RELAY_CLAIM_TTL_MS,
          ackTimeoutMs: config.RELAY_ACK_TIMEOUT_MS,
          defaultDeadlineMs: config.RELAY_DEFAULT_DEADLINE_MS,
          maxDeadlineMs: config.RELAY_MAX_DEADLINE_MS,
          defaultMaxAttempts: config.RELAY_DEFAULT_MAX_ATTEMPTS,
          defaultMaxOfflineMs: config.RELAY_MAX_OFFLINE_MS,
          chunkBytes: config.RELAY_CHUNK_BYTES,
          retentionMs: config.RELAY_RETENTION_MS,
          jsonMaxBytes: config.RELAY_JSON_MAX_BYTES,
          inlineMaxBytes: config.RELAY_INLINE_MAX_BYTES,
        },
      });
    const relays = new RelayNamespaces(relayOf('production', stores), relayOf('test', testStores));
    const relay = relays.production;
    const running = await startSubgraph<RelayContext>({
      name: 'relay',
      typeDefs,
      resolvers: resolvers as never,
      host: config.HOST,
      port: config.PORT,
      verifier: deps.verifier ?? createInternalTokenVerifier({ jwksUrl: config.GATEWAY_JWKS_URL }),
      logger,
      metrics: metricsRegistry,
      context: async (base) => {
        const caller = base.principal.kind === 'anonymous' ? { agencyCode: null, systemId: null, operator: false } : callerFrom(base.principal);
        // Issue 16: the caller's environment chooses the namespace, for every operation of the request.
        const namespace = relays.for(environmentOf(base.principal));
        // Presence: every call of an agency's system counts as activity (R4: "detects whether systems are online").
        await namespace.markActive(caller);
        return { ...base, relay: namespace, caller };
      },
      readiness: {
        store: async () => {
          await stores.packets.activeIds(1, 0);
          await testStores.packets.activeIds(1, 0);
        },
      },
      handle: exchangeContentHandler((token) => relays.forToken(token), logger),
      routes: (app) => {
        if (config.EVENTS_PUBLISH_TOKEN !== undefined)
          presenceRoute({
            token: config.EVENTS_PUBLISH_TOKEN,
            presence: (environment) => (environment === 'test' ? testStores : stores).presence,
            logger,
          })(app);
      },
    });
    origin = `http://${config.HOST}:${running.port}`;

    let sweeping: Promise<unknown> | null = null;
    const sweep = async () => {
      while (sweeping !== null) await sweeping.catch(() => undefined);
      const run = sweepBoth(relays);
      sweeping = run;
      try {
        return await run;
      } finally {
        sweeping = null;
      }
    };
    if (config.RELAY_SWEEP_MS > 0) {
      timer = setInterval(() => {
        if (sweeping === null) sweep().catch((error: unknown) => logger.error({ err: error }, 'relay sweep failed'));
      }, config.RELAY_SWEEP_MS);
      timer.unref();
    }
    return {
      ...running,
      relay,
      relays,
      origin,
      audit: ownAudit ?? { writer: auditWriter, log: null },
      sweep,
      async close() {
        clearInterval(timer);
        closeDirectory();
        await sweeping?.catch(() => undefined);
        await running.close();
        // After the last request and sweep: every record they queued is written before the relay stops.
        await ownAudit?.close();
        if (redis !== undefined) await redis.quit();
      },
    };
  } catch (error) {
    clearInterval(timer);
    closeDirectory();
    await ownAudit?.close().catch(() => undefined);
    if (redis !== undefined) await redis.quit().catch(() => undefined);
    throw error;
  }
}
