/**
 * The pipeline's execution step for subscriptions: after parsing, limits, validation and authorization (the same
 * steps as every operation), a subscription's variables are checked and it is handed to the transport's stream
 * (`context.stream`, set by graphql-ws in ws-server.ts), which plans it and joins a shared upstream stream. Other
 * operations pass on to the executor. Over HTTP there is no stream: a subscription sent there is refused with a
 * precise code instead of reaching a planner that cannot run it.
 */
import { HeaderMap } from '@apollo/server';
import { getVariableValues, GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { ExecutorStage } from '../pipeline/request-pipeline.ts';
import { GRAPHQL_PATH } from './ws-server.ts';

export const SUBSCRIPTION_OVER_HTTP = 'SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP';

export function subscriptionStage(): ExecutorStage {
  return (executor) => async (requestContext) => {
    if (requestContext.operation?.operation !== 'subscription') return executor(requestContext);
    const context = requestContext.context as GatewayContext;
    if (context.stream === undefined) {
      return {
        errors: [
          new GraphQLError(`Subscriptions are served over WebSocket (graphql-transport-ws) at ${GRAPHQL_PATH}, not over HTTP`, {
            extensions: { code: SUBSCRIPTION_OVER_HTTP, http: { status: 400, headers: new HeaderMap() } },
          }),
        ],
      };
    }
    const variables = requestContext.request.variables ?? {};
    // Apollo Gateway's validateIncomingRequest does this for the operations it executes; a stream starts here instead.
    const coerced = getVariableValues(requestContext.schema, requestContext.operation.variableDefinitions ?? [], variables);
    if (coerced.errors !== undefined) return { errors: coerced.errors };
    const refused = await context.stream.start({
      document: requestContext.document,
      callerDocument: context.authorized?.callerDocument ?? requestContext.document,
      operationName: requestContext.request.operationName ?? undefined,
      variables,
      principal: context.principal,
      decisions: context.authorized?.decisions ?? [],
      complete: context.authorized?.complete ?? unchanged,
    });
    return refused === undefined ? {} : { errors: refused };
  };
}

const unchanged = <T>(event: T): T => event;
