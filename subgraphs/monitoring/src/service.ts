/**
 * The monitoring subgraph (issue 17): GraphQL behind the gateway's internal token at `/graphql`, the modules of
 * modules.ts (audit queries, health, …) started before it listens, the internal API at `/internal/v1/…`
 * (MONITORING_INTERNAL_TOKEN) and, without Redis, the platform's memory audit log held here.
 *
 * `startMonitoring(config, deps)`: `deps` replaces what the config would open (tests give a log, a publisher, a clock).
 */
import express from 'express';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  auditSigningKey,
  createAuditRouter,
  createMemoryAuditLog,
  createRedisAuditLog,
  startAuditWriter,
  startCheckpointer,
  type AuditLog,
  type AuditWriter,
  type Checkpointer,
} from '@lgsp/audit';
import { httpEventPublisher, memoryEventPublisher, redisEventPublisher, type EventPublisher } from '@lgsp/events';
import {
  ConfigError,
  connectRedis,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  errorBody,
  ErrorCode,
  requireSharedSecret,
  startSubgraph,
  type InternalTokenVerifier,
  type Logger,
  type ReadinessCheck,
  type RedisClient,
  type Registry as MetricsRegistry,
  type RunningSubgraph,
} from '@lgsp/kit';
import { registryAgencyNames, staticAgencyNames, type AgencyNames } from './reports/agency-names.ts';
import { readPublicKeysFile, type AuditPublicKey } from './audit/public-keys.ts';
import { callerFrom } from './caller.ts';
import { configSchema, type MonitoringConfig } from './config.ts';
import type { MonitoringContext, MonitoringDeps, MonitoringModule, StartedModule } from './module.ts';
import { modules as defaultModules } from './modules.ts';
import { createRegistryClient, type RegistryClient } from './registry-client.ts';
import { assembleTypeDefs } from './schema-assembly.ts';
import { DateTimeScalar } from './time.ts';

export { configSchema };

export interface MonitoringServiceDeps {
  verifier?: InternalTokenVerifier;
  logger?: Logger;
  metrics?: MetricsRegistry;
  /** The audit log to read instead of the one the config opens. */
  log?: AuditLog;
  /** Where events go instead of the publisher the config selects. */
  events?: EventPublisher;
  /** The registry client instead of REGISTRY_URL's. */
  registry?: RegistryClient | null;
  /** Agency names instead of the registry's. */
  agencyNames?: AgencyNames;
  /** The modules to run (default modules.ts). */
  modules?: MonitoringModule[];
  now?: () => Date;
}

export interface RunningMonitoring extends RunningSubgraph {
  /** Base URL of the HTTP server (e.g. http://127.0.0.1:4106). */
  origin: string;
  log: AuditLog;
  audit: AuditWriter;
  /** Signs the chain's head every AUDIT_CHECKPOINT_INTERVAL_SECONDS (tests call `checkpoint()`). */
  checkpointer: Checkpointer;
  /** Each started module's state, by name (tests drive them). */
  modules: Record<string, unknown>;
}

/** Merges the modules' resolver maps type by type (a field defined twice is a programming error). */
function mergeResolvers(maps: Array<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, Record<string, unknown> | unknown> = { DateTime: DateTimeScalar };
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      const into = (merged[type] ?? {}) as Record<string, unknown>;
      for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
        if (field in into) throw new Error(`monitoring: ${type}.${field} is resolved by two modules`);
        into[field] = resolver;
      }
      merged[type] = into;
    }
  }
  return merged;
}

export async function startMonitoring(config: MonitoringConfig, deps: MonitoringServiceDeps = {}): Promise<RunningMonitoring> {
  const logger = deps.logger ?? createLogger('monitoring', config.LOG_LEVEL);
  const now = deps.now ?? (() => new Date());
  const modules = deps.modules ?? defaultModules;
  let redis: RedisClient | null = null;
  const started: Array<{ module: MonitoringModule; running: StartedModule }> = [];
  let log: AuditLog | undefined;
  let writer: ReturnType<typeof startAuditWriter> | undefined;
  let checkpointer: Checkpointer | undefined;
  let auditPublicKeys: AuditPublicKey[] = [];
  const closeAll = async () => {
    for (const { running } of started.reverse()) await running.close().catch((error: unknown) => logger.warn({ err: error }, 'a module did not close cleanly'));
    started.length = 0;
    await checkpointer?.close();
    await writer?.close();
    if (deps.log === undefined) await log?.close();
    if (redis !== null) await redis.quit().catch(() => undefined);
  };
  try {
    if (config.REDIS_URL !== undefined) redis = await connectRedis(config.REDIS_URL, { name: 'lgsp-monitoring' });
    const metrics = deps.metrics ?? createMetricsRegistry('monitoring');
    const production = config.NODE_ENV === 'production';
    // The platform's audit log: the Redis stream every process appends to, or, without Redis, held here in memory and
    // served to the other processes at /internal/v1/audit (never MONITORING_URL: that is this process).
    log = deps.log ?? (redis !== null ? createRedisAuditLog(redis, { keyPrefix: config.REDIS_KEY_PREFIX }) : createMemoryAuditLog());
    if (deps.log === undefined && redis === null) logger.warn('REDIS_URL unset: the platform audit log lives in this process and is lost when it stops');
    try {
      writer = startAuditWriter({
        config,
        redis: redis ?? undefined,
        keyPrefix: config.REDIS_KEY_PREFIX,
        logger,
        source: 'monitoring',
        registry: metrics,
        production,
        log,
      });
      const key = await auditSigningKey(config, { production, logger });
      checkpointer = startCheckpointer({ log, key, intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000, logger });
      auditPublicKeys = [
        key.publicJwk,
        ...(config.AUDIT_VERIFY_PUBLIC_KEYS_FILE === undefined ? [] : readPublicKeysFile(config.AUDIT_VERIFY_PUBLIC_KEYS_FILE)),
      ];
    } catch (error) {
      throw new ConfigError('monitoring', [(error as Error).message]);
    }
    const { hasher } = writer;
    const audit = writer.writer;
    const events =
      deps.events ??
      (redis !== null
        ? redisEventPublisher(redis, { keyPrefix: config.REDIS_KEY_PREFIX, retention: config.EVENTS_RETENTION })
        : config.EVENTS_URL !== undefined && config.EVENTS_PUBLISH_TOKEN !== undefined
          ? httpEventPublisher({ baseUrl: config.EVENTS_URL, token: config.EVENTS_PUBLISH_TOKEN })
          : memoryEventPublisher());
    if (deps.events === undefined && redis === null && config.EVENTS_URL === undefined)
      logger.warn('REDIS_URL and EVENTS_URL unset: monitoring events (system-health-changed) stay in this process');
    const registry =
      deps.registry !== undefined
        ? deps.registry
        : config.REGISTRY_URL !== undefined && config.REGISTRY_INTERNAL_TOKEN !== undefined
          ? createRegistryClient({ baseUrl: config.REGISTRY_URL, token: config.REGISTRY_INTERNAL_TOKEN })
          : null;
    if (registry === null) logger.warn('REGISTRY_URL unset: the registered systems are not known; only pushed health reports are kept');
    const agencyNames =
      deps.agencyNames ??
      (config.REGISTRY_URL !== undefined && config.REGISTRY_INTERNAL_TOKEN !== undefined
        ? registryAgencyNames({ baseUrl: config.REGISTRY_URL, token: config.REGISTRY_INTERNAL_TOKEN, logger })
        : staticAgencyNames());
    const moduleDeps: MonitoringDeps = { config, logger, metrics, log, hasher, audit, auditPublicKeys, agencyNames, registry, events, redis, now };
    const states: Record<string, unknown> = {};
    for (const module of modules) {
      const running = await module.start({ ...moduleDeps, logger: logger.child({ module: module.name }) });
      started.push({ module, running });
      states[module.name] = running.state;
    }
    const readiness: Record<string, ReadinessCheck> = {};
    for (const { module, running } of started) for (const [name, check] of Object.entries(running.readiness ?? {})) readiness[`${module.name}.${name}`] = check;
    if (redis !== null) {
      const client = redis;
      readiness.redis = async () => {
        await client.ping();
      };
    }
    const subgraph = await startSubgraph<MonitoringContext>({
      name: 'monitoring',
      typeDefs: assembleTypeDefs(modules.map((m) => m.typeDefsFile)),
      resolvers: mergeResolvers(modules.map((m) => m.resolvers as Record<string, unknown>)) as GraphQLResolverMap<MonitoringContext>,
      host: config.HOST,
      port: config.PORT,
      verifier: deps.verifier ?? createInternalTokenVerifier({ jwksUrl: config.GATEWAY_JWKS_URL }),
      logger,
      metrics,
      context: (base) => ({ ...base, caller: callerFrom(base.principal), modules: states }),
      readiness,
      routes: (app) => {
        if (config.MONITORING_INTERNAL_TOKEN !== undefined) {
          const internal = express.Router();
          internal.use(requireSharedSecret(config.MONITORING_INTERNAL_TOKEN, 'MONITORING_INTERNAL_TOKEN'));
          if (redis === null) internal.use('/audit', createAuditRouter(log!, { token: config.MONITORING_INTERNAL_TOKEN, logger }));
          internal.use((_req, res) => {
            res.status(404).json(errorBody(ErrorCode.NOT_FOUND, 'no such internal endpoint'));
          });
          app.use('/internal/v1', internal);
        } else {
          logger.warn('MONITORING_INTERNAL_TOKEN unset: no internal API (other processes cannot post audit records here)');
        }
        for (const { running } of started) running.routes?.(app);
      },
    });
    return {
      ...subgraph,
      origin: `http://${config.HOST}:${subgraph.port}`,
      log,
      audit,
      checkpointer,
      modules: states,
      async close() {
        await subgraph.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}
