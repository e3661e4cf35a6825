/**
 * The registry's internal HTTP API (`/internal/v1/…`, `Authorization: Bearer <REGISTRY_INTERNAL_TOKEN>`, JSON, errors
 * in the platform's error shape): what other services read (agencies, relay routes, deprecation notices, with ETags)
 * and what the operator CLI does (access requests: list, show, act as the operator). The `@lgsp/access` router
 * (grants, revocations, change log) is mounted at `/internal/v1/access` when given.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { ErrorCode, errorBody, httpStatusFor, jsonBody, LgspError, requireSharedSecret, type Environment, type Logger } from '@lgsp/kit';
import { operatorCaller } from '../domain/caller.ts';
import { servesEnvironment } from '../domain/environments.ts';
import type { AccessRequestState } from '../domain/model.ts';
import { ACCESS_ACTIONS, type AccessAction } from '../domain/onboarding-port.ts';
import type { Registry } from '../domain/registry.ts';
import { systemsRoute } from './systems-route.ts';

const STATES: readonly AccessRequestState[] = [
  'PENDING_APPROVAL',
  'PROVIDER_APPROVED',
  'OPERATOR_APPROVED',
  'CHANGES_REQUESTED',
  'REJECTED',
  'TESTING',
  'INTEGRATION_REPORTED',
  'LIVE',
  'SUSPENDED',
  'CANCELLED',
];

/** The `/internal/v1/agencies` item (catalogs' AGENCIES catalog and the relay's directory read it). */
export interface AgencyRecord {
  code: string;
  name: string;
  shortName: string | null;
  parentCode: string | null;
  status: 'ACTIVE' | 'RENAMED' | 'SPLIT' | 'MERGED' | 'DISSOLVED';
  successorCodes: string[];
  effectiveFrom: string | null;
}

/** The `/internal/v1/relay/routes` item: a relay data type, its provider and the consumers whose request is in force. */
export interface RelayRoute {
  dataType: string;
  provider: string;
  participants: string[];
}

/** The `/internal/v1/notices` item. */
export interface NoticeRecord {
  id: string;
  serviceCode: string;
  version: number;
  coordinate: string;
  reason: string;
  deprecatedAt: string;
  sunsetAt: string;
}

export interface InternalApiOptions {
  registry: Registry;
  token: string;
  logger: Logger;
  /** `@lgsp/access`'s `createAccessRouter(...)`, when this process holds the access stores (no Redis). */
  accessRouter?: RequestHandler;
}

/** Answers 304 when the caller's `If-None-Match` is the current version, else the body with its ETag. */
function sendVersioned(req: Request, res: Response, version: number, items: unknown[]): void {
  const etag = `"${version}"`;
  res.setHeader('etag', etag);
  res.setHeader('cache-control', 'no-cache');
  const match = req.headers['if-none-match'];
  if (match !== undefined && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.json({ version, items });
}

function sendError(res: Response, logger: Logger, error: unknown): void {
  if (error instanceof LgspError) {
    res.status(httpStatusFor(error.code)).json({ errors: [{ message: error.message, extensions: { ...(error.details ?? {}), code: error.code } }] });
    return;
  }
  logger.error({ err: error }, 'internal API request failed');
  res.status(500).json(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error; see the service logs'));
}

const handle =
  (logger: Logger, run: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res) => {
    run(req, res).catch((error: unknown) => sendError(res, logger, error));
  };

export function mountInternalApi(app: Express, options: InternalApiOptions): void {
  const { registry, logger } = options;
  const store = registry.core.store;
  const router = express.Router();
  router.use(requireSharedSecret(options.token, 'REGISTRY_INTERNAL_TOKEN'));
  if (options.accessRouter !== undefined) router.use('/access', options.accessRouter);

  router.get(
    '/agencies',
    handle(logger, async (req, res) => {
      const version = await store.version('agencies');
      const items: AgencyRecord[] = (await registry.agencies.list()).map((a) => ({
        code: a.code,
        name: a.name,
        shortName: a.shortName,
        parentCode: a.parentCode,
        status: a.status,
        successorCodes: a.successorCodes,
        effectiveFrom: a.effectiveFrom,
      }));
      sendVersioned(req, res, version, items);
    }),
  );

  router.get(
    '/systems',
    handle(logger, (req, res) => systemsRoute(registry, req, res)),
  );

  router.get(
    '/relay/routes',
    handle(logger, async (req, res) => {
      const environment = req.query.environment ?? 'production';
      if (environment !== 'production' && environment !== 'test')
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'environment must be production or test', { argument: 'environment' });
      // Both collections only grow their versions, so their sum moves whenever either changes.
      const version = (await store.version('services')) + (await store.version('accessRequests'));
      const requests = await store.list('accessRequests');
      const items: RelayRoute[] = (await registry.services.list())
        .filter((s) => s.kind === 'RELAY_DATA_TYPE' && s.status === 'ACTIVE' && s.relayDataType !== null)
        .map((s) => ({
          dataType: s.relayDataType!,
          provider: s.providerAgency,
          participants: [
            ...new Set(requests.filter((r) => r.serviceCode === s.code && servesEnvironment(r.state, environment as Environment)).map((r) => r.consumerAgency)),
          ].sort(),
        }));
      sendVersioned(req, res, version, items);
    }),
  );

  router.get(
    '/notices',
    handle(logger, async (req, res) => {
      const version = await store.version('versions');
      const items: NoticeRecord[] = (await registry.services.notices()).flatMap((n) =>
        n.fields.map((f) => ({
          id: `${n.id}:${f.coordinate}`,
          serviceCode: n.serviceCode,
          version: n.version,
          coordinate: f.coordinate,
          reason: f.reason,
          deprecatedAt: n.noticeAt,
          sunsetAt: n.sunsetAt,
        })),
      );
      sendVersioned(req, res, version, items);
    }),
  );

  router.get(
    '/access-requests',
    handle(logger, async (req, res) => {
      const state = req.query.state;
      if (state !== undefined && !STATES.includes(state as AccessRequestState)) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, `state must be one of ${STATES.join(', ')}`, { argument: 'state' });
      }
      const items = await registry.accessRequests.list(operatorCaller('internal-api'), { state: (state as AccessRequestState | undefined) ?? null });
      res.json({ items });
    }),
  );

  router.get(
    '/access-requests/:id',
    handle(logger, async (req, res) => {
      const request = await registry.accessRequests.get(operatorCaller('internal-api'), String(req.params.id));
      if (request === null) throw new LgspError(ErrorCode.NOT_FOUND, `no access request ${String(req.params.id)}`);
      res.json(request);
    }),
  );

  router.post(
    '/access-requests/:id/actions',
    jsonBody('64kb'),
    handle(logger, async (req, res) => {
      const body = (req.body ?? {}) as { action?: unknown; by?: unknown; reason?: unknown };
      if (typeof body.action !== 'string' || !ACCESS_ACTIONS.includes(body.action as AccessAction)) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, `action must be one of ${ACCESS_ACTIONS.join(', ')}`, { argument: 'action' });
      }
      if (typeof body.by !== 'string' || !/^[A-Za-z0-9._@-]{1,100}$/.test(body.by)) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'by must name the operator (letters, digits, . _ @ -)', { argument: 'by' });
      }
      if (body.reason !== undefined && typeof body.reason !== 'string')
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'reason must be a string', { argument: 'reason' });
      const after = await registry.accessRequests.act(operatorCaller(body.by), String(req.params.id), body.action as AccessAction, {
        reason: (body.reason as string | undefined) ?? null,
        as: 'OPERATOR',
      });
      res.json(after);
    }),
  );

  router.use((_req, res) => {
    res.status(404).json(errorBody(ErrorCode.NOT_FOUND, 'no such internal endpoint'));
  });
  app.use('/internal/v1', router);
}
