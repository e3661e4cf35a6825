/** What every GraphQL operation carries through the gateway's request pipeline (the Apollo context), on either transport. */
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import type { Logger, Principal } from '@lgsp/kit';
import type { DocumentNode, ExecutionResult, GraphQLError } from 'graphql';
import type { Denial } from './authorization/rewrite.ts';
import type { OperationRecord } from './observability/operations.ts';

export interface GatewayContext {
  /** The request id: echoed to the caller, sent to every subgraph, on every log line. */
  requestId: string;
  /** Who is calling (auth/authenticate.ts: access token + X-LGSP-Purpose); travels in the internal token. */
  principal: Principal;
  /** The gateway logger bound to this request's id. */
  logger: Logger;
  /** What the operation log line and metrics report (filled by the operation-record plugin). */
  operation: OperationRecord;
  /** Where a subscription's events go: set by graphql-ws (subscriptions/ws-server.ts); HTTP has none. */
  stream?: SubscriptionStream | undefined;
  /** Set by authorization for a subscription it removed or reported fields of: how each event is completed. */
  authorized?: { callerDocument: DocumentNode; decisions: readonly Denial[]; complete<T extends GatewayExecutionResult>(event: T): T } | undefined;
}

/** What the execution step hands a subscription to, once it is parsed, validated and authorized. */
export interface SubscriptionStream {
  /** Starts the stream; errors (a limit, a planning failure) refuse it instead. */
  start(subscription: AuthorizedSubscription): Promise<readonly GraphQLError[] | undefined>;
}

export interface AuthorizedSubscription {
  /** The operation to plan: the caller's, or in filter mode what authorization left of it. */
  document: DocumentNode;
  /** The caller's own operation (what each event is completed against). */
  callerDocument: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** The principal with the row conditions authorization found. */
  principal: Principal;
  /** What authorization removed or reported (compared again when grants change). */
  decisions: readonly Denial[];
  /** How each event is completed for the caller (authorization/authorizing-gateway.ts' `callerCompletion`). */
  complete(event: ExecutionResult): ExecutionResult;
}
