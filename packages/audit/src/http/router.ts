/**
 * The audit API: the log of the process that holds it (monitoring, when the platform runs without Redis: `npm start`)
 * served over HTTP to the processes that write to it or read it (`createHttpAuditLog`). Mounted at
 * `/internal/v1/audit`; every request needs `Authorization: Bearer <MONITORING_INTERNAL_TOKEN>` (compared in constant
 * time; 401 `UNAUTHENTICATED` before the body is read). JSON; errors in the platform's error shape
 * `{ errors: [{ message, extensions: { code } }] }`.
 *
 * | method and path | body / query | answer |
 * | --- | --- | --- |
 * | `POST /append` | `{ entries: AuditEntry[], batchId? }` (at most 1,000 entries, 16 MB) | 201 `{ records }` |
 * | `GET /head` | | `{ head }` (null when empty) |
 * | `GET /range?from=<seq>&count=<n>` | | `{ records }` (count 1–10,000) |
 * | `GET /first-seq` | | `{ firstSeq }` |
 * | `POST /query` | an `AuditQuery` | `{ records, next }` |
 * | `POST /statistics` | a `StatisticsQuery` | `{ rows }` |
 * | `GET /checkpoints` | | `{ checkpoints }` |
 * | `POST /checkpoints` | a `Checkpoint` | 204 |
 * | `POST /trim` | `{ throughSeq }` | `{ removed }` |
 *
 * Codes: 400 `BAD_USER_INPUT` (malformed JSON, a bad entry, query or parameter), 400 `INVALID_DATE` (a period that
 * is not one), 400 `INVALID_CURSOR`, 400 `LIMIT_EXCEEDED` (too many entries or records asked), 413 `LIMIT_EXCEEDED`
 * (body too large), 401 `UNAUTHENTICATED`, 404 `NOT_FOUND` (no such path), 500 `INTERNAL_SERVER_ERROR` (the log
 * failed: logged as an error).
 *
 * `batchId` makes an append idempotent: an append with the batch id of one already committed (the last 10,000) answers
 * the records stored then instead of storing them again (the HTTP adapter sends the same id when it retries the same
 * batch).
 */
import { ErrorCode, errorBody, jsonBody, requireSharedSecret, type Logger } from '@lgsp/kit';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { AuditLog } from '../audit-log.ts';
import { AuditInputError, checkSeq } from '../entry-schema.ts';
import type { AuditRecord } from '../record.ts';

export interface AuditRouterOptions {
  /** MONITORING_INTERNAL_TOKEN: every request must carry it as a bearer token. */
  token: string;
  /** Told of a log failure (answered 500). */
  logger?: Logger;
  /** Largest body (default `16mb`: 1,000 entries of up to 16 KB). */
  bodyLimit?: string;
}

const REMEMBERED_BATCHES = 10_000;

function handle(logger: Logger | undefined, run: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res) => {
    run(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof AuditInputError) {
        res.status(400).json(errorBody(error.code, error.message));
        return;
      }
      logger?.error({ event: 'audit.log-failed', path: req.path, reason: (error as Error).message }, 'the audit log failed');
      res.status(500).json(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, `the audit log failed: ${(error as Error).message}`));
    });
  };
}

function integerParam(req: Request, name: string, min: number): number {
  const value = req.query[name];
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new AuditInputError(ErrorCode.BAD_USER_INPUT, `${name} must be an integer >= ${min}`);
  return checkSeq(name, Number(value), min);
}

function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AuditInputError(ErrorCode.BAD_USER_INPUT, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function createAuditRouter(log: AuditLog, options: AuditRouterOptions): Router {
  const { logger } = options;
  const router = express.Router();
  const batches = new Map<string, Promise<AuditRecord[]>>();
  router.use(requireSharedSecret(options.token, 'MONITORING_INTERNAL_TOKEN'));
  router.use(jsonBody(options.bodyLimit ?? '16mb'));

  router.post(
    '/append',
    handle(logger, async (req, res) => {
      const body = objectBody(req);
      const batchId = body.batchId;
      if (batchId !== undefined && (typeof batchId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(batchId)))
        throw new AuditInputError(ErrorCode.BAD_USER_INPUT, 'batchId must be 1 to 64 letters, digits or dashes');
      const remembered = batchId === undefined ? undefined : batches.get(batchId);
      if (remembered !== undefined) {
        res.status(201).json({ records: await remembered });
        return;
      }
      const appended = log.append(body.entries as never);
      if (batchId !== undefined) {
        batches.set(batchId, appended);
        appended.catch(() => batches.delete(batchId));
        if (batches.size > REMEMBERED_BATCHES) batches.delete(batches.keys().next().value!);
      }
      res.status(201).json({ records: await appended });
    }),
  );
  router.get(
    '/head',
    handle(logger, async (_req, res) => {
      res.json({ head: await log.head() });
    }),
  );
  router.get(
    '/range',
    handle(logger, async (req, res) => {
      res.json({ records: await log.range(integerParam(req, 'from', 0), integerParam(req, 'count', 1)) });
    }),
  );
  router.get(
    '/first-seq',
    handle(logger, async (_req, res) => {
      res.json({ firstSeq: await log.firstSeq() });
    }),
  );
  router.post(
    '/query',
    handle(logger, async (req, res) => {
      res.json(await log.query(objectBody(req) as never));
    }),
  );
  router.post(
    '/statistics',
    handle(logger, async (req, res) => {
      res.json({ rows: await log.statistics(objectBody(req) as never) });
    }),
  );
  router.get(
    '/checkpoints',
    handle(logger, async (_req, res) => {
      res.json({ checkpoints: await log.checkpoints() });
    }),
  );
  router.post(
    '/checkpoints',
    handle(logger, async (req, res) => {
      await log.putCheckpoint(objectBody(req) as never);
      res.status(204).end();
    }),
  );
  router.post(
    '/trim',
    handle(logger, async (req, res) => {
      res.json({ removed: await log.trim(objectBody(req).throughSeq as number) });
    }),
  );
  router.use((req, res) => {
    res.status(404).json(errorBody(ErrorCode.NOT_FOUND, `no audit API at ${req.method} ${req.path}`));
  });
  return router;
}
