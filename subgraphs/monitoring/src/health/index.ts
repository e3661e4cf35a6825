/**
 * The `health` module (App01 §2.3; issue 17 §2): pulls the registered systems' level-1 and level-2 health endpoints
 * (domain/poller.ts), takes pushed reports (`reportSystemHealth`), keeps samples, transitions and daily rollups
 * (store/: memory or Redis), turns a system OFFLINE after HEALTH_FAILURES_OFFLINE failed checks with a log line,
 * the metrics of metrics.ts and a `system-health-changed:<agency>` event, and trims its history on a timer.
 */
import { vietnamDay, type AuditWriter } from '@lgsp/audit';
import type { MonitoringModule } from '../module.ts';
import { HealthService } from './domain/health-service.ts';
import { HealthPoller } from './domain/poller.ts';
import { HealthTracker } from './domain/tracker.ts';
import { createHealthMetrics } from './metrics.ts';
import { httpPresenceReader, redisPresenceReader, type PresenceReader } from './presence.ts';
import { healthResolvers } from './resolvers.ts';
import { createMemoryHealthStore } from './store/memory-health-store.ts';
import { createRedisHealthStore } from './store/redis-health-store.ts';
import type { HealthStore } from './store/health-store.ts';

/** How often the history is trimmed. */
const TRIM_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface HealthModuleState {
  service: HealthService;
  store: HealthStore;
  tracker: HealthTracker;
  /** Null when HEALTH_POLL is false or REGISTRY_URL unset. */
  poller: HealthPoller | null;
  /** The registered systems of an agency (as the registry listed them at the last refresh). */
  registeredIdsOf(agencyCode: string): string[];
  /** Trims the history now (the timer does it hourly); answers what was removed. */
  trim(): ReturnType<HealthStore['trim']>;
  /** This process's audit writer: pushed reports are `operation` records (record.ts). */
  audit: AuditWriter;
  now: () => Date;
}

export const healthModule: MonitoringModule<HealthModuleState> = {
  name: 'health',
  typeDefsFile: new URL('./schema.graphql', import.meta.url),
  resolvers: healthResolvers as never,
  async start(deps) {
    const { config, logger } = deps;
    const presenceReader = (): PresenceReader | null => {
      if (config.HEALTH_PRESENCE === 'redis' && deps.redis !== null) return redisPresenceReader(deps.redis, config.REDIS_KEY_PREFIX);
      if (config.HEALTH_PRESENCE === 'http' && config.RELAY_URL !== undefined && config.EVENTS_PUBLISH_TOKEN !== undefined)
        return httpPresenceReader({ relayUrl: config.RELAY_URL, token: config.EVENTS_PUBLISH_TOKEN, timeoutMs: config.HEALTH_TIMEOUT_MS, logger });
      return null;
    };
    const store =
      deps.redis !== null ? createRedisHealthStore(deps.redis, { keyPrefix: config.REDIS_KEY_PREFIX }) : createMemoryHealthStore(() => deps.now().getTime());
    const metrics = createHealthMetrics(deps.metrics);
    const tracker = new HealthTracker({ store, events: deps.events, metrics, logger, failuresOffline: config.HEALTH_FAILURES_OFFLINE });
    const poller =
      config.HEALTH_POLL && deps.registry !== null
        ? new HealthPoller({
            registry: deps.registry,
            tracker,
            logger,
            timeoutMs: config.HEALTH_TIMEOUT_MS,
            concurrency: config.HEALTH_CONCURRENCY,
            minIntervalSeconds: config.HEALTH_MIN_INTERVAL_SECONDS,
            refreshMs: config.REGISTRY_REFRESH_MS,
            checked: metrics.checked,
            now: () => deps.now().getTime(),
          })
        : null;
    const service = new HealthService({
      store,
      tracker,
      registered(systemId) {
        if (poller === null) return undefined;
        const system = poller.system(systemId);
        return system === undefined ? null : { agencyCode: system.agencyCode, hasLevel1: system.healthEndpoints.some((e) => e.level === 1) };
      },
      presence: presenceReader(),
      pushWindowSeconds: config.HEALTH_PUSH_WINDOW_SECONDS,
      pushCreditSeconds: config.HEALTH_PUSH_WINDOW_SECONDS * 3,
      report: metrics.report,
      now: deps.now,
    });
    const trim = async () => {
      const nowMs = deps.now().getTime();
      const historyBeforeMs = nowMs - config.HEALTH_HISTORY_DAYS * DAY_MS;
      const removed = await store.trim(nowMs - config.HEALTH_RAW_RETENTION_DAYS * DAY_MS, historyBeforeMs, vietnamDay(new Date(historyBeforeMs).toISOString()));
      if (removed.samples + removed.transitions + removed.rollups > 0) logger.info(removed, 'health history trimmed');
      return removed;
    };
    const trimTimer = setInterval(() => {
      trim().catch((error: unknown) => logger.warn({ err: error }, 'health history not trimmed; retried at the next interval'));
    }, TRIM_EVERY_MS);
    trimTimer.unref();
    await poller?.start();
    const state: HealthModuleState = {
      service,
      store,
      tracker,
      poller,
      registeredIdsOf: (agencyCode) => (poller?.systems() ?? []).filter((s) => s.agencyCode === agencyCode).map((s) => s.id),
      trim,
      audit: deps.audit,
      now: deps.now,
    };
    return {
      state,
      async close() {
        clearInterval(trimTimer);
        await poller?.close();
        await tracker.idle();
        await store.close();
      },
    };
  },
};
