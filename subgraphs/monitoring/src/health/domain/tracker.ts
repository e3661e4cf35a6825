/**
 * The state machine of a system's health: each sample (pulled or pushed) updates the system's state, credits the time
 * since the previous sample to the status it had (the daily rollups), and when the status changes records the
 * transition (the connect/disconnect history), publishes `system-health-changed:<agency>`, moves the metrics and
 * logs it. A system turns OFFLINE after `failuresOffline` failed checks in a row of the check that says whether it
 * answers (level 1; level 2 when it has no level-1 endpoint, or a push); one success brings it back. A level-2
 * answer with a failing dependency makes an answering system DEGRADED.
 *
 * Samples of one system are applied one at a time, in this process (one monitoring replica runs the checks).
 */
import { vietnamDay } from '@lgsp/audit';
import { TopicFamily, type EventPublisher } from '@lgsp/events';
import type { Logger } from '@lgsp/kit';
import type { HealthStore } from '../store/health-store.ts';
import type { HealthSample, RollupDelta, SystemHealthStatus, SystemState } from './model.ts';

export interface HealthMetrics {
  /** The system's status now (gauge `lgsp_monitoring_system_up`: 1 online or degraded, 0 offline). */
  status(systemId: string, agencyCode: string, status: SystemHealthStatus): void;
  transition(agencyCode: string, to: SystemHealthStatus): void;
}

export interface TrackerOptions {
  store: HealthStore;
  events: EventPublisher;
  metrics: HealthMetrics;
  logger: Logger;
  failuresOffline: number;
}

export interface Observation {
  /** Whether this sample says if the system answers at all (level 1, or level 2 / push when there is no level 1). */
  decisive: boolean;
  /** The longest gap credited to the previous status (seconds); a longer silence of the monitoring counts as unknown. */
  creditCapSeconds: number;
}

export class HealthTracker {
  private readonly queues = new Map<string, Promise<unknown>>();
  constructor(private readonly options: TrackerOptions) {}

  /** Applies a sample after the ones of the same system still being applied; answers the new state. */
  observe(sample: HealthSample, observation: Observation): Promise<SystemState> {
    const previous = this.queues.get(sample.systemId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.apply(sample, observation));
    this.queues.set(sample.systemId, run);
    void run.finally(() => {
      if (this.queues.get(sample.systemId) === run) this.queues.delete(sample.systemId);
    });
    return run;
  }

  /** Resolves when every sample handed in so far is applied. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
  }

  private async apply(sample: HealthSample, observation: Observation): Promise<SystemState> {
    const { store, failuresOffline } = this.options;
    const before: SystemState = (await store.state(sample.systemId)) ?? {
      systemId: sample.systemId,
      agencyCode: sample.agencyCode,
      status: 'UNKNOWN',
      sinceMs: sample.atMs,
      consecutiveFailures: 0,
      latest: {},
      lastSampleMs: null,
    };
    const failed = sample.status === 'DOWN';
    // The time since the previous sample was spent in the status the system had then.
    const delta: RollupDelta = { upSeconds: 0, degradedSeconds: 0, downSeconds: 0, samples: 1, failures: failed ? 1 : 0 };
    if (before.lastSampleMs !== null && sample.atMs > before.lastSampleMs) {
      const seconds = Math.min(sample.atMs - before.lastSampleMs, observation.creditCapSeconds * 1000) / 1000;
      if (before.status === 'ONLINE') delta.upSeconds = seconds;
      else if (before.status === 'DEGRADED') delta.degradedSeconds = seconds;
      else if (before.status === 'OFFLINE') delta.downSeconds = seconds;
    }
    const latest = { ...before.latest, [String(sample.level)]: sample };
    const failures = observation.decisive ? (failed ? before.consecutiveFailures + 1 : 0) : before.consecutiveFailures;
    let status = before.status;
    if (failures >= failuresOffline) status = 'OFFLINE';
    else if (failures === 0 && (observation.decisive || (before.status !== 'UNKNOWN' && before.status !== 'OFFLINE'))) {
      const level2 = latest['2'];
      status = level2 !== undefined && level2.status !== 'UP' ? 'DEGRADED' : 'ONLINE';
    }
    const after: SystemState = {
      ...before,
      agencyCode: sample.agencyCode,
      status,
      sinceMs: status === before.status ? before.sinceMs : sample.atMs,
      consecutiveFailures: failures,
      latest,
      lastSampleMs: Math.max(before.lastSampleMs ?? 0, sample.atMs),
      creditCapSeconds: observation.creditCapSeconds,
    };
    await store.addSample(sample);
    await store.addToRollup(sample.systemId, vietnamDay(new Date(sample.atMs).toISOString()), delta);
    await store.putState(after);
    this.options.metrics.status(after.systemId, after.agencyCode, after.status);
    if (status !== before.status) await this.changed(before, after, sample);
    return after;
  }

  private async changed(before: SystemState, after: SystemState, sample: HealthSample): Promise<void> {
    const { store, events, metrics, logger } = this.options;
    const at = new Date(sample.atMs).toISOString();
    const detail = sample.detail ?? sample.checks.find((c) => c.status !== 'UP')?.name ?? null;
    await store.addTransition({
      systemId: after.systemId,
      agencyCode: after.agencyCode,
      from: before.status,
      to: after.status,
      atMs: sample.atMs,
      level: sample.level,
      source: sample.source,
      detail,
    });
    metrics.transition(after.agencyCode, after.status);
    const fields = {
      systemId: after.systemId,
      agencyCode: after.agencyCode,
      failures: after.consecutiveFailures,
      from: before.status,
      to: after.status,
      detail,
    };
    // An agency's system going offline is the agency's to fix; the operator is told by the alert on the metric, and
    // the agency by the event. An error line is kept for the monitoring's own failures.
    if (after.status === 'OFFLINE') logger.warn(fields, 'connected system offline');
    else logger.info(fields, `connected system ${after.status.toLowerCase()}`);
    try {
      await events.publish(TopicFamily.systemHealthChanged, after.agencyCode, {
        systemId: after.systemId,
        status: after.status,
        previousStatus: before.status,
        level: String(sample.level),
        source: sample.source,
        at,
        ...(detail === null ? {} : { detail: detail.slice(0, 500) }),
      });
    } catch (error) {
      logger.warn({ err: error, systemId: after.systemId }, 'system-health-changed not published');
    }
  }
}
