/**
 * graphql-ws on the subgraph's own HTTP server, path `/graphql`. Only the gateway connects: it puts its internal
 * token in `connectionParams.authorization` (`Bearer <token>`) and its request id in
 * `connectionParams["x-request-id"]`. A connection without a valid token is closed with 4403 (Forbidden) before
 * any operation runs; the token's principal is then the caller of every subscription on that connection.
 * Domain errors become `extensions.code` as over HTTP.
 */
import type { Server } from 'node:http';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode, LgspError, requestIdFrom, type BaseContext, type InternalTokenVerifier, type Logger, type Principal } from '@lgsp/kit';

export interface SubscriptionServerOptions<TContext extends BaseContext> {
  httpServer: Server;
  schema: GraphQLSchema;
  verifier: InternalTokenVerifier;
  logger: Logger;
  context: (base: BaseContext) => TContext;
  /** WebSocket ping interval (ms); 0 = none. */
  keepAliveMs: number;
  production: boolean;
  onConnection?: (event: 'opened' | 'refused' | 'closed') => void;
}

export interface SubscriptionServer {
  /** Open graphql-ws connections. */
  connections(): number;
  /** Closes every connection (1001 Going away) and stops accepting new ones. */
  close(): Promise<void>;
}

interface ConnectionState {
  principal?: Principal;
  requestId?: string;
}

export function attachSubscriptionServer<TContext extends BaseContext>(options: SubscriptionServerOptions<TContext>): SubscriptionServer {
  const { logger } = options;
  // Subscription documents are small; a large frame is not a subscription.
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: 256 * 1024 });
  const states = new WeakMap<object, ConnectionState>();
  const stateOf = (extra: object): ConnectionState => {
    let state = states.get(extra);
    if (state === undefined) {
      state = {};
      states.set(extra, state);
    }
    return state;
  };

  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      schema: options.schema,
      isProd: options.production,
      connectionInitWaitTimeout: 3_000,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const requestId = requestIdFrom(typeof params['x-request-id'] === 'string' ? params['x-request-id'] : undefined);
        const header = params.authorization ?? params.Authorization;
        try {
          const principal = await options.verifier.verify(typeof header === 'string' ? header : undefined);
          Object.assign(stateOf(ctx.extra), { principal, requestId });
          options.onConnection?.('opened');
          return true;
        } catch (error) {
          logger.warn({ requestId, reason: (error as Error).message }, 'graphql-ws connection refused: no valid gateway token');
          options.onConnection?.('refused');
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      onDisconnect() {
        options.onConnection?.('closed');
      },
      context(ctx) {
        const state = stateOf(ctx.extra);
        const requestId = state.requestId ?? requestIdFrom(undefined);
        return options.context({ principal: state.principal!, requestId, logger: logger.child({ requestId }) });
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (result.errors === undefined || result.errors.length === 0) return;
        return { ...result, errors: result.errors.map((e) => formatError(e, logger)) };
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map((e) => formatError(e, logger));
      },
    },
    wss,
    options.keepAliveMs,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      await disposable.dispose();
    },
  };
}

/** The same mapping as the kit's HTTP server: domain errors keep their code, unexpected ones are masked. */
function formatError(error: GraphQLError, logger: Logger): GraphQLFormattedError {
  const original = error.originalError;
  if (original instanceof LgspError) {
    return { message: original.message, path: error.path, locations: error.locations, extensions: { ...(original.details ?? {}), code: original.code } };
  }
  const code = error.extensions?.code;
  if (original === undefined || original instanceof GraphQLError) {
    // Validation and input coercion errors: the client's mistake, told as is.
    return { ...error.toJSON(), extensions: { ...error.extensions, code: typeof code === 'string' ? code : ErrorCode.BAD_USER_INPUT } };
  }
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) return error.toJSON();
  logger.error({ err: original }, 'unexpected error in a subscription');
  return { message: 'Internal error; see the service logs', path: error.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
