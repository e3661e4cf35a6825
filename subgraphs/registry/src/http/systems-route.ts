/**
 * `GET /internal/v1/systems` (behind REGISTRY_INTERNAL_TOKEN, mounted by internal-api.ts): every information system
 * with its agency, environments and health endpoints, for the monitoring, which pulls each endpoint at its agreed
 * interval (App01 §2.3). Versioned like `/internal/v1/agencies`: the ETag is the systems collection's version, and
 * `If-None-Match` with it answers 304.
 */
import type { Request, Response } from 'express';
import type { Environment } from '@lgsp/kit';
import type { HealthEndpoint } from '../domain/model.ts';
import type { Registry } from '../domain/registry.ts';

/** The `/internal/v1/systems` item. */
export interface SystemRecord {
  /** `<agency code>:<slug>`, the `system_id` claim of its credentials. */
  id: string;
  agencyCode: string;
  name: string;
  environments: Environment[];
  healthEndpoints: HealthEndpoint[];
}

export async function systemsRoute(registry: Registry, req: Request, res: Response): Promise<void> {
  const version = await registry.core.store.version('systems');
  const etag = `"${version}"`;
  res.setHeader('etag', etag);
  res.setHeader('cache-control', 'no-cache');
  const match = req.headers['if-none-match'];
  if (match !== undefined && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  const items: SystemRecord[] = (await registry.systems.list({ agencyCode: null })).map((s) => ({
    id: s.id,
    agencyCode: s.agencyCode,
    name: s.name,
    environments: s.environments,
    healthEndpoints: s.healthEndpoints.map((e) => ({ level: e.level, url: e.url, intervalSeconds: e.intervalSeconds })),
  }));
  res.json({ version, items });
}
