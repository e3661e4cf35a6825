/**
 * The gateway: Express 5 + Apollo Server 5 + Apollo Gateway on the static supergraph file, subgraph calls over
 * a keep-alive pool carrying the internal token and the request id, health, metrics and the JWKS.
 */
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import {
  connectRedis,
  createInternalTokenIssuer,
  createLogger,
  createMetricsRegistry,
  type InternalTokenIssuer,
  type Logger,
  type RedisClient,
  type Registry,
} from '@lgsp/kit';
import express from 'express';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthenticator } from './auth/authenticate.ts';
import { principalOf } from './auth/principal.ts';
import { publishJwks } from './auth/jwks.ts';
import type { CredentialRevocations } from '@lgsp/access';
import { startRevocations } from './auth/revocations/setup.ts';
import { startAuthorization } from './authorization/setup.ts';
import { startGatewayAudit, type GatewayAudit } from './audit/setup.ts';
import type { AuditLog, AuditWriter } from '@lgsp/audit';
import type { GrantStore } from '@lgsp/access';
import { subgraphUrlVariable, type GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { withDeprecations } from './deprecation/deprecated-schema.ts';
import { deprecationStep, deprecationsPage, DEPRECATIONS_PATH } from './deprecation/deprecation-step.ts';
import type { DeprecationNotices } from './deprecation/notices.ts';
import { startDeprecationNotices } from './deprecation/setup.ts';
import { SubgraphClient } from './federation/subgraph-client.ts';
import { PooledSubgraphDataSource, type SubgraphCallDeps } from './federation/subgraph-data-source.ts';
import { NativeGateway } from './federation/executor/native-gateway.ts';
import { SupergraphFile, type ReloadOutcome } from './federation/supergraph-file.ts';
import type { LoadedSupergraph } from './federation/supergraph.ts';
import { createReadiness } from './health/readiness.ts';
import { introspectionStep } from './limits/introspection.ts';
import { operationLimitsStep } from './limits/operation-limits.ts';
import { exchangeContentProxy, isExchangeRequest } from './exchange/content-proxy.ts';
import { withReportDownloads } from './reports/report-proxy.ts';
import { graphqlOverHttpPlugin, graphqlRequestBody, graphqlRequestErrors, rejectMalformedHttp } from './http/graphql-over-http.ts';
import { assignRequestId } from './http/request-id.ts';
import { landingPage } from './landing/landing-page.ts';
import { portalRoutes } from './portal/portal-routes.ts';
import { createGatewayMetrics } from './observability/metrics.ts';
import { observeOperations, operationRecordOf, operationRecordPlugin } from './observability/operations.ts';
import { assemblePipeline, requestPipeline } from './pipeline/request-pipeline.ts';
import { startQuotas } from './quotas/quota-step.ts';
import type { MaintenanceSchedule } from './maintenance/schedule.ts';
import { startMaintenance } from './maintenance/setup.ts';
import { subscriptionStage } from './subscriptions/subscription-stage.ts';
import { createSubscriptionServer } from './subscriptions/ws-server.ts';

export { gatewayConfig, gatewayConfigFromEnv, configSchema, type GatewayConfig } from './config.ts';
export type { ReloadOutcome } from './federation/supergraph-file.ts';

export interface GatewayDeps {
  logger?: Logger;
  /** Prometheus registry for /metrics (one per process). */
  metrics?: Registry;
  /** The internal-token signer (tests share one with their subgraphs' verifiers). */
  issuer?: InternalTokenIssuer;
  /** A connected Redis client; otherwise one is connected from `config.redisUrl` when set. */
  redis?: RedisClient;
  /** The grant store (tests); otherwise Redis when `config.redisUrl` is set, else memory, seeded from GRANTS_FILE. */
  grants?: GrantStore;
  /** The credential revocations (tests); otherwise Redis when `config.redisUrl` is set, else memory. */
  revocations?: CredentialRevocations;
  /** The deprecation notices (tests); otherwise the registry's when REGISTRY_INTERNAL_URL is set, else none. */
  notices?: DeprecationNotices;
  /** Maintenance windows and the clock they are judged by (tests); otherwise the registry's and the system clock. */
  maintenance?: { schedule?: MaintenanceSchedule; now?: () => number; watchEveryMs?: number };
  /** The audit log (tests, the bench); otherwise the one GATEWAY_AUDIT's setup picks (audit/setup.ts). */
  auditLog?: AuditLog;
}

export interface RunningGateway {
  /** http://host:port/graphql */
  url: string;
  port: number;
  /** Re-reads the supergraph file now (the watcher does this by itself when the file changes). */
  reload(): Promise<ReloadOutcome>;
  /** The supergraph being served, with the subgraph URLs in effect after `SUBGRAPH_<NAME>_URL` overrides. */
  supergraph(): LoadedSupergraph;
  /** Subscribes to reload attempts (watcher or `reload()`); returns the unsubscribe function. */
  onReload(listener: (outcome: ReloadOutcome) => void): () => void;
  /** The grants authorization decides with (changes apply at once, on every replica sharing Redis). */
  grants: GrantStore;
  /** The revoked credentials the gateway refuses (within 5 s of a change, on every replica sharing Redis). */
  revocations: CredentialRevocations;
  /** The audit writer and its log (undefined with GATEWAY_AUDIT=off); `close` writes everything queued. */
  audit: { writer: AuditWriter | undefined; log: AuditLog | undefined };
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<RunningGateway> {
  const logger = deps.logger ?? createLogger('gateway', config.logLevel);
  const registry = deps.metrics ?? createMetricsRegistry('gateway');
  const metrics = createGatewayMetrics(registry);
  // First: reading GraphiQL's assets can fail (a broken install), and nothing needs closing yet.
  const landing = await landingPage({ production: config.production, explorer: config.explorer, realmUrl: config.authentication.realmUrl });
  const issuer = deps.issuer ?? (await createInternalTokenIssuer({ ttlSeconds: config.internalTokenTtlSeconds, privateJwkFile: config.signingKeyFile }));
  const ownsRedis = deps.redis === undefined && config.redisUrl !== undefined;
  const redis = deps.redis ?? (config.redisUrl !== undefined ? await connectRedis(config.redisUrl, { name: 'lgsp-gateway' }) : undefined);
  // Early: a missing subject key in production fails before much needs closing.
  let audit: GatewayAudit;
  try {
    audit = await startGatewayAudit(config.audit, {
      production: config.production,
      grantsFile: config.authorization.grantsFile,
      supergraph: () => supergraphFile.supergraph,
      logger,
      redis,
      keyPrefix: config.authorization.redisKeyPrefix,
      registry,
      log: deps.auditLog,
    });
  } catch (error) {
    if (ownsRedis) await redis?.quit().catch(() => undefined);
    throw error;
  }
  const client = new SubgraphClient({
    connections: config.subgraphConnections,
    keepAliveMs: config.subgraphKeepAliveMs,
    timeoutMs: config.subgraphTimeoutMs,
  });
  const callDeps: SubgraphCallDeps = { client, issuer, metrics, logger };
  // Without Redis the registry process holds grants and revocations; the gateway reads them on its internal API.
  const { registryUrl, registryToken } = config.deprecation;
  const registryAccess =
    redis === undefined && registryUrl !== undefined && registryToken !== undefined ? { baseUrl: registryUrl, token: registryToken } : undefined;
  const revocations = await startRevocations({
    store: deps.revocations,
    redis,
    registry: registryAccess,
    keyPrefix: config.authorization.redisKeyPrefix,
    pollMs: config.authentication.revocationPollMs,
    logger,
    metrics: registry,
  });
  const authenticator = createAuthenticator(config.authentication, { logger, metrics: registry, revocations: revocations.watch });
  const urlOf = (name: string, url: string) => config.subgraphUrlOverrides[subgraphUrlVariable(name)] ?? url;

  const supergraphFile = new SupergraphFile(config.supergraphFile, { watch: config.watchSupergraph, logger });
  const withOverrides = (loaded: LoadedSupergraph): LoadedSupergraph => ({
    ...loaded,
    subgraphs: loaded.subgraphs.map((s) => ({ ...s, url: urlOf(s.name, s.url) })),
  });

  const notices = deps.notices ?? (await startDeprecationNotices(config.deprecation, logger));
  const gateway = new ApolloGateway({
    // The notices' coordinates carry @deprecated(reason:) in the schema served (deprecation/deprecated-schema.ts).
    supergraphSdl: withDeprecations(supergraphFile, notices, logger),
    buildService: ({ name, url }) => new PooledSubgraphDataSource(name, urlOf(name, url ?? ''), callDeps),
    logger: apolloLogger(logger),
  });

  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are not conditional-GET material; hashing every (often large) body costs CPU for nothing.
  app.set('etag', false);
  // Packet content (upload and download) streams through to the relay subgraph, unparsed, straight from the HTTP
  // server: none of the Express middleware below applies to it (exchange/content-proxy.ts).
  const exchange = exchangeContentProxy({
    relayUrl: () => {
      const relay = supergraphFile.supergraph.subgraphs.find((s) => s.name === 'relay');
      return relay === undefined ? undefined : urlOf(relay.name, relay.url);
    },
    logger,
  });
  // Report downloads (`/reports/<token>`, issue 17) stream from monitoring the same way (reports/report-proxy.ts).
  const monitoringUrl = () => supergraphFile.supergraph.subgraphs.filter((s) => s.name === 'monitoring').map((s) => urlOf(s.name, s.url))[0];
  const http = createServer(
    withReportDownloads((req, res) => (isExchangeRequest(req.url) ? exchange.handle(req, res) : app(req, res)), { monitoringUrl, logger }),
  );
  http.on('clientError', rejectMalformedHttp(logger));

  const authorization = await startAuthorization(config.authorization, {
    redis,
    registry: registryAccess,
    grants: deps.grants,
    logger,
    supergraph: () => supergraphFile.supergraph,
  });
  const quotas = await startQuotas(config.quotas, {
    grants: authorization.grants,
    redis,
    keyPrefix: config.authorization.redisKeyPrefix,
    cacheTtlMs: config.authorization.grantsCacheTtlMs,
    supergraph: () => supergraphFile.supergraph,
    registry,
  });
  // Maintenance windows from the registry (maintenance/): extensions.maintenance before, 503 during.
  const maintenance = await startMaintenance(config.maintenance, {
    registry: { url: registryUrl, token: registryToken },
    logger,
    supergraph: () => supergraphFile.supergraph,
    ...deps.maintenance,
  });
  // The request pipeline both transports run (pipeline/request-pipeline.ts): its steps in order.
  const pipeline = assemblePipeline(
    [
      { name: 'landing', plugin: landing.plugin },
      { name: 'graphql-over-http', plugin: graphqlOverHttpPlugin() },
      { name: 'observability', plugin: operationRecordPlugin() },
      operationLimitsStep(config.operationLimits),
      introspectionStep(config.introspection),
      deprecationStep(notices, { infoUrl: config.deprecation.infoUrl }),
      maintenance.step,
      authorization.step,
      audit.step, // after authorization: records what it let through; before quotas: sees their refusals
      quotas.step,
      { name: 'subscriptions', executorStage: subscriptionStage() },
    ],
    config.executor === 'native' ? new NativeGateway(gateway, { call: callDeps, subgraphUrl: urlOf, logger }) : gateway,
  );
  const server = new ApolloServer<GatewayContext>({
    gateway: pipeline.gateway,
    introspection: config.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: pipeline.parseOptions,
    validationRules: pipeline.validationRules,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    logger: apolloLogger(logger),
    plugins: [...pipeline.plugins, ApolloServerPluginDrainHttpServer({ httpServer: http })],
  });
  try {
    await server.start();
  } catch (error) {
    await maintenance.close();
    await audit.close();
    await quotas.close();
    await authorization.close();
    await revocations.close();
    await notices.close();
    await client.close();
    await exchange.close();
    if (ownsRedis) await redis?.quit().catch(() => undefined);
    throw error;
  }

  const readiness = createReadiness({
    subgraphs: () => withOverrides(supergraphFile.supergraph).subgraphs,
    redis,
    timeoutMs: config.healthCheckTimeoutMs,
    cacheMs: config.healthCheckCacheMs,
    call: callDeps,
  });

  app.use(assignRequestId(logger));
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/health/ready', async (_req, res) => {
    const report = await readiness();
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ok' : 'unavailable', service: 'gateway', checks: report.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/.well-known/jwks.json', publishJwks(issuer));
  app.get(DEPRECATIONS_PATH, deprecationsPage(notices));
  // The portal (its build, /portal/config.json, security headers): people start there (portal/).
  app.use(portalRoutes({ config: config.portal, realmUrl: config.authentication.realmUrl, logger }));
  app.get('/', (_req, res) => res.redirect(302, '/portal/'));
  // GraphiQL's page (browsers' GET /graphql) and assets, before authentication and GraphQL (landing/graphiql.ts).
  if (landing.routes !== undefined) app.use(landing.routes);
  app.use(
    '/graphql',
    observeOperations(metrics),
    audit.middleware, // before authentication: a refused request is recorded too
    authenticator.middleware, // before the body is read: 401 for a bad token, principal in res.locals
    ...graphqlRequestBody(config.maxBodyBytes),
    expressMiddleware(server, {
      context: async ({ res }): Promise<GatewayContext> => ({
        requestId: res.locals.requestId as string,
        logger: res.locals.logger as Logger,
        principal: principalOf(res.locals),
        operation: operationRecordOf(res.locals),
      }),
    }),
  );
  app.use(graphqlRequestErrors(logger));

  // Subscriptions: graphql-ws on the same /graphql path (subscriptions/).
  const subscriptions = createSubscriptionServer({
    config: config.subscriptions,
    maxMessageBytes: config.maxBodyBytes,
    pipeline: requestPipeline(server),
    clockSkewSeconds: config.authentication.clockSkewSeconds,
    authenticator,
    authorization: { mode: config.authorization.mode, decider: authorization.decider },
    supergraph: () => supergraphFile.supergraph,
    subgraphUrl: urlOf,
    call: callDeps,
    registry,
    operations: metrics.operations,
    // With Redis the per-agency WebSocket limits hold across replicas (subscriptions/redis-agency-slots.ts).
    redis: redis === undefined ? undefined : { client: redis, keyPrefix: config.authorization.redisKeyPrefix },
    revocations: revocations.watch,
    logger,
  });
  maintenance.closeConnectionsAtStart(subscriptions);
  http.on('upgrade', (req, socket, head) => {
    if (maintenance.guard.handleUpgrade(req, socket, head)) return;
    if (subscriptions.handleUpgrade(req, socket, head)) return;
    if (http.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  http.listen(config.port, config.host);
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/graphql`;
  logger.info({ url, supergraph: config.supergraphFile, subgraphs: withOverrides(supergraphFile.supergraph).subgraphs }, 'gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    reload: () => supergraphFile.reload(),
    grants: authorization.grants,
    revocations: revocations.store,
    audit: { writer: audit.writer, log: audit.log },
    supergraph: () => withOverrides(supergraphFile.supergraph),
    onReload(listener) {
      supergraphFile.on('reload', listener);
      return () => supergraphFile.off('reload', listener);
    },
    close() {
      closing ??= (async () => {
        await subscriptions.close(); // WebSocket connections first: the HTTP server's close waits for them
        await server.stop(); // drains HTTP connections, then stops the gateway (and its file watcher)
        await audit.close(); // every operation has answered: write what is queued
        await client.close();
        await exchange.close();
        await maintenance.close();
        await quotas.close();
        await authorization.close();
        await revocations.close();
        await notices.close();
        if (ownsRedis) await redis?.quit().catch(() => undefined);
      })();
      return closing;
    },
  };
}

/** Apollo's logger interface on top of pino. */
function apolloLogger(logger: Logger) {
  const child = logger.child({ component: 'apollo' });
  return {
    debug: (message: unknown) => child.debug(String(message)),
    info: (message: unknown) => child.info(String(message)),
    warn: (message: unknown) => child.warn(String(message)),
    error: (message: unknown) => child.error(String(message)),
  };
}
