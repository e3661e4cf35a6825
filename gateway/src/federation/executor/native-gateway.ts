/**
 * The `native` executor (GATEWAY_EXECUTOR=native): Apollo Gateway still loads the supergraph and Apollo Server
 * still parses, validates and answers, but operations run on an executor of our own:
 *
 * - per operation (query hash + operation name), once: the query plan from `@apollo/query-planner` and a compiled
 *   result shaper (`result-shaper.ts`), kept in a bounded plan cache. That cache holds planning work only — plans
 *   and shapers, never a response or any data — so every request still makes every subgraph fetch.
 * - per request: the plan walk of `plan-executor.ts` (same-subgraph entity fetches that are ready together merged
 *   into one request) and the shaper.
 *
 * Operations it does not take — introspection (`__schema`/`__type`), `@defer`, subscriptions, the
 * `Apollo-Query-Plan-Experimental` debug header, a `__proto__` alias — go to Apollo Gateway's own executor, so
 * their answers are Apollo's.
 */
import type { ApolloGateway } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Operation, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import type { Logger } from '@lgsp/kit';
import { getVariableValues, GraphQLError, Kind, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { SubgraphCallDeps } from '../subgraph-data-source.ts';
import { PlanRun, type PlanTarget } from './plan-executor.ts';
import { ResultShaper, ShapingSchema } from './result-shaper.ts';

export interface NativeExecutorOptions {
  call: SubgraphCallDeps;
  /** The URL to call for a subgraph (applies `SUBGRAPH_<NAME>_URL` overrides). */
  subgraphUrl(name: string, urlInSupergraph: string): string;
  logger: Logger;
  /** Operations whose plan and shaper are kept (planning cache, not a response cache). */
  planCacheSize?: number;
}

/** What one supergraph gives the executor; replaced when the supergraph file is reloaded. */
interface SupergraphState {
  apiSchema: Schema;
  supergraphSchema: GraphQLSchema;
  planner: QueryPlanner;
  shaping: ShapingSchema;
  subgraphUrls: Map<string, string>;
  plans: Map<string, PreparedOperation>;
}

type PreparedOperation = { native: false; reason: string } | { native: true; plan: QueryPlan; shaper: ResultShaper; target: PlanTarget; hasVariables: boolean };

const recursiveSelectionsLimitDisabled = process.env.APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK === 'true';
const nonLocalSelectionsLimitDisabled = process.env.APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK === 'true';

export class NativeGateway implements GatewayInterface {
  private state: SupergraphState | undefined;
  private apolloExecutor: GatewayExecutor | null = null;
  private readonly planCacheSize: number;

  constructor(
    private readonly apollo: ApolloGateway,
    private readonly options: NativeExecutorOptions,
  ) {
    this.planCacheSize = options.planCacheSize ?? 1_000;
    // Registered before Apollo Server's own listener: the new state is in place when the new schema is served.
    apollo.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
      try {
        this.state = this.stateFor(coreSupergraphSdl);
      } catch (error) {
        // Apollo Gateway accepted this SDL; if we cannot, every operation goes to its executor.
        this.state = undefined;
        options.logger.error({ err: error }, "native executor could not load the supergraph; using Apollo Gateway's executor");
      }
    });
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.apollo.onSchemaLoadOrUpdate(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.apollo.load(options);
    this.apolloExecutor = executor;
    return { executor: (requestContext) => this.execute(requestContext) };
  }

  stop(): Promise<void> {
    return this.apollo.stop();
  }

  private stateFor(supergraphSdl: string): SupergraphState {
    const supergraph = Supergraph.build(supergraphSdl, { validateSupergraph: false });
    const apiSchema = supergraph.apiSchema();
    const subgraphUrls = new Map<string, string>();
    for (const { name, url } of supergraph.subgraphsMetadata()) subgraphUrls.set(name, this.options.subgraphUrl(name, url));
    return {
      apiSchema,
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      planner: new QueryPlanner(supergraph),
      shaping: new ShapingSchema(apiSchema),
      subgraphUrls,
      plans: new Map(),
    };
  }

  private execute(requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    const state = this.state;
    const { request } = requestContext;
    if (state === undefined || !requestContext.operation || request.http?.headers.get('apollo-query-plan-experimental')) {
      return this.viaApollo(requestContext);
    }
    const key = request.operationName ? `${requestContext.queryHash}\u0000${request.operationName}` : requestContext.queryHash;
    let prepared = state.plans.get(key);
    if (prepared === undefined) {
      prepared = this.prepare(state, requestContext.document, request.operationName);
      if (state.plans.size >= this.planCacheSize) state.plans.delete(state.plans.keys().next().value!);
      state.plans.set(key, prepared);
    }
    if (!prepared.native) return this.viaApollo(requestContext);

    // Apollo Gateway's validateIncomingRequest: the request's variables against the operation's definitions.
    if (prepared.hasVariables) {
      const { errors } = getVariableValues(requestContext.schema, requestContext.operation.variableDefinitions ?? [], request.variables ?? {});
      if (errors) return Promise.resolve({ errors });
    }
    return this.run(prepared, requestContext);
  }

  private async run(prepared: Extract<PreparedOperation, { native: true }>, requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    const variables = requestContext.request.variables;
    const run = new PlanRun(prepared.target, this.options.call, requestContext, variables);
    // `prepare` sent plans with Subscription or Defer nodes to Apollo.
    if (prepared.plan.node !== undefined) await run.execute(prepared.plan.node as PlanNode);
    // executeQueryPlan.js: post-processing errors are reported only when the fetches produced none.
    let data: Record<string, unknown> | null | undefined;
    try {
      const shaped = prepared.shaper.shape(run.data, variables);
      data = shaped.data;
      if (run.errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data };
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
      this.options.logger.error({ error: String(error) }, 'Unexpected error during query plan execution');
      return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
    }
    return run.errors.length === 0 ? { data } : { errors: run.errors, data };
  }

  private prepare(state: SupergraphState, document: DocumentNode, operationName: string | undefined): PreparedOperation {
    if (usesSchemaIntrospection(document)) return { native: false, reason: 'introspection' };
    let plan: QueryPlan;
    let operation: Operation;
    try {
      const planned = operationFromDocument(state.apiSchema, document, { operationName });
      plan = state.planner.buildQueryPlan(planned, { recursiveSelectionsLimitDisabled, nonLocalSelectionsLimitDisabled });
      // executeQueryPlan.js shapes with an operation built without validation; the same here, kept apart from planning.
      operation = operationFromDocument(state.apiSchema, document, { operationName, validate: false });
    } catch (error) {
      // Let Apollo produce its own error for this operation.
      this.options.logger.debug({ err: error }, 'native executor: planning failed, using Apollo Gateway');
      return { native: false, reason: 'planning failed' };
    }
    if (plan.node !== undefined && !onlySupportedNodes(plan.node)) return { native: false, reason: '@defer or subscription' };
    if (ResultShaper.unsupportedResponseName(operation) !== undefined) return { native: false, reason: '__proto__ response name' };
    const shaper = new ResultShaper(operation, state.shaping);
    return {
      native: true,
      plan,
      shaper,
      target: { supergraphSchema: state.supergraphSchema, subgraphUrls: state.subgraphUrls, variableDefinitions: operation.variableDefinitions },
      hasVariables: operation.variableDefinitions.definitions().length > 0,
    };
  }

  private viaApollo(requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    if (this.apolloExecutor === null) throw new Error('the gateway has not loaded a supergraph yet');
    return this.apolloExecutor(requestContext);
  }
}

function onlySupportedNodes(node: PlanNode | SubscriptionNode): boolean {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(onlySupportedNodes);
    case 'Flatten':
      return onlySupportedNodes(node.node);
    case 'Fetch':
      return true;
    case 'Condition':
      return (node.ifClause === undefined || onlySupportedNodes(node.ifClause)) && (node.elseClause === undefined || onlySupportedNodes(node.elseClause));
    default:
      return false;
  }
}

function usesSchemaIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}
