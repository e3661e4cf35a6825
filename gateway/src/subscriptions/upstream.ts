/**
 * One subscription from the gateway to the subgraph that owns the subscription field, over graphql-ws
 * (graphql-transport-ws), authenticated the way HTTP fetches are: the gateway's internal token for the principal
 * in `connectionParams.authorization` (`Bearer <token>`) and the request id in `connectionParams["x-request-id"]`.
 *
 * Each stream has its own WebSocket (streams are already shared between identical client subscriptions, and
 * one socket per stream keeps a failure confined to the stream it belongs to). The gateway never reconnects by
 * itself: when the subgraph closes the socket or stops answering pings, the stream fails and every client
 * subscription on it gets an `error` (UPSTREAM_UNAVAILABLE); clients subscribe again, with `after` where the
 * field offers it, to resume without losing events.
 */
import { ErrorCode, REQUEST_ID_HEADER, type InternalTokenIssuer, type Logger, type Principal } from '@lgsp/kit';
import { GraphQLError, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { SubgraphRequest } from '../federation/subgraph-data-source.ts';

export interface UpstreamSink {
  next(result: FormattedExecutionResult): void;
  /** Terminal: the stream failed; these are the errors to hand to subscribers. */
  error(errors: GraphQLError[]): void;
  /** Terminal: the subgraph completed the subscription. */
  complete(): void;
}

export interface UpstreamOptions {
  subgraph: string;
  /** ws:// or wss:// URL of the subgraph. */
  url: string;
  request: SubgraphRequest;
  principal: Principal;
  requestId: string;
  issuer: InternalTokenIssuer;
  /** Ping interval; a ping unanswered for as long drops the stream (0: no pings). */
  keepAliveMs: number;
  logger: Logger;
}

/** Opens the stream; returns the function that closes it (sends `complete` and closes the socket). */
export function openUpstream(options: UpstreamOptions, sink: UpstreamSink): () => void {
  const { subgraph, logger } = options;
  let finished = false;
  let connected = false;
  let pongTimer: NodeJS.Timeout | undefined;

  const finish = (outcome: { errors: GraphQLError[] } | 'complete') => {
    if (finished) return;
    finished = true;
    clearTimeout(pongTimer);
    unsubscribe?.();
    void client.dispose();
    if (outcome === 'complete') sink.complete();
    else sink.error(outcome.errors);
  };

  const client = createClient({
    url: options.url,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    keepAlive: options.keepAliveMs,
    connectionParams: async () => ({
      authorization: `Bearer ${await options.issuer.tokenFor(options.principal)}`,
      [REQUEST_ID_HEADER]: options.requestId,
    }),
    on: {
      connected: () => {
        connected = true;
      },
      ping: (received) => {
        if (received || options.keepAliveMs <= 0) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          logger.warn({ subgraph }, 'subgraph stream did not answer ping: dropped');
          finish({ errors: [unavailable(subgraph, `Subgraph "${subgraph}" stopped answering on the subscription stream`)] });
        }, options.keepAliveMs);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: (event) => {
        if (finished) return;
        const code = (event as { code?: number }).code;
        finish({ errors: [closeError(subgraph, code, connected, logger)] });
      },
    },
  });

  let unsubscribe: (() => void) | undefined;
  unsubscribe = client.subscribe<Record<string, unknown>>(
    { query: options.request.query, variables: options.request.variables ?? {}, operationName: options.request.operationName ?? null },
    {
      next: (result) => {
        if (!finished) sink.next(result as FormattedExecutionResult);
      },
      error: (error) => {
        if (finished) return;
        if (Array.isArray(error)) {
          finish({ errors: (error as GraphQLFormattedError[]).map((e) => subgraphError(e, subgraph)) });
          return;
        }
        const code = (error as { code?: number }).code;
        finish({ errors: [closeError(subgraph, code, connected, logger)] });
      },
      complete: () => finish('complete'),
    },
  );

  return () => {
    if (finished) return;
    finished = true;
    clearTimeout(pongTimer);
    unsubscribe?.();
    void client.dispose();
  };
}

/** A subgraph's error as the client sees it: its message, path and extensions, plus `serviceName`. */
export function subgraphError(error: GraphQLFormattedError, subgraph: string): GraphQLError {
  const extensions: Record<string, unknown> = { ...error.extensions, serviceName: subgraph };
  if (typeof extensions.code !== 'string') extensions.code = 'DOWNSTREAM_SERVICE_ERROR';
  return new GraphQLError(error.message || `Error while subscribing to service "${subgraph}"`, { path: error.path, extensions });
}

function unavailable(subgraph: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, serviceName: subgraph } });
}

function closeError(subgraph: string, code: number | undefined, connected: boolean, logger: Logger): GraphQLError {
  if (code === 4401 || code === 4403) {
    logger.error({ subgraph, closeCode: code }, 'subgraph refused the internal token on its WebSocket: check GATEWAY_JWKS_URL / GATEWAY_SIGNING_KEY_FILE');
    return new GraphQLError(`Subgraph "${subgraph}" refused the gateway's credentials`, {
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, serviceName: subgraph },
    });
  }
  logger.warn({ subgraph, closeCode: code, connected }, 'subgraph subscription stream closed');
  return unavailable(
    subgraph,
    connected
      ? `Subgraph "${subgraph}" closed the subscription stream (close code ${code ?? 'none'}); subscribe again to resume`
      : `Subgraph "${subgraph}" is unreachable for subscriptions`,
  );
}
