/**
 * GraphQL subscriptions over WebSocket on `/graphql` (the HTTP endpoint's path), protocol `graphql-transport-ws`
 * (graphql-ws's `makeServer` speaks it; this module adds what the gateway needs around it):
 *
 * - authentication in `connection_init`: `connectionParams.authorization` = `Bearer <access token>` is verified
 *   by the same authenticator as HTTP (`principalFor`); `connectionParams["x-lgsp-purpose"]` declares the
 *   purpose as the HTTP header does. The connection closes when the access token expires (4403).
 * - field-level authorization: the pipeline's step, as for queries; denied fields are null with an error in every
 *   event (authorization/authorizing-gateway.ts' `callerCompletion`, the completion HTTP answers get).
 * - execution of a subscription: the pipeline's last step (subscription-stage.ts) hands it here; planner.ts plans it, streams.ts runs the primary fetch over graphql-ws on the owning subgraph
 *   (one upstream stream per group of identical subscriptions) and the rest per event.
 * - keep-alive: a protocol `ping` to every acknowledged connection each GATEWAY_WS_KEEPALIVE_MS; no `pong` by
 *   the next round → the socket is terminated.
 * - limits per agency (connections, subscriptions: across replicas with Redis, limits.ts) and per connection
 *   (subscriptions).
 *
 * Every operation, whatever its type, runs the gateway's request pipeline (pipeline/request-pipeline.ts): parse,
 * limits, validation, authorization and execution are those of HTTP. Queries and mutations get `next` then
 * `complete`; an id may be used again once its operation completed (a duplicate id while it runs closes 4409).
 *
 * Close codes: close-codes.ts.
 */
import { ErrorCode, LgspError, type Logger, type Principal, type RedisClient, type Registry, requestIdFrom, REQUEST_ID_HEADER } from '@lgsp/kit';
import {
  GraphQLError,
  parse,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { handleProtocols, makeServer } from 'graphql-ws';
import { decodeJwt } from 'jose';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticator } from '../auth/authenticate.ts';
import { AuthenticationError } from '../auth/authentication-error.ts';
import { PURPOSE_HEADER, purposeFrom } from '../auth/principal.ts';
import { REVOKED_CLOSE_DELAY_MS, revokedCloseReason, revokedCredentialGraphQLError, type RevocationWatch } from '../auth/revocations/revocation-watch.ts';
import { authorizeFor, type AuthorizationMode } from '../authorization/authorizing-gateway.ts';
import type { PolicyDecider } from '../authorization/policies.ts';
import type { AuthorizedSubscription, GatewayContext } from '../context.ts';
import type { SubgraphCallDeps } from '../federation/subgraph-data-source.ts';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { closeReason, CloseCode } from './close-codes.ts';
import type { SubscriptionsConfig } from './config.ts';
import type { OperationRecord } from '../observability/operations.ts';
import type { RequestPipeline } from '../pipeline/request-pipeline.ts';
import { agencyOf, createMemoryAgencySlots, type AgencySlots, type Lease } from './limits.ts';
import { createSubscriptionMetrics, type SubscriptionMetrics } from './metrics.ts';
import { createRedisAgencySlots } from './redis-agency-slots.ts';
import { SubscriptionPlanner } from './planner.ts';
import { SharedStreams, StreamFailure, streamKey, Subscriber } from './streams.ts';

/** The path graphql-ws is served on (the same as GraphQL over HTTP). */
export const GRAPHQL_PATH = '/graphql';

export interface SubscriptionServerDeps {
  config: SubscriptionsConfig;
  /** Largest accepted WebSocket message (GATEWAY_MAX_BODY_BYTES). */
  maxMessageBytes: number;
  /** The gateway's request pipeline: every operation sent over WebSocket runs it, as over HTTP. */
  pipeline: RequestPipeline;
  /** AUTH_CLOCK_SKEW_SECONDS: a connection lives until its token's `exp` plus this. */
  clockSkewSeconds: number;
  authenticator: Pick<Authenticator, 'principalFor'>;
  authorization: { mode: AuthorizationMode; decider: PolicyDecider };
  /** The supergraph being served (its original document carries the authorization directives). */
  supergraph: () => LoadedSupergraph;
  /** The URL in effect for a subgraph (SUBGRAPH_<NAME>_URL overrides). */
  subgraphUrl: (name: string, urlInSupergraph: string) => string;
  call: SubgraphCallDeps;
  registry: Registry;
  /** The gateway's operation counters (`type="subscription"`). */
  operations?: GatewayMetrics['operations'] | undefined;
  /** With Redis (keys under REDIS_KEY_PREFIX), the per-agency limits count across every replica sharing it; without, per process. */
  redis?: { client: RedisClient; keyPrefix: string } | undefined;
  /** Revoked credentials: the open connections of a client revoked now are closed (auth/revocations/revoked-connections.ts). */
  revocations?: Pick<RevocationWatch, 'onRevoked' | 'isRevoked'> | undefined;
  logger: Logger;
}

export interface SubscriptionServer {
  /** For the HTTP server's `upgrade` event: takes `/graphql`, leaves other paths alone. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Open upstream streams (tests, diagnostics). */
  upstreamStreams(): number;
  /**
   * Closes the open connections with `code` and `reason` (their subscriptions end with them), except those whose
   * principal `keep` accepts; answers how many it closed. The maintenance watch closes them with 1013 when a window
   * that blocks the whole gateway starts (maintenance/setup.ts).
   */
  closeConnections(code: number, reason: string, keep?: (principal: Principal) => boolean): number;
  /** Closes every connection (1001) and upstream stream. */
  close(): Promise<void>;
}

interface Connection {
  id: string;
  socket: WebSocket;
  logger: Logger;
  principal: Principal | undefined;
  agency: string | undefined;
  connectionLease: Lease | undefined;
  subscriptions: Set<ClientSubscription>;
  /** Subscription slots taken on this connection (taken before any await, so concurrent subscribes count). */
  slots: number;
  acknowledged: boolean;
  awaitingPong: boolean;
  closing: boolean;
  closed: boolean;
  expiry: NodeJS.Timeout | undefined;
}

/** What graphql-ws keeps in `ctx.extra`. */
interface Extra {
  connection: Connection;
}

/** An active subscription and what re-checking its authorization needs. */
interface ClientSubscription {
  subscriber: Subscriber;
  connection: Connection;
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** The stream key it was authorized for: a grant change that alters it ends the subscription. */
  key: string;
  /** The denials it was authorized with (dry-run reports them in every event): a change ends it as well. */
  decisions: string;
}

export function createSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const { config, logger } = deps;
  const metrics: SubscriptionMetrics = createSubscriptionMetrics(deps.registry);
  const planner = new SubscriptionPlanner(deps.supergraph, deps.subgraphUrl);
  const streams = new SharedStreams({ call: deps.call, issuer: deps.call.issuer, metrics, upstreamKeepAliveMs: config.upstreamKeepAliveMs, logger });
  const slots: AgencySlots =
    deps.redis === undefined
      ? createMemoryAgencySlots()
      : createRedisAgencySlots(deps.redis.client, {
          keyPrefix: deps.redis.keyPrefix,
          leaseTtlMs: config.limitLeaseTtlMs,
          refreshMs: config.limitRefreshMs,
          logger,
          onFailure: (operation) => metrics.limitStoreFailures.inc({ operation }),
        });
  const connections = new Set<Connection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes, handleProtocols: (protocols) => handleProtocols(protocols) });
  let shuttingDown = false;
  // Counts grant changes, so a subscription authorized across one is checked again once it is registered.
  let grantsGeneration = 0;

  const closeConnection = (connection: Connection, code: number, reason: string) => {
    if (connection.closing) return;
    connection.closing = true;
    connection.socket.close(code, closeReason(reason));
  };

  /** Refuses a connection_init: the socket closes with `code`; graphql-ws's own 4403 that follows is ignored. */
  const refuse = (connection: Connection, code: number, reason: string, metricReason: string): false => {
    metrics.rejections.inc({ reason: metricReason });
    connection.logger.info({ event: 'ws.refused', reason: metricReason, closeCode: code }, 'WebSocket connection refused');
    closeConnection(connection, code, reason);
    return false;
  };

  const authorize = (principal: Principal, document: DocumentNode, operationName: string | undefined) =>
    authorizeFor({ supergraph: deps.supergraph, decider: deps.authorization.decider }, principal, document, operationName);

  const server = makeServer<Record<string, unknown>, Extra>({
    connectionInitWaitTimeout: config.connectionInitTimeoutMs,

    async onConnect(ctx) {
      const connection = ctx.extra.connection;
      const params = ctx.connectionParams ?? {};
      const authorization = paramOf(params, 'authorization');
      const purposeParam = paramOf(params, PURPOSE_HEADER);
      if ((authorization !== undefined && typeof authorization !== 'string') || (purposeParam !== undefined && typeof purposeParam !== 'string')) {
        return refuse(connection, CloseCode.BadRequest, `connectionParams.authorization and ${PURPOSE_HEADER} must be strings`, 'bad_params');
      }
      let principal: Principal;
      try {
        principal = await deps.authenticator.principalFor(authorization === undefined ? undefined : [authorization]);
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        metrics.rejections.inc({ reason: `auth_${error.reason}` });
        connection.logger.warn(
          { event: 'authentication.rejected', reason: error.reason, description: error.description },
          'WebSocket connection not authenticated',
        );
        if (error.reason === 'keys_unavailable') closeConnection(connection, CloseCode.TryAgainLater, error.description);
        else if (error.reason === 'revoked') closeConnection(connection, CloseCode.Forbidden, revokedCloseReason());
        else closeConnection(connection, CloseCode.Forbidden, `Forbidden: ${error.description}`);
        return false;
      }
      try {
        const purpose = purposeFrom(purposeParam === undefined ? undefined : [purposeParam]);
        if (purpose !== undefined) principal = { ...principal, purpose };
      } catch (error) {
        return refuse(connection, CloseCode.BadRequest, (error as LgspError).message, 'bad_purpose');
      }
      if (connection.closed) return false;
      const agency = agencyOf(principal);
      const lease = await slots.acquire('connections', agency, config.maxConnectionsPerAgency);
      if (lease === undefined) {
        return refuse(
          connection,
          CloseCode.TryAgainLater,
          `Too many connections for agency ${agency} (limit ${config.maxConnectionsPerAgency})`,
          'connection_limit',
        );
      }
      // Closed while the slot was being taken: the close handler found no lease to hand back.
      if (connection.closed) {
        lease.release();
        return false;
      }
      // Revoked while the slot was being taken: the revocation found no principal on this connection to close it.
      if (principal.clientId !== undefined && deps.revocations?.isRevoked(principal.clientId) === true) {
        lease.release();
        closeConnection(connection, CloseCode.Forbidden, revokedCloseReason());
        return false;
      }
      connection.principal = principal;
      connection.agency = agency;
      connection.connectionLease = lease;
      connection.logger = connection.logger.child({ agencyCode: principal.agencyCode, clientId: principal.clientId });
      scheduleExpiry(connection, authorization);
      connection.acknowledged = true;
      connection.logger.info({ event: 'ws.connected', kind: principal.kind }, 'WebSocket connection acknowledged');
      return true;
    },

    onPong(ctx) {
      ctx.extra.connection.awaitingPong = false;
    },

    // Every operation runs the gateway's request pipeline (pipeline/request-pipeline.ts), as over HTTP. A query or a
    // mutation comes back answered: graphql-ws sends it as `next`, then `complete`. A subscription comes back started
    // (the pipeline's last step called `startSubscription`). Request errors (parse, limits, validation, variables,
    // authorization in reject mode, a limit on subscriptions) become an `error` message.
    async onSubscribe(ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> {
      const connection = ctx.extra.connection;
      const operation: OperationRecord = { errorCodes: [] };
      const started: { subscription?: ClientSubscription } = {};
      const grantsSeen = grantsGeneration;
      const context: GatewayContext = {
        requestId: connection.id,
        logger: connection.logger,
        principal: connection.principal!,
        operation,
        stream: { start: (authorized) => startSubscription(connection, id, authorized, started) },
      };
      let result: FormattedExecutionResult;
      try {
        const { query, operationName, variables, extensions } = payload;
        result = await deps.pipeline.execute(
          { query, operationName: operationName ?? undefined, variables: variables ?? undefined, extensions: extensions ?? undefined },
          context,
        );
      } catch (error) {
        started.subscription?.subscriber.fail([internalError()]);
        connection.logger.error({ err: error }, 'operation over WebSocket could not be run');
        return refused(id, connection, operation, [internalError()]);
      }
      const subscription = started.subscription;
      if (subscription !== undefined) {
        // Grants changed while this one was being authorized: the re-check above did not see it yet.
        if (grantsGeneration !== grantsSeen) void recheck(subscription);
        connection.logger.debug({ event: 'subscription.started', id, operationName: operation.name }, 'subscription started');
        return { schema: planner.schema(), document: STARTED_SUBSCRIPTION, contextValue: { subscriber: subscription.subscriber } };
      }
      if (result.data === undefined || result.data === null) {
        if ((result.errors?.length ?? 0) > 0) return refused(id, connection, operation, result.errors!);
      }
      deps.operations?.inc({ type: operation.type ?? 'unknown', outcome: operation.outcome ?? 'success' });
      return { schema: planner.schema(), document: ANSWERED_OPERATION, contextValue: { answered: result } };
    },

    // onSubscribe returns either a started subscription's subscriber or an operation already answered.
    subscribe: (args) => (args.contextValue as { subscriber: Subscriber }).subscriber,
    execute: (args) => (args.contextValue as { answered: ExecutionResult }).answered,

    onNext(_ctx, _id, _payload, args, result) {
      // An answer from the pipeline is already formatted (its errors are plain objects): send it as it is.
      if ((args.contextValue as { answered?: unknown }).answered !== undefined) return result;
      metrics.eventsDelivered.inc();
    },

    onError(_ctx, _id, _payload, errors): readonly GraphQLFormattedError[] | void {
      const failure = errors[0]?.originalError;
      if (failure instanceof StreamFailure) return failure.errors.map((e) => e.toJSON());
      if (failure instanceof PipelineErrors) return failure.errors;
    },
  });

  /** A request the pipeline refused: graphql-ws sends the errors, exactly as formatted, in an `error` message. */
  function refused(id: string, connection: Connection, operation: OperationRecord, errors: readonly GraphQLFormattedError[]): GraphQLError[] {
    const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
    // A subscription limit is counted where it is known which one (startSubscription).
    if (codes[0] !== ErrorCode.LIMIT_EXCEEDED) metrics.rejections.inc({ reason: rejectionReason(codes[0]) });
    deps.operations?.inc({ type: operation.type ?? 'unknown', outcome: 'rejected' });
    connection.logger.info({ event: 'operation.rejected', id, operationName: operation.name ?? null, errorCodes: codes }, 'operation over WebSocket refused');
    return [new GraphQLError(errors[0]?.message ?? 'refused', { originalError: new PipelineErrors(errors) })];
  }

  /** The pipeline's last step for a subscription over this connection (context.stream): limits, plan, shared stream. */
  async function startSubscription(
    connection: Connection,
    id: string,
    authorized: AuthorizedSubscription,
    started: { subscription?: ClientSubscription },
  ): Promise<readonly GraphQLError[] | undefined> {
    if (connection.slots >= config.maxSubscriptionsPerConnection) {
      metrics.rejections.inc({ reason: 'subscription_limit_connection' });
      return [limitError(`Too many subscriptions on this connection (limit ${config.maxSubscriptionsPerConnection})`)];
    }
    connection.slots += 1;
    let agencyLease: Lease | undefined;
    let released = false;
    const lease = {
      release() {
        if (released) return;
        released = true;
        connection.slots -= 1;
        agencyLease?.release();
      },
    };
    let joined = false;
    try {
      agencyLease = await slots.acquire('subscriptions', connection.agency!, config.maxSubscriptionsPerAgency);
      if (agencyLease === undefined) {
        metrics.rejections.inc({ reason: 'subscription_limit_agency' });
        return [limitError(`Too many subscriptions for agency ${connection.agency} (limit ${config.maxSubscriptionsPerAgency})`)];
      }
      if (connection.closed) return [closedError()];
      const { document, callerDocument, operationName, variables, principal } = authorized;
      let planned;
      try {
        planned = planner.plan(document, operationName);
      } catch (error) {
        if (error instanceof GraphQLError) return [withCode(error, ErrorCode.INTERNAL_SERVER_ERROR)];
        throw error;
      }
      const spec = { planned, variables, principal, plannedDocument: print(document), operationName };
      let subscription: ClientSubscription;
      const subscriber = new Subscriber(authorized.complete, (outcome) => {
        lease.release();
        connection.subscriptions.delete(subscription);
        metrics.subscriptions.dec();
        deps.operations?.inc({ type: 'subscription', outcome: outcome === 'error' ? 'error' : 'success' });
        connection.logger.debug({ event: 'subscription.ended', id, outcome }, 'subscription ended');
      });
      subscription = {
        subscriber,
        connection,
        document: callerDocument,
        operationName,
        variables,
        key: streamKey(spec),
        decisions: decisionsOf(authorized.decisions),
      };
      connection.subscriptions.add(subscription);
      metrics.subscriptions.inc();
      streams.join(spec, subscriber);
      joined = true;
      started.subscription = subscription;
      return undefined;
    } finally {
      if (!joined) lease.release();
    }
  }

  function scheduleExpiry(connection: Connection, authorization: string | undefined): void {
    if (authorization === undefined) return;
    let exp: number | undefined;
    try {
      exp = decodeJwt(authorization.replace(/^Bearer +/i, '').trim()).exp;
    } catch {
      return; // verified already; a token without a readable exp was refused there
    }
    if (exp === undefined) return;
    const delay = exp * 1000 + deps.clockSkewSeconds * 1000 - Date.now();
    if (delay > 2_147_483_647) return;
    connection.expiry = setTimeout(
      () => {
        metrics.rejections.inc({ reason: 'token_expired' });
        connection.logger.info({ event: 'ws.token_expired' }, 'access token expired: WebSocket connection closed');
        closeConnection(connection, CloseCode.Forbidden, 'Forbidden: the access token expired; reconnect with a new one');
      },
      Math.max(delay, 0),
    );
    connection.expiry.unref();
  }

  const onConnection = (socket: WebSocket, request: IncomingMessage) => {
    const id = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    const connection: Connection = {
      id,
      socket,
      logger: logger.child({ requestId: id, transport: 'ws' }),
      principal: undefined,
      agency: undefined,
      connectionLease: undefined,
      subscriptions: new Set(),
      slots: 0,
      acknowledged: false,
      awaitingPong: false,
      closing: false,
      closed: false,
      expiry: undefined,
    };
    connections.add(connection);
    metrics.connections.inc();
    socket.on('error', (error) => {
      connection.logger.warn({ err: error }, 'WebSocket error');
      closeConnection(connection, CloseCode.BadRequest, error.message);
    });
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => closeConnection(connection, code ?? 1000, reason ?? ''),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
              connection.logger.error({ err: error }, 'graphql-ws message handling failed');
              closeConnection(connection, CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { connection },
    );
    socket.once('close', (code, reason) => {
      connection.closed = true;
      connections.delete(connection);
      clearTimeout(connection.expiry);
      connection.connectionLease?.release();
      metrics.connections.dec();
      metrics.closes.inc({ code: String(code) });
      connection.logger.info({ event: 'ws.closed', closeCode: code, reason: reason.toString('utf8') }, 'WebSocket connection closed');
      // graphql-ws returns every active subscriber, which releases its slot and leaves its stream.
      closed(code, reason.toString('utf8')).catch((error: unknown) => connection.logger.error({ err: error }, 'graphql-ws close handling failed'));
    });
  };

  // One timer for every connection (cheap with thousands of idle ones): ping, and drop whoever missed the last.
  const keepAlive =
    config.keepAliveMs > 0
      ? setInterval(() => {
          for (const connection of connections) {
            if (!connection.acknowledged || connection.closing) continue;
            if (connection.awaitingPong) {
              connection.logger.info({ event: 'ws.pong_timeout' }, 'no pong: WebSocket connection terminated');
              connection.socket.terminate();
              continue;
            }
            connection.awaitingPong = true;
            connection.socket.send('{"type":"ping"}');
          }
        }, config.keepAliveMs)
      : undefined;
  keepAlive?.unref();

  // Grants changed: subscriptions whose authorization now gives another plan end (the client subscribes again).
  const stopWatchingGrants = deps.authorization.decider.onInvalidated(() => {
    grantsGeneration += 1;
    for (const connection of connections) {
      for (const subscription of [...connection.subscriptions]) void recheck(subscription);
    }
  });

  // A credential revoked now: its open connections end; their subscriptions first get a CREDENTIAL_REVOKED error.
  const stopWatchingRevocations = deps.revocations?.onRevoked((clientIds) => {
    for (const connection of connections) {
      if (connection.closing || !clientIds.includes(connection.principal?.clientId ?? '')) continue;
      metrics.rejections.inc({ reason: 'credential_revoked' });
      connection.logger.info({ event: 'ws.credential_revoked' }, "the client's credential was revoked: WebSocket connection closed");
      for (const subscription of [...connection.subscriptions]) subscription.subscriber.fail([revokedCredentialGraphQLError()]);
      // The error messages go out first (frames are sent in order), then the close.
      setTimeout(() => closeConnection(connection, CloseCode.Forbidden, revokedCloseReason()), REVOKED_CLOSE_DELAY_MS).unref();
    }
  });

  async function recheck(subscription: ClientSubscription): Promise<void> {
    try {
      const principal = subscription.connection.principal!;
      const { result, principal: effective } = await authorize(principal, subscription.document, subscription.operationName);
      const mode = deps.authorization.mode;
      const planDocument = mode === 'filter' ? result.document : subscription.document;
      const denied = (mode === 'reject' && result.denials.length > 0) || (mode === 'filter' && result.empty);
      const key = streamKey({
        plannedDocument: print(planDocument),
        operationName: subscription.operationName,
        variables: subscription.variables,
        principal: effective,
      });
      // The same plan with other denials still gives stale events: dry-run reports the denials in every event, and
      // filter mode carries their errors (code, missing) in every event.
      if (!denied && key === subscription.key && decisionsOf(result.denials) === subscription.decisions) return;
      subscription.connection.logger.info({ event: 'subscription.reauthorized' }, 'grants changed: subscription ended');
      subscription.subscriber.fail([
        new GraphQLError('The grants this subscription was authorized with have changed; subscribe again', { extensions: { code: ErrorCode.FORBIDDEN } }),
      ]);
    } catch (error) {
      subscription.connection.logger.error({ err: error }, 'subscription authorization re-check failed');
    }
  }

  return {
    handleUpgrade(request, socket, head) {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== GRAPHQL_PATH) return false;
      if (shuttingDown) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request));
      return true;
    },
    upstreamStreams: () => streams.size,
    closeConnections(code, reason, keep) {
      let closed = 0;
      for (const connection of connections) {
        if (connection.closing || connection.closed) continue;
        if (keep !== undefined && connection.principal !== undefined && keep(connection.principal)) continue;
        closeConnection(connection, code, reason);
        closed += 1;
      }
      return closed;
    },
    async close() {
      shuttingDown = true;
      if (keepAlive !== undefined) clearInterval(keepAlive);
      stopWatchingGrants();
      stopWatchingRevocations?.();
      const closing = [...connections].map(
        (connection) =>
          new Promise<void>((resolve) => {
            if (connection.closed) return resolve();
            connection.socket.once('close', () => resolve());
            closeConnection(connection, CloseCode.GoingAway, 'Gateway shutting down');
            // A peer that does not answer the close handshake is cut off.
            setTimeout(() => {
              connection.socket.terminate();
              resolve();
            }, 1_000).unref();
          }),
      );
      await Promise.all(closing);
      streams.closeAll();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await slots.close(); // hands back what connections still held (with Redis: one command)
    },
  };
}

/** `connectionParams` keys are matched without regard to case (`Authorization` works as `authorization`). */
function paramOf(params: Record<string, unknown>, name: string): unknown {
  for (const [key, value] of Object.entries(params)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** The denials of an authorization, comparable with `===` (a re-check compares them with the ones it started with). */
function decisionsOf(denials: ReadonlyArray<{ path: string[]; code: string; missing: string[] }>): string {
  return JSON.stringify(denials.map((d) => [d.path, d.code, d.missing]));
}

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.LIMIT_EXCEEDED } });
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

function closedError(): GraphQLError {
  return new GraphQLError('connection closed', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

function internalError(): GraphQLError {
  return new GraphQLError('The operation could not be run; see the gateway logs', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
}

/** Carries a refusal's errors, formatted by the pipeline, to `onError`, which sends them unchanged. */
class PipelineErrors extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super('refused by the request pipeline');
  }
}

/** The `reason` label of lgsp_gateway_ws_rejections_total for a refusal's first error code. */
function rejectionReason(code: string | undefined): string {
  switch (code) {
    case 'GRAPHQL_PARSE_FAILED':
      return 'parse';
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'OPERATION_RESOLUTION_FAILURE':
      return 'validation';
    case ErrorCode.BAD_USER_INPUT:
      return 'variables';
    case ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE:
    case ErrorCode.PURPOSE_REQUIRED:
      return 'unauthorized';
    case ErrorCode.RATE_LIMITED:
      return 'rate_limited';
    default:
      return 'other';
  }
}

/**
 * What onSubscribe hands graphql-ws with an operation the pipeline already ran: graphql-ws only reads the operation
 * type from the document (to call `subscribe` or `execute`), and both return what the pipeline produced.
 */
const STARTED_SUBSCRIPTION: DocumentNode = parse('subscription { __typename }');
const ANSWERED_OPERATION: DocumentNode = parse('{ __typename }');
