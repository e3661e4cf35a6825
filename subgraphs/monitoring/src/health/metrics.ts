/** The health module's Prometheus metrics (GET /metrics of the monitoring). */
import { Counter, Gauge, type Registry as MetricsRegistry } from '@lgsp/kit';
import type { HealthMetrics } from './domain/tracker.ts';

export interface HealthModuleMetrics extends HealthMetrics {
  checked(level: 1 | 2, outcome: 'up' | 'degraded' | 'down'): void;
  report(outcome: 'accepted' | 'invalid' | 'replayed'): void;
}

export function createHealthMetrics(registry: MetricsRegistry): HealthModuleMetrics {
  const up = new Gauge({
    name: 'lgsp_monitoring_system_up',
    help: 'Whether a connected agency system answers (1: online or degraded, 0: offline), as its last check found; absent until known',
    labelNames: ['system', 'agency'] as const,
    registers: [registry],
  });
  const degraded = new Gauge({
    name: 'lgsp_monitoring_system_degraded',
    help: 'Whether a connected agency system reports a failing dependency at level 2 (1) or not (0)',
    labelNames: ['system', 'agency'] as const,
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'lgsp_monitoring_system_transitions_total',
    help: 'Status changes of connected agency systems, by agency and the status reached (ONLINE, DEGRADED, OFFLINE)',
    labelNames: ['agency', 'status'] as const,
    registers: [registry],
  });
  const checks = new Counter({
    name: 'lgsp_monitoring_health_checks_total',
    help: 'Health endpoints pulled, by level and what they answered (up, degraded, down)',
    labelNames: ['level', 'outcome'] as const,
    registers: [registry],
  });
  const reports = new Counter({
    name: 'lgsp_monitoring_health_reports_total',
    help: 'Health reports pushed by systems, by outcome (accepted, invalid, replayed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    status(system, agency, status) {
      if (status === 'UNKNOWN') return;
      up.set({ system, agency }, status === 'OFFLINE' ? 0 : 1);
      degraded.set({ system, agency }, status === 'DEGRADED' ? 1 : 0);
    },
    transition: (agency, status) => transitions.inc({ agency, status }),
    checked: (level, outcome) => checks.inc({ level: String(level), outcome }),
    report: (outcome) => reports.inc({ outcome }),
  };
}
