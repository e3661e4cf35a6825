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
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { seedRegistry, type SeedFile } from './data/seed.ts';
import { callerFrom } from './domain/caller.ts';
import { loadWorkingCalendar } from './data/calendar/index.ts';
import type { WorkingCalendar } from './domain/working-days/index.ts';
import { Registry } from './domain/registry.ts';
import { mountInternalApi } from './http/internal-api.ts';
import { createRegistryMetrics } from './metrics.ts';
import { startAuditWriter, type AuditWriter, type StartedAuditWriter } from '@lgsp/audit';
import {
  auditedChangeLog,
  createAccessRouter,
  createMemoryChangeLog,
  createMemoryCredentialRevocations,
  createMemoryGrantStore,
  createRedisChangeLog,
  createRedisCredentialRevocations,
  createRedisGrantStore,
} from '@lgsp/access';
import { applicationClientsFromConfig, credentialIssuerFromConfig, keycloakEventReaderFromConfig, type KeycloakEventReader } from '@lgsp/credentials';
import { createMemoryApplicationClients, type ApplicationClients } from './ports/application-clients.ts';
import { createLoginAudit, memoryLoginCursor, redisLoginCursor, type CredentialOwner, type LoginAudit } from './audit/login-audit.ts';
import { withMaintenanceOperations } from './audit/maintenance-audit.ts';
import type { ChangeLog } from './ports/change-log.ts';
import type { CredentialIssuer, CredentialRevocations } from './ports/credentials.ts';
import { createMemoryRegistryEvents, registryEventsFrom, type RegistryEvents } from './ports/events.ts';
import type { GrantStore } from './ports/grants.ts';
import { resolvers, type RegistryContext } from './resolvers.ts';
import { emptyFieldDocIndex, fieldDocIndexFromSdl, type FieldDocIndex } from './field-docs.ts';
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
  /** Agencies' single sign-on clients (`@lgsp/credentials`, the same Keycloak admin client as `issuer`); default from the configuration. */
  applicationClients?: ApplicationClients;
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
  /** What REGISTRY_SEED=development writes (tests); default the development seed file. */
  seed?: SeedFile;
  /** Where the registry's audit records go, instead of the writer the configuration selects (closed by its owner). */
  audit?: AuditWriter;
  /** Which fields each field set covers (tests); default read from SUPERGRAPH_FILE at start. */
  fieldDocs?: FieldDocIndex;
  /** Keycloak's login events, instead of the reader KEYCLOAK_ADMIN_URL selects (tests). */
  loginEvents?: KeycloakEventReader;
}

export interface RunningRegistry extends RunningSubgraph {
  registry: Registry;
  /** Base URL of the HTTP server (e.g. http://127.0.0.1:4105). */
  origin: string;
  /** Runs one sweep now (the timer does it every REGISTRY_SWEEP_MS). */
  sweep(): ReturnType<Registry['sweep']>;
  /** The registry's audit records (`kind: 'change'`, `kind: 'login'`): the writer and, when the registry owns it, its log. */
  audit: Pick<StartedAuditWriter, 'writer' | 'log'> | { writer: AuditWriter; log: null };
  /** Copies Keycloak's login events into the audit now (the timer does it every REGISTRY_LOGIN_EVENTS_POLL_MS); null without Keycloak. */
  loginAudit: LoginAudit | null;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The field sets' fields from the composed supergraph (SUPERGRAPH_FILE, relative to the repository root); empty if unreadable. */
function loadFieldDocs(config: RegistryConfig, logger: Logger): FieldDocIndex {
  const file = isAbsolute(config.SUPERGRAPH_FILE) ? config.SUPERGRAPH_FILE : resolve(repoRoot, config.SUPERGRAPH_FILE);
  try {
    return fieldDocIndexFromSdl(readFileSync(file, 'utf8'));
  } catch (error) {
    logger.warn({ err: error, file }, 'SUPERGRAPH_FILE unreadable: field sets list no fields');
    return emptyFieldDocIndex;
  }
}

export async function startRegistry(config: RegistryConfig, deps: RegistryServiceDeps = {}): Promise<RunningRegistry> {
  const logger = deps.logger ?? createLogger('registry', config.LOG_LEVEL);
  const fieldDocs = deps.fieldDocs ?? loadFieldDocs(config, logger);
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
  let loginTimer: ReturnType<typeof setInterval> | undefined;
  let closeAccess = async (): Promise<void> => undefined;
  let ownAudit: StartedAuditWriter | undefined;
  try {
    const metricsRegistry = deps.metrics ?? createMetricsRegistry('registry');
    // Issue 17: the audit log on Redis with the records, else monitoring's over HTTP, else in this process (@lgsp/audit).
    ownAudit =
      deps.audit === undefined
        ? startAuditWriter({ config, redis, keyPrefix: config.REDIS_KEY_PREFIX, logger, source: 'registry', registry: metricsRegistry })
        : undefined;
    const auditWriter = deps.audit ?? ownAudit!.writer;
    const seed = config.REGISTRY_SEED ?? (config.NODE_ENV === 'production' ? 'none' : 'development');
    if (seed === 'development' && (await seedRegistry(store, deps.seed, new Date(), { healthUrl: config.REGISTRY_SEED_HEALTH_URL })))
      logger.info('registry seeded with the development agencies, systems and services');
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
    // The grants the gateway enforces, the revocations it reads and the change log (@lgsp/access): on Redis with the
    // records, whose keys the gateway shares; else in this process, served to the gateway and `npm run grants` on the
    // internal API (/internal/v1/access).
    const keyPrefix = { keyPrefix: config.REDIS_KEY_PREFIX };
    const ownGrants = deps.grants === undefined ? (redis !== undefined ? createRedisGrantStore(redis, keyPrefix) : createMemoryGrantStore()) : undefined;
    const ownRevocations =
      deps.revocations === undefined
        ? redis !== undefined
          ? createRedisCredentialRevocations(redis, keyPrefix)
          : createMemoryCredentialRevocations()
        : undefined;
    // Issue 17: every change record — the registry's own, and those `npm run grants` posts to /internal/v1/access/changes
    // — is also an audit record, written once the change log took it (@lgsp/access auditedChangeLog); maintenance
    // windows' and incidents' changes are also operator `operation` records (audit/maintenance-audit.ts).
    const audited = <L extends Pick<ChangeLog, 'append'>>(log: L): L =>
      withMaintenanceOperations(auditedChangeLog(log, auditWriter, { source: 'registry' }), auditWriter, { source: 'registry' });
    const ownChanges = deps.changes === undefined ? audited(redis !== undefined ? createRedisChangeLog(redis, keyPrefix) : createMemoryChangeLog()) : undefined;
    const grants: GrantStore = deps.grants ?? ownGrants!;
    const revocations: CredentialRevocations = deps.revocations ?? ownRevocations!;
    const changes: ChangeLog = deps.changes === undefined ? ownChanges! : audited(deps.changes);
    const ownedAccessRouter =
      deps.accessRouter === undefined && redis === undefined && config.REGISTRY_INTERNAL_TOKEN !== undefined && ownGrants && ownRevocations && ownChanges
        ? createAccessRouter({ grants: ownGrants, revocations: ownRevocations, changes: ownChanges, token: config.REGISTRY_INTERNAL_TOKEN, logger })
        : undefined;
    const accessRouter = deps.accessRouter ?? ownedAccessRouter;
    closeAccess = async () => {
      await ownedAccessRouter?.close();
      await ownGrants?.close();
      await ownRevocations?.close();
      await ownChanges?.close();
    };
    // Credentials are Keycloak clients, made through its Admin REST API (the development issuer implements it).
    let issuer = deps.issuer;
    if (issuer === undefined) {
      if (config.KEYCLOAK_ADMIN_URL === undefined || config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE === undefined) {
        throw new ConfigError('registry', ['KEYCLOAK_ADMIN_URL and KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: required (credentials are Keycloak clients)']);
      }
      issuer = await credentialIssuerFromConfig(
        {
          KEYCLOAK_ADMIN_URL: config.KEYCLOAK_ADMIN_URL,
          KEYCLOAK_REALM: config.KEYCLOAK_REALM,
          KEYCLOAK_ADMIN_CLIENT_ID: config.KEYCLOAK_ADMIN_CLIENT_ID,
          KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE,
          KEYCLOAK_ADMIN_TIMEOUT_MS: config.KEYCLOAK_ADMIN_TIMEOUT_MS,
        },
        logger,
      ).catch((error: Error) => {
        throw new ConfigError('registry', [error.message]);
      });
    }
    // Single sign-on applications (BG:12): Keycloak clients made with the same admin client as the credentials.
    let applicationClients = deps.applicationClients;
    if (applicationClients === undefined) {
      if (config.KEYCLOAK_ADMIN_URL !== undefined && config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE !== undefined) {
        applicationClients = await applicationClientsFromConfig(
          {
            KEYCLOAK_ADMIN_URL: config.KEYCLOAK_ADMIN_URL,
            KEYCLOAK_REALM: config.KEYCLOAK_REALM,
            KEYCLOAK_ADMIN_CLIENT_ID: config.KEYCLOAK_ADMIN_CLIENT_ID,
            KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE,
            KEYCLOAK_ADMIN_TIMEOUT_MS: config.KEYCLOAK_ADMIN_TIMEOUT_MS,
          },
          logger,
        ).catch((error: Error) => {
          throw new ConfigError('registry', [error.message]);
        });
      } else if (deps.issuer !== undefined) {
        // Only a caller that gave its own credential issuer (a test) gets here: its applications' clients stay in memory.
        logger.warn('no KEYCLOAK_ADMIN_URL: single sign-on application clients are kept in this process only');
        applicationClients = createMemoryApplicationClients();
      } else {
        throw new ConfigError('registry', [
          'KEYCLOAK_ADMIN_URL and KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: required (single sign-on applications are Keycloak clients)',
        ]);
      }
    }
    // Sign-ins: Keycloak's login events, read with the same admin client as the credentials (role view-events).
    let loginEvents = deps.loginEvents;
    if (loginEvents === undefined && config.KEYCLOAK_ADMIN_URL !== undefined && config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE !== undefined) {
      loginEvents = await keycloakEventReaderFromConfig({
        KEYCLOAK_ADMIN_URL: config.KEYCLOAK_ADMIN_URL,
        KEYCLOAK_REALM: config.KEYCLOAK_REALM,
        KEYCLOAK_ADMIN_CLIENT_ID: config.KEYCLOAK_ADMIN_CLIENT_ID,
        KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE,
        KEYCLOAK_ADMIN_TIMEOUT_MS: config.KEYCLOAK_ADMIN_TIMEOUT_MS,
      }).catch((error: Error) => {
        throw new ConfigError('registry', [error.message]);
      });
    }
    const ownerOf = async (clientId: string): Promise<CredentialOwner | null> => {
      for (const system of await store.list('systems')) {
        const credential = system.credentials.find((c) => c.clientId === clientId);
        if (credential !== undefined) return { agencyCode: system.agencyCode, systemId: system.id, environment: credential.environment };
      }
      return null;
    };
    const loginAudit =
      loginEvents === undefined
        ? null
        : createLoginAudit({
            reader: loginEvents,
            writer: auditWriter,
            cursor: redis !== undefined ? redisLoginCursor(redis, config.REDIS_KEY_PREFIX) : memoryLoginCursor(),
            ownerOf,
            logger,
          });
    const calendar =
      deps.calendar ??
      (await loadWorkingCalendar(config.REGISTRY_CALENDAR_FILE).catch((error: Error) => {
        throw new ConfigError('registry', [error.message]);
      }));
    const registry = new Registry({
      store,
      grants,
      changes,
      issuer,
      revocations,
      events,
      calendar,
      logger,
      metrics: createRegistryMetrics(metricsRegistry),
      applicationClients,
      // Applications' URLs on http://localhost only outside production.
      allowLoopbackHttp: config.NODE_ENV !== 'production',
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
      context: (base) => ({ ...base, registry, caller: callerFrom(base.principal), fieldDocs }),
      readiness: {
        store: async () => {
          await store.version('agencies');
        },
      },
      routes: (app) => {
        if (config.REGISTRY_INTERNAL_TOKEN !== undefined) {
          mountInternalApi(app, { registry, token: config.REGISTRY_INTERNAL_TOKEN, logger, ...(accessRouter ? { accessRouter } : {}) });
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
    let polling: Promise<unknown> | null = null;
    if (loginAudit !== null) {
      // Where the copy starts: the stored cursor, else now (what Keycloak recorded before is not copied).
      await loginAudit.poll();
      if (config.REGISTRY_LOGIN_EVENTS_POLL_MS > 0) {
        loginTimer = setInterval(() => {
          if (polling !== null) return;
          polling = loginAudit
            .poll()
            .catch((error: unknown) => logger.warn({ err: error }, 'copying login events into the audit failed; retried at the next interval'))
            .finally(() => (polling = null));
        }, config.REGISTRY_LOGIN_EVENTS_POLL_MS);
        loginTimer.unref();
      }
    }
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
      audit: ownAudit ?? { writer: auditWriter, log: null },
      loginAudit,
      async close() {
        clearInterval(timer);
        clearInterval(loginTimer);
        await sweeping?.catch(() => undefined);
        await polling?.catch(() => undefined);
        await running.close();
        await closeAccess();
        // After the last request and sweep: every record they queued is written before the registry stops.
        await ownAudit?.close();
        await store.close();
        if (redis !== undefined) await redis.quit();
      },
    };
  } catch (error) {
    clearInterval(timer);
    clearInterval(loginTimer);
    await closeAccess().catch(() => undefined);
    await ownAudit?.close().catch(() => undefined);
    if (redis !== undefined) await redis.quit().catch(() => undefined);
    throw error;
  }
}
