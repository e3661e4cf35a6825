/**
 * The access API: the grants, credential revocations and change log of a process that holds them (the registry, when
 * the platform runs without Redis: `npm start`) served over HTTP to the processes that need them (the gateway, `npm
 * run grants`), whose HTTP adapters implement the same interfaces. The registry mounts it at `/internal/v1/access`;
 * every request needs `Authorization: Bearer <REGISTRY_INTERNAL_TOKEN>`. JSON; errors in the platform's error shape.
 *
 * | method and path                     | answer |
 * | ----------------------------------- | ------ |
 * | `GET /grants[?consumer=<agency>]`   | `{ version, items: Grant[] }` (with `consumer`: `grantsFor`) |
 * | `GET /grants/version`               | `{ version }` |
 * | `GET /grants/changes`               | server-sent events: `event: change` after every change, a comment every 15 s |
 * | `GET /grants/items/:id`             | the grant; 404 `NOT_FOUND`; 500 with `extensions.unreadable` |
 * | `PUT /grants/items/:id`             | 204; 400 `BAD_USER_INPUT` naming each problem |
 * | `DELETE /grants/items/:id[?expectedVersion=n]` | `{ outcome: "removed" \| "absent" \| "stale" }` |
 * | `POST /grants/put-all`              | body `{ grants, expectedVersion }` → `{ written }` |
 * | `GET /revocations`                  | `{ version, items: Revocation[] }` |
 * | `GET /revocations/version`          | `{ version }` |
 * | `GET /revocations/changes`          | server-sent events, as for grants |
 * | `GET /revocations/items/:clientId`  | `{ revoked }` |
 * | `PUT /revocations/items/:clientId`  | body `{ at, reason, by }` → 204 |
 * | `DELETE /revocations/items/:clientId` | `{ restored }` |
 * | `POST /changes`                     | body: a change record without id → 201, the record as stored |
 * | `GET /changes?limit=n[&entity=][&id=][&before=]` | `{ items: ChangeRecord[] }`, newest first |
 */
import { ErrorCode, errorBody, jsonBody, requireSharedSecret, type Logger } from '@lgsp/kit';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { parseChangeInput, type ChangeLog, type ChangeQuery } from '../changes/change-log.ts';
import { parseGrant, type Grant } from '../grants/grant.ts';
import { UnreadableGrantError, type GrantStore } from '../grants/grant-store.ts';
import { checkClientId, parseRevocation, type CredentialRevocations, type RevocationDetails } from '../revocations/credential-revocations.ts';

export interface AccessRouterOptions {
  grants: GrantStore;
  revocations: CredentialRevocations;
  changes: ChangeLog;
  /** REGISTRY_INTERNAL_TOKEN: every request must carry it as a bearer token. */
  token: string;
  /** Told of a store failure (answered 500 INTERNAL_SERVER_ERROR). */
  logger?: Logger;
  /** How often an open change stream carries a heartbeat comment (default 15,000 ms). */
  heartbeatMs?: number;
}

/** The access API's router, and `close()`, which ends the open change streams (call it before closing the server). */
export type AccessRouter = Router & { close(): Promise<void> };

/** A caller's mistake, answered 400 BAD_USER_INPUT with its message. */
class BadInput extends Error {}

const badInput = (run: () => void) => {
  try {
    run();
  } catch (error) {
    throw new BadInput((error as Error).message);
  }
};

/** An express handler whose failures are answered in the platform's error shape. */
function handle(logger: Logger | undefined, run: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res) => {
    run(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof BadInput) {
        res.status(400).json(errorBody(ErrorCode.BAD_USER_INPUT, error.message));
        return;
      }
      if (error instanceof UnreadableGrantError) {
        const body = errorBody(ErrorCode.INTERNAL_SERVER_ERROR, error.message);
        res.status(500).json({ errors: [{ ...body.errors[0]!, extensions: { ...body.errors[0]!.extensions, unreadable: true } }] });
        return;
      }
      logger?.error({ event: 'access.store-failed', path: req.path, reason: (error as Error).message }, 'an access store failed');
      res.status(500).json(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, `the access store failed: ${(error as Error).message}`));
    });
  };
}

/** An optional integer query parameter. */
function integerParam(req: Request, name: string): number | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new BadInput(`${name} must be a non-negative integer`);
  return Number(value);
}

function stringParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new BadInput(`${name} must be given once, not empty`);
  return value;
}

export function createAccessRouter(options: AccessRouterOptions): AccessRouter {
  const { grants, revocations, changes, logger } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const streams = new Set<() => void>();
  const router = express.Router() as AccessRouter;
  router.use(requireSharedSecret(options.token, 'REGISTRY_INTERNAL_TOKEN'));
  router.use(jsonBody('1mb'));

  /** Server-sent events: `event: change` on every change of the store; the listener is in place before the headers go. */
  const changeStream = (subscribe: (listener: () => void) => Promise<() => Promise<void>>) =>
    handle(logger, async (req, res) => {
      const send = (text: string) => {
        if (!res.writableEnded) res.write(text);
      };
      const unsubscribe = await subscribe(() => send('event: change\ndata: \n\n'));
      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.flushHeaders();
      send(': open\n\n');
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), heartbeatMs);
      const end = () => {
        clearInterval(heartbeat);
        streams.delete(end);
        void unsubscribe().catch(() => undefined);
        if (!res.writableEnded) res.end();
      };
      streams.add(end);
      req.on('close', end);
    });

  // ---- grants ----
  router.get(
    '/grants',
    handle(logger, async (req, res) => {
      const consumer = stringParam(req, 'consumer');
      const version = await grants.version();
      res.json({ version, items: consumer === undefined ? await grants.list() : await grants.grantsFor(consumer) });
    }),
  );
  router.get(
    '/grants/version',
    handle(logger, async (_req, res) => {
      res.json({ version: await grants.version() });
    }),
  );
  router.get(
    '/grants/changes',
    changeStream((listener) => grants.subscribe(listener)),
  );
  router.get(
    '/grants/items/:id',
    handle(logger, async (req, res) => {
      const grant = await grants.get(String(req.params.id));
      if (grant === null) res.status(404).json(errorBody(ErrorCode.NOT_FOUND, `no grant with id ${String(req.params.id)}`));
      else res.json(grant);
    }),
  );
  router.put(
    '/grants/items/:id',
    handle(logger, async (req, res) => {
      let grant!: Grant;
      badInput(() => (grant = parseGrant(req.body)));
      if (grant.id !== req.params.id) throw new BadInput(`the grant's id ${grant.id} is not the id of the path, ${String(req.params.id)}`);
      await grants.put(grant);
      res.status(204).end();
    }),
  );
  router.delete(
    '/grants/items/:id',
    handle(logger, async (req, res) => {
      const expected = integerParam(req, 'expectedVersion');
      const id = String(req.params.id);
      const outcome = expected === undefined ? ((await grants.remove(id)) ? 'removed' : 'absent') : await grants.removeIfVersion(id, expected);
      res.json({ outcome });
    }),
  );
  router.post(
    '/grants/put-all',
    handle(logger, async (req, res) => {
      const body = req.body as { grants?: unknown; expectedVersion?: unknown } | undefined;
      if (!Array.isArray(body?.grants)) throw new BadInput('grants must be an array of grants');
      if (!Number.isInteger(body.expectedVersion) || (body.expectedVersion as number) < 0) throw new BadInput('expectedVersion must be a non-negative integer');
      const list: Grant[] = [];
      badInput(() => (body.grants as unknown[]).forEach((g) => list.push(parseGrant(g))));
      res.json({ written: await grants.putAll(list, body.expectedVersion as number) });
    }),
  );

  // ---- credential revocations ----
  router.get(
    '/revocations',
    handle(logger, async (_req, res) => {
      const version = await revocations.version();
      res.json({ version, items: await revocations.list() });
    }),
  );
  router.get(
    '/revocations/version',
    handle(logger, async (_req, res) => {
      res.json({ version: await revocations.version() });
    }),
  );
  router.get(
    '/revocations/changes',
    changeStream((listener) => revocations.subscribe(listener)),
  );
  router.get(
    '/revocations/items/:clientId',
    handle(logger, async (req, res) => {
      const clientId = String(req.params.clientId);
      badInput(() => checkClientId(clientId));
      res.json({ revoked: await revocations.isRevoked(clientId) });
    }),
  );
  router.put(
    '/revocations/items/:clientId',
    handle(logger, async (req, res) => {
      const clientId = String(req.params.clientId);
      badInput(() => parseRevocation(clientId, req.body as RevocationDetails));
      await revocations.revoke(clientId, req.body as RevocationDetails);
      res.status(204).end();
    }),
  );
  router.delete(
    '/revocations/items/:clientId',
    handle(logger, async (req, res) => {
      const clientId = String(req.params.clientId);
      badInput(() => checkClientId(clientId));
      res.json({ restored: await revocations.restore(clientId) });
    }),
  );

  // ---- change log ----
  router.post(
    '/changes',
    handle(logger, async (req, res) => {
      badInput(() => parseChangeInput(req.body));
      res.status(201).json(await changes.append(req.body as never));
    }),
  );
  router.get(
    '/changes',
    handle(logger, async (req, res) => {
      const limit = integerParam(req, 'limit');
      if (limit === undefined) throw new BadInput('limit is required');
      const query: ChangeQuery = { limit };
      const entity = stringParam(req, 'entity');
      const id = stringParam(req, 'id');
      const before = stringParam(req, 'before');
      if (entity !== undefined) query.entity = entity;
      if (id !== undefined) query.id = id;
      if (before !== undefined) query.before = before;
      let items;
      try {
        items = await changes.list(query);
      } catch (error) {
        if (/^invalid change query/.test((error as Error).message)) throw new BadInput((error as Error).message);
        throw error;
      }
      res.json({ items });
    }),
  );

  router.close = async () => {
    for (const end of [...streams]) end();
  };
  return router;
}
