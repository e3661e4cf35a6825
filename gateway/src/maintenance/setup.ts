/**
 * The maintenance windows as the gateway starts them: from the registry when REGISTRY_INTERNAL_URL is set (with
 * REGISTRY_INTERNAL_TOKEN), else none; the pipeline step and the WebSocket guard over them.
 */
import type { Logger } from '@lgsp/kit';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import { TouchedServices } from '../quotas/touched-services.ts';
import { GRAPHQL_PATH } from '../subscriptions/ws-server.ts';
import type { MaintenanceConfig } from './config.ts';
import { Role, type Principal } from '@lgsp/kit';
import { MAINTENANCE_CLOSE_CODE, maintenanceStep, maintenanceUpgradeGuard, watchWindowStarts } from './maintenance-step.ts';
import { createRegistrySchedule } from './registry-schedule.ts';
import { fixedSchedule, type MaintenanceSchedule } from './schedule.ts';
import type { PipelineStep } from '../pipeline/request-pipeline.ts';

export interface Maintenance {
  step: PipelineStep;
  /** For the HTTP server's `upgrade` event (before graphql-ws): true when it refused the connection. */
  guard: ReturnType<typeof maintenanceUpgradeGuard>;
  schedule: MaintenanceSchedule;
  /**
   * When a window that blocks the whole gateway starts, closes the graphql-ws connections open then with 1013 and
   * `UNDER_MAINTENANCE: retry after <n> s` (operators' stay, as they are let through); server.ts gives it the
   * subscription server.
   */
  closeConnectionsAtStart(connections: { closeConnections(code: number, reason: string, keep?: (principal: Principal) => boolean): number }): void;
  close(): Promise<void>;
}

export async function startMaintenance(
  config: MaintenanceConfig,
  deps: {
    registry: { url: string | undefined; token: string | undefined };
    logger: Logger;
    /** The supergraph being served (which subgraphs an operation touches). */
    supergraph: () => LoadedSupergraph;
    /** A schedule instead of the registry's (tests). */
    schedule?: MaintenanceSchedule | undefined;
    /** The clock (tests); default the system's. */
    now?: (() => number) | undefined;
    /** How often a window's start is looked for (closing open connections); default 1000 ms. */
    watchEveryMs?: number | undefined;
  },
): Promise<Maintenance> {
  const schedule =
    deps.schedule ??
    (deps.registry.url !== undefined && deps.registry.token !== undefined
      ? await createRegistrySchedule({
          registryUrl: deps.registry.url,
          token: deps.registry.token,
          pollMs: config.pollMs,
          timeoutMs: config.timeoutMs,
          logger: deps.logger,
        })
      : fixedSchedule());
  const now = deps.now ?? Date.now;
  const services = new TouchedServices(deps.supergraph);
  const guard = maintenanceUpgradeGuard({ schedule, now, path: GRAPHQL_PATH });
  let watch: { close(): void } | undefined;
  return {
    step: maintenanceStep({ schedule, noticeMs: config.noticeMs, touched: (document, operationName, key) => services.of(document, operationName, key), now }),
    guard,
    schedule,
    closeConnectionsAtStart(connections) {
      watch?.close();
      watch = watchWindowStarts({
        schedule,
        now,
        everyMs: deps.watchEveryMs ?? 1_000,
        onStart: (windows, reason) => {
          const closed = connections.closeConnections(MAINTENANCE_CLOSE_CODE, reason, (principal) => principal.roles.includes(Role.operator));
          deps.logger.info(
            { event: 'maintenance.connections-closed', windows: windows.map((w) => w.id), closed },
            'maintenance window started: open WebSocket connections closed (1013)',
          );
        },
      });
    },
    async close() {
      watch?.close();
      await guard.close();
      await schedule.close();
    },
  };
}
