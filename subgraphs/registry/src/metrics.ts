/** The registry's Prometheus metrics (GET /metrics). */
import { Counter, Gauge, type Registry as MetricsRegistry } from '@lgsp/kit';
import type { RegistryMetrics } from './domain/registry-core.ts';

export function createRegistryMetrics(registry: MetricsRegistry): RegistryMetrics {
  const overdue = new Gauge({
    name: 'lgsp_registry_overdue',
    help: 'Access requests and provider registrations waiting past their working-day due date, at the last sweep',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const flagged = new Counter({
    name: 'lgsp_registry_overdue_flagged_total',
    help: 'Access requests and provider registrations flagged overdue (once each)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'lgsp_registry_transitions_total',
    help: 'Steps of the onboarding machines, by kind, action and outcome (done, refused, failed)',
    labelNames: ['kind', 'action', 'outcome'] as const,
    registers: [registry],
  });
  return {
    overdueFlagged: (kind) => flagged.inc({ kind }),
    overdueNow: (kind, count) => overdue.set({ kind }, count),
    transition: (kind, action, outcome) => transitions.inc({ kind, action, outcome }),
  };
}
