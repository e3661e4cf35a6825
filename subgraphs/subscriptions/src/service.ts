/**
 * The subscriptions subgraph (R4 in docs/requirements.md, real-time notification): owns the `Subscription` type, served over
 * graphql-ws at `/graphql` (the gateway connects with its internal token), fed by the event topics the relay and
 * catalogs publish to — Redis Streams (REDIS_URL) or, in embedded mode, an in-memory log that publishers reach
 * through `POST /internal/events` (EVENTS_PUBLISH_TOKEN). GraphQL over HTTP at the same path serves the federation
 * `_service` query and `subscriptionTopics`.
 *
 * Two namespaces of topics (issue 16, test and production environments): a subscriber whose principal is of the test
 * environment follows the test namespace's topics — the streams under `<prefix>test:` (`namespaceKeyPrefix`, where the
 * relay writes its test packets' events), or a log of their own in memory — and never production's; every other
 * subscriber follows production's and never the test ones.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { namespaceKeyPrefix } from '@lgsp/events';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  connectRedis,
  Counter,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  environmentOf,
  Gauge,
  startSubgraph,
  type BaseContext,
  type Environment,
  type InternalTokenVerifier,
  type Logger,
  type RedisClient,
  type Registry,
  type RunningSubgraph,
} from '@lgsp/kit';
import { configSchema, type SubscriptionsConfig } from './config.ts';
import { publishRoute } from './http/publish-route.ts';
import { createPresenceTracker } from './domain/presence.ts';
import { relayPresenceReport } from './http/presence-report.ts';
import { resolvers, type SubscriptionsContext } from './resolvers.ts';
import type { EventLog } from './store/event-log.ts';
import { createEventStream, type EventStream, type EventStreamStats } from './store/event-stream.ts';
import { createMemoryEventLog } from './store/memory-event-log.ts';
import { createRedisEventLog } from './store/redis-event-log.ts';
import { attachSubscriptionServer, type SubscriptionServer } from './ws/subscription-server.ts';

export { configSchema };
export type { SubscriptionsConfig };
export type { EventStream, EventStreamStats };

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export interface SubscriptionsServiceDeps {
  verifier?: InternalTokenVerifier;
  logger?: Logger;
  metrics?: Registry;
  /** The log behind production's topics instead of the one REDIS_URL selects (tests, a shared in-process log). */
  log?: EventLog;
  /** The log behind the test environment's topics, with `log` (default: one in memory of its own). */
  testLog?: EventLog;
}

export interface RunningSubscriptions extends RunningSubgraph {
  /** ws://host:port/graphql */
  wsUrl: string;
  /** Base URL of the HTTP server (e.g. http://127.0.0.1:4104). */
  origin: string;
  /** Production's topics: publish in-process, and reader / subscription counts. */
  stream: EventStream;
  /** The test environment's topics (issue 16), followed by test-environment subscribers only. */
  testStream: EventStream;
  /** Open graphql-ws connections. */
  connections(): number;
}

export async function startSubscriptions(config: SubscriptionsConfig, deps: SubscriptionsServiceDeps = {}): Promise<RunningSubscriptions> {
  const logger = deps.logger ?? createLogger('subscriptions', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetricsRegistry('subscriptions');
  const verifier = deps.verifier ?? createInternalTokenVerifier({ jwksUrl: config.GATEWAY_JWKS_URL });

  let redis: RedisClient | undefined;
  let log = deps.log;
  let testLog = deps.testLog;
  if (log === undefined) {
    if (config.REDIS_URL !== undefined) {
      redis = await connectRedis(config.REDIS_URL, { name: 'lgsp-subscriptions' });
      const onRedis = (environment: Environment) =>
        createRedisEventLog(redis!, { keyPrefix: namespaceKeyPrefix(config.REDIS_KEY_PREFIX, environment), retention: config.EVENTS_RETENTION });
      log = onRedis('production');
      testLog ??= onRedis('test');
    } else {
      log = createMemoryEventLog({ retention: config.EVENTS_RETENTION });
      logger.warn(
        config.EVENTS_PUBLISH_TOKEN === undefined
          ? 'REDIS_URL unset: topics live in memory and EVENTS_PUBLISH_TOKEN is unset, so no other process can publish to them'
          : 'REDIS_URL unset: topics live in memory; publishers post to /internal/events',
      );
    }
  }
  testLog ??= createMemoryEventLog({ retention: config.EVENTS_RETENTION });
  const streamOptions = { blockMs: config.SUBSCRIPTIONS_BLOCK_MS, maxBuffered: config.SUBSCRIPTIONS_MAX_BUFFERED, logger };
  const stream = createEventStream(log, streamOptions);
  const testStream = createEventStream(testLog, streamOptions);
  /** The one place a subscriber's or a post's environment chooses its topics. */
  const streamOf = (environment: Environment): EventStream => (environment === 'test' ? testStream : stream);
  const closeStreams = async () => {
    await stream.close();
    await testStream.close();
  };

  const delivered = new Counter({
    name: 'lgsp_subscriptions_events_delivered_total',
    help: 'Events handed to subscribers, by subscription field',
    labelNames: ['field'] as const,
    registers: [metrics],
  });
  const connectionEvents = new Counter({
    name: 'lgsp_subscriptions_connections_total',
    help: 'graphql-ws connections opened, refused (no valid gateway token) and closed',
    labelNames: ['event'] as const,
    registers: [metrics],
  });
  let wsServer: SubscriptionServer | undefined;
  new Gauge({
    name: 'lgsp_subscriptions_active',
    help: 'Open subscriptions, open graphql-ws connections and topic readers (one per followed topic)',
    labelNames: ['kind'] as const,
    registers: [metrics],
    collect() {
      const s = stream.stats();
      const t = testStream.stats();
      this.set({ kind: 'subscriptions' }, s.subscriptions + t.subscriptions);
      this.set({ kind: 'readers' }, s.readers + t.readers);
      this.set({ kind: 'connections' }, wsServer?.connections() ?? 0);
    },
  });

  const presence =
    config.RELAY_URL !== undefined && config.EVENTS_PUBLISH_TOKEN !== undefined
      ? createPresenceTracker({
          report: relayPresenceReport({ relayUrl: config.RELAY_URL, token: config.EVENTS_PUBLISH_TOKEN }),
          intervalMs: config.PRESENCE_REPORT_MS,
          logger,
        })
      : null;
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: resolvers as unknown as GraphQLResolverMap<unknown> }]);
  const context = (base: BaseContext): SubscriptionsContext => ({
    ...base,
    stream: streamOf(environmentOf(base.principal)),
    delivered: (field) => delivered.inc({ field }),
    presence,
  });

  let running: RunningSubgraph;
  try {
    running = await startSubgraph<SubscriptionsContext>({
      name: 'subscriptions',
      typeDefs,
      resolvers: resolvers as unknown as GraphQLResolverMap<SubscriptionsContext>,
      host: config.HOST,
      port: config.PORT,
      verifier,
      logger,
      metrics,
      context,
      readiness: redis === undefined ? {} : { redis: async () => void (await redis.ping()) },
      routes: config.EVENTS_PUBLISH_TOKEN === undefined ? undefined : publishRoute({ token: config.EVENTS_PUBLISH_TOKEN, stream: streamOf, logger, metrics }),
      onListening: (httpServer) => {
        wsServer = attachSubscriptionServer({
          httpServer,
          schema,
          verifier,
          logger,
          context,
          keepAliveMs: config.SUBSCRIPTIONS_KEEPALIVE_MS,
          production: config.NODE_ENV === 'production',
          onConnection: (event) => connectionEvents.inc({ event }),
        });
      },
    });
  } catch (error) {
    await presence?.close();
    await closeStreams();
    await redis?.quit();
    throw error;
  }
  const origin = running.url.replace(/\/graphql$/, '');
  const store = deps.log !== undefined ? 'given' : redis !== undefined ? 'redis' : 'memory';
  logger.info({ ws: running.url.replace(/^http/, 'ws'), store, publishEndpoint: config.EVENTS_PUBLISH_TOKEN !== undefined }, 'subscriptions over graphql-ws');

  return {
    url: running.url,
    port: running.port,
    origin,
    wsUrl: running.url.replace(/^http/, 'ws'),
    stream,
    testStream,
    connections: () => wsServer?.connections() ?? 0,
    async close() {
      await wsServer?.close();
      await presence?.close();
      await closeStreams();
      await running.close();
      await redis?.quit();
    },
  };
}
