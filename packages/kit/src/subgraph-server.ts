/**
 * What every subgraph shares: Express 5 + Apollo Server on a federation subgraph schema (with an optional plain
 * node:http handler in front of Express for hot paths), the gateway's internal token checked before anything else,
 * JSON logs with the gateway's request id, health and metrics endpoints, and domain errors mapped to stable
 * `extensions.code`.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express, { type Express } from 'express';
import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from './logger.ts';
import { errorBody, ErrorCode, LgspError } from './errors.ts';
import type { InternalTokenVerifier } from './auth/internal-token.ts';
import type { Principal } from './auth/principal.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';
import { subgraphOperationMetrics, type Registry } from './metrics.ts';

/** What every resolver receives, plus whatever the subgraph adds. */
export interface BaseContext {
  principal: Principal;
  requestId: string;
  logger: Logger;
  /** What resolvers record of what this request served (present when the subgraph has an `onServed` hook). */
  served?: ServedBag;
}

/** A data subject a provider served: the kinds of @lgsp/audit's SubjectRef (this package cannot depend on it). */
export interface ServedSubject {
  kind: 'personal-id' | 'enterprise-code';
  value: string;
}

/** Per request, filled by resolvers and loaders: the subjects actually returned, and coordinates beyond the document's. */
export interface ServedBag {
  subjects: ServedSubject[];
  fields: Set<string>;
}

/** One GraphQL request a subgraph answered, for its `served` audit record (`SubgraphOptions.onServed`). */
export interface ServedRequest {
  /** The gateway's request id (X-Request-Id): the same as on the gateway's record of the operation. */
  requestId: string;
  /** The caller, from the gateway's internal token (agency, system or user, purpose). */
  principal: Principal;
  operationName: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  /** As the gateway's operation log line: success, partial (data and errors), error (no data), rejected (not executed). */
  outcome: 'success' | 'partial' | 'error' | 'rejected';
  errorCodes: string[];
  durationMs: number;
  bytesIn: number | null;
  bytesOut: number | null;
  /** Schema coordinates the request selected (federation's `_entities`/`_service` aside), plus those resolvers added. */
  fields: string[];
  /** The subjects resolvers recorded as served (without repeats). */
  subjects: ServedSubject[];
}

export type ReadinessCheck = () => Promise<void>;

export interface SubgraphOptions<TContext extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  host: string;
  port: number;
  verifier: InternalTokenVerifier;
  logger: Logger;
  metrics: Registry;
  /** Builds the per-request context (e.g. DataLoaders) from the base context. */
  context: (base: BaseContext) => TContext | Promise<TContext>;
  /** Named checks for /health/ready; each throws when its dependency is not usable. */
  readiness?: Record<string, ReadinessCheck>;
  /** Extra HTTP routes mounted before the GraphQL endpoint (they are not behind the internal token). */
  routes?: (app: Express) => void;
  /**
   * Sees every request before Express: answers it itself on node:http's request and response and returns true, or
   * returns false to leave it to the Express app. For hot plain-HTTP paths where Express's routing and response
   * helpers cost more than the work (the relay's packet content). Not behind the internal token either.
   */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Called once the HTTP server listens, before start returns (e.g. to attach a WebSocket `upgrade` handler). */
  onListening?: (server: Server) => void;
  /** How long `close` lets requests in flight finish before it cuts them (default DRAIN_MS). */
  drainMs?: number;
  /**
   * Called once per GraphQL request answered to a caller with a valid internal token, after the response was sent
   * (a provider's `served` audit record); must not throw or wait. Resolvers fill `context.served` meanwhile.
   */
  onServed?: (served: ServedRequest) => void;
}

/** How long a stopping service lets requests in flight finish (an upload, a download, a national lookup). */
export const DRAIN_MS = 10_000;

/**
 * Stops a server the way a rolling restart needs: no new connections, idle keep-alive connections closed at once and
 * as soon as each one's request in flight is answered, and whatever is still running after `graceMs` cut.
 */
export async function drainHttpServer(http: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeIdleConnections();
  const idle = setInterval(() => http.closeIdleConnections(), 50);
  const cut = setTimeout(() => http.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
}

export interface RunningSubgraph {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSubgraph<TContext extends BaseContext>(options: SubgraphOptions<TContext>): Promise<RunningSubgraph> {
  const { logger } = options;
  const schema = buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> }]);
  const opMetrics = subgraphOperationMetrics(options.metrics);

  const observe: ApolloServerPlugin<TContext> = {
    async requestDidStart() {
      const end = opMetrics.duration.startTimer();
      return {
        async willSendResponse({ errors, response }) {
          end();
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          opMetrics.operations.inc({ outcome: failed ? 'error' : 'success' });
        },
      };
    },
  };

  // What each request served, noted by the Apollo plugin and reported when the HTTP response is sent.
  const servedOperations = new WeakMap<ServedBag, Pick<ServedRequest, 'operationName' | 'operationType' | 'outcome' | 'errorCodes' | 'fields'>>();
  const selectedFields = new Map<string, string[]>();
  const noteServed: ApolloServerPlugin<TContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, operationName, response, document, queryHash, schema: served }) {
          const bag = contextValue.served;
          if (bag === undefined) return;
          let outcome: ServedRequest['outcome'] = 'success';
          let errorCodes: string[] = [];
          if (response.body.kind === 'single') {
            const result = response.body.singleResult;
            const errors = result.errors ?? [];
            errorCodes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
            if (!('data' in result) || result.data === undefined) outcome = errors.length > 0 ? 'rejected' : 'success';
            else if (errors.length > 0) outcome = result.data === null ? 'error' : 'partial';
          }
          let fields: string[] = [];
          if (document !== undefined && queryHash !== undefined) {
            fields = selectedFields.get(queryHash) ?? coordinatesOf(served, document);
            if (selectedFields.size >= 1_000) selectedFields.delete(selectedFields.keys().next().value!);
            selectedFields.set(queryHash, fields);
          }
          servedOperations.set(bag, { operationName: operationName ?? null, operationType: operation?.operation ?? null, outcome, errorCodes, fields });
        },
      };
    },
  };

  const server = new ApolloServer<TContext>({
    schema,
    // No Apollo Studio here: federated traces would only cost time on every call.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      observe,
      ...(options.onServed === undefined ? [] : [noteServed]),
    ],
    includeStacktraceInErrorResponses: false,
    formatError(formatted, error) {
      const original = unwrapResolverError(error);
      if (original instanceof LgspError) {
        return { ...formatted, message: original.message, extensions: { ...formatted.extensions, ...(original.details ?? {}), code: original.code } };
      }
      const code = formatted.extensions?.code;
      if (code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR) {
        logger.error({ err: original }, 'unexpected error in resolver');
        return { message: 'Internal error; see the service logs', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
      }
      return formatted;
    },
  });
  await server.start();

  const app = express();
  app.disable('x-powered-by');
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });
  app.get('/health/ready', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const [name, check] of Object.entries(options.readiness ?? {})) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        ready = false;
        checks[name] = (error as Error).message;
      }
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', service: options.name, checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  options.routes?.(app);

  app.use(
    '/graphql',
    async (req, res, next) => {
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      try {
        const principal = await options.verifier.verify(req.headers.authorization);
        const base: BaseContext = { principal, requestId, logger: logger.child({ requestId }) };
        if (options.onServed !== undefined) {
          const bag: ServedBag = { subjects: [], fields: new Set() };
          base.served = bag;
          reportServed(req, res, bag, base, options.onServed);
        }
        res.locals.base = base;
        next();
      } catch (error) {
        logger.warn({ requestId, reason: (error as Error).message }, 'call refused: no valid gateway token');
        res
          .status(401)
          .setHeader('www-authenticate', 'Bearer realm="lgsp-subgraph", error="invalid_token"')
          .json(errorBody(ErrorCode.UNAUTHENTICATED, 'Subgraphs accept calls only from the gateway'));
      }
    },
    express.json({ limit: '2mb' }),
    expressMiddleware(server, {
      context: async ({ res }) => options.context(res.locals.base as BaseContext),
    }),
  );

  /** Calls `onServed` once the response is sent (its size known), off the request's path. */
  function reportServed(req: IncomingMessage, res: ServerResponse, bag: ServedBag, base: BaseContext, onServed: (served: ServedRequest) => void): void {
    const started = process.hrtime.bigint();
    let reported = false;
    // When the response is sent, or when the connection closed first (the gateway gave up waiting: what was
    // answered by then still counts as served, with its size unknown).
    const report = () => {
      const operation = servedOperations.get(bag);
      if (reported || operation === undefined) return; // refused before GraphQL (malformed body): nothing was served
      reported = true;
      try {
        const seen = new Set<string>();
        const subjects = bag.subjects.filter((s) => {
          const key = `${s.kind}\n${s.value}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        const bytesIn = Number(req.headers['content-length']);
        const bytesOut = res.writableFinished ? Number(res.getHeader('content-length')) : Number.NaN;
        onServed({
          ...operation,
          fields: bag.fields.size === 0 ? operation.fields : [...new Set([...operation.fields, ...bag.fields])],
          requestId: base.requestId,
          principal: base.principal,
          durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3,
          bytesIn: Number.isFinite(bytesIn) ? bytesIn : null,
          bytesOut: Number.isFinite(bytesOut) ? bytesOut : null,
          subjects,
        });
      } catch (error) {
        logger.error({ err: error, requestId: base.requestId }, 'onServed failed: a served request is missing from the audit log');
      }
    };
    res.on('finish', report);
    res.on('close', report);
  }

  const handle = options.handle;
  const http: Server = createServer(
    handle === undefined
      ? app
      : (req, res) => {
          let handled: boolean;
          try {
            handled = handle(req, res);
          } catch (error) {
            logger.error({ err: error, url: req.url }, 'request handler failed before Express');
            if (res.headersSent) res.destroy();
            else
              res
                .writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
                .end(JSON.stringify(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error; see the service logs')));
            return;
          }
          if (!handled) app(req, res);
        },
  );
  http.listen(options.port, options.host);
  await once(http, 'listening');
  http.keepAliveTimeout = 65_000; // longer than the gateway pool's idle timeout, so the gateway closes first
  const port = (http.address() as AddressInfo).port;
  options.onListening?.(http);
  const url = `http://${options.host}:${port}/graphql`;
  logger.info({ url }, `${options.name} subgraph listening`);
  return {
    url,
    port,
    async close() {
      await drainHttpServer(http, options.drainMs ?? DRAIN_MS);
      await server.stop();
    },
  };
}

/** The schema coordinates a document selects (`Citizen.fullName`), without federation's `_entities`/`_service` and `__` fields. */
export function coordinatesOf(schema: GraphQLSchema, document: DocumentNode): string[] {
  const found = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const name = node.name.value;
        if (parent === null || parent === undefined || name.startsWith('__') || name === '_entities' || name === '_service') return;
        found.add(`${parent.name}.${name}`);
      },
    }),
  );
  return [...found];
}
