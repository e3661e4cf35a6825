/**
 * The maintenance part of the registry's internal API (internal-api.ts mounts it behind REGISTRY_INTERNAL_TOKEN):
 *
 * - `GET /internal/v1/maintenance` → `{ version, items: MaintenanceRecord[] }` with ETag `"<version>"` (304 on a
 *   matching `If-None-Match`): the windows scheduled or in progress, which the gateway polls to add
 *   `extensions.maintenance` before a window and answer 503 during it. The version moves with every change of a
 *   window or of the services (whose subgraphs a window's services map to); windows that ended are left out on the
 *   next change, and readers go by the times anyway.
 * - `POST /internal/v1/maintenance/:id/cancel` `{ by, reason }`: the operator ends (or cancels) a window from the
 *   command line when the gateway itself is the thing under maintenance; recorded with `by` as the operator.
 */
import type { Router } from 'express';
import { ErrorCode, jsonBody, LgspError, type Logger } from '@lgsp/kit';
import { operatorCaller } from '../domain/caller.ts';
import type { Registry } from '../domain/registry.ts';
import { handle, sendVersioned } from './internal-api.ts';

/** The `/internal/v1/maintenance` item. */
export interface MaintenanceRecord {
  id: string;
  startsAt: string;
  endsAt: string;
  summary: string;
  emergency: boolean;
  /** Registry service codes; empty = the whole platform. */
  affectedServices: string[];
  /** The subgraphs of those services (what the gateway blocks); empty with services named = none of the graph. */
  affectedSubgraphs: string[];
  status: 'SCHEDULED' | 'IN_PROGRESS';
}

export function mountMaintenanceRoutes(router: Router, options: { registry: Registry; logger: Logger }): void {
  const { registry, logger } = options;
  const store = registry.core.store;

  router.get(
    '/maintenance',
    handle(logger, async (req, res) => {
      // Both versions only grow, so their sum moves whenever either changes.
      const version = (await store.version('maintenanceWindows')) + (await store.version('services'));
      const services = new Map((await registry.services.list()).map((s) => [s.code, s]));
      const items: MaintenanceRecord[] = (await registry.maintenance.windows()).map((w) => ({
        id: w.id,
        startsAt: w.startsAt,
        endsAt: w.endsAt,
        summary: w.summary,
        emergency: w.emergency,
        affectedServices: w.affectedServices,
        affectedSubgraphs: [...new Set(w.affectedServices.flatMap((code) => services.get(code)?.subgraph ?? []))].sort(),
        status: w.status as MaintenanceRecord['status'],
      }));
      sendVersioned(req, res, version, items);
    }),
  );

  router.post(
    '/maintenance/:id/cancel',
    jsonBody('16kb'),
    handle(logger, async (req, res) => {
      const body = (req.body ?? {}) as { by?: unknown; reason?: unknown };
      if (typeof body.by !== 'string' || !/^[A-Za-z0-9._@-]{1,100}$/.test(body.by)) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'by must name the operator (letters, digits, . _ @ -)', { argument: 'by' });
      }
      if (typeof body.reason !== 'string') throw new LgspError(ErrorCode.BAD_USER_INPUT, 'reason must be a string', { argument: 'reason' });
      res.json(await registry.maintenance.cancel(operatorCaller(body.by), String(req.params.id), body.reason));
    }),
  );
}
