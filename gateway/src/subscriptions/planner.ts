/**
 * Plans subscription operations on the supergraph being served: `@apollo/query-planner` gives
 * `{ kind: "Subscription", primary: Fetch(owning subgraph), rest }` (docs/findings.md #2). The primary fetch runs as a
 * graphql-ws subscription on the owning subgraph; `rest` (entity fetches to other subgraphs) runs per event with
 * the native executor's plan walk, and the native result shaper gives the response its shape. Plans and
 * shapers are kept per operation (planning work only, never data), dropped when the supergraph changes.
 */
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { ErrorCode } from '@lgsp/kit';
import { GraphQLError, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { PlanTarget } from '../federation/executor/plan-executor.ts';
import { ResultShaper, ShapingSchema } from '../federation/executor/result-shaper.ts';
import type { LoadedSupergraph } from '../federation/supergraph.ts';

export interface PlannedSubscription {
  /** The subscription fetch on the owning subgraph. */
  primary: FetchNode;
  /** graphql-ws URL of the owning subgraph (its HTTP URL with ws:/wss:). */
  primaryUrl: string;
  /** What runs per event at the gateway (entity fetches), if anything. */
  rest: PlanNode | undefined;
  shaper: ResultShaper;
  target: PlanTarget;
}

interface PlanningState {
  loaded: LoadedSupergraph;
  apiSchema: Schema;
  /** The API schema as graphql-js, for validating incoming operations. */
  graphqlSchema: GraphQLSchema;
  planner: QueryPlanner;
  shaping: ShapingSchema;
  supergraphSchema: GraphQLSchema;
  subgraphUrls: Map<string, string>;
  plans: Map<string, PlannedSubscription>;
}

const PLAN_CACHE_SIZE = 1_000;

/** `http://h/graphql` → `ws://h/graphql` (https → wss): subgraphs serve graphql-ws on their GraphQL path. */
export function webSocketUrlOf(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export class SubscriptionPlanner {
  private state: PlanningState | undefined;

  constructor(
    private readonly supergraph: () => LoadedSupergraph,
    private readonly subgraphUrl: (name: string, urlInSupergraph: string) => string,
  ) {}

  /** The API schema incoming operations are validated against. */
  schema(): GraphQLSchema {
    return this.current().graphqlSchema;
  }

  /** The plan of a subscription operation (already validated against `schema()`); GraphQLError when it cannot be planned. */
  plan(document: DocumentNode, operationName: string | undefined): PlannedSubscription {
    const state = this.current();
    const key = `${operationName ?? ''}\u0000${print(document)}`;
    const cached = state.plans.get(key);
    if (cached !== undefined) return cached;
    let planNode;
    let shaper: ResultShaper;
    let target: PlanTarget;
    try {
      const operation = operationFromDocument(state.apiSchema, document, { operationName });
      planNode = state.planner.buildQueryPlan(operation).node;
      const unvalidated = operationFromDocument(state.apiSchema, document, { operationName, validate: false });
      if (ResultShaper.unsupportedResponseName(unvalidated) !== undefined) {
        throw new GraphQLError('The response name "__proto__" is not supported', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
      shaper = new ResultShaper(unvalidated, state.shaping);
      target = { supergraphSchema: state.supergraphSchema, subgraphUrls: state.subgraphUrls, variableDefinitions: unvalidated.variableDefinitions };
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      throw new GraphQLError(`The subscription cannot be planned: ${(error as Error).message}`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    }
    if (planNode?.kind !== 'Subscription') {
      throw new GraphQLError('The operation is not a subscription the supergraph can plan', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    }
    const url = state.subgraphUrls.get(planNode.primary.serviceName);
    if (url === undefined)
      throw new GraphQLError(`No URL for subgraph "${planNode.primary.serviceName}"`, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
    const planned: PlannedSubscription = { primary: planNode.primary, primaryUrl: webSocketUrlOf(url), rest: planNode.rest, shaper, target };
    if (state.plans.size >= PLAN_CACHE_SIZE) state.plans.delete(state.plans.keys().next().value!);
    state.plans.set(key, planned);
    return planned;
  }

  private current(): PlanningState {
    const loaded = this.supergraph();
    if (this.state?.loaded === loaded) return this.state;
    const supergraph = Supergraph.build(loaded.gatewaySdl, { validateSupergraph: false });
    const apiSchema = supergraph.apiSchema();
    const subgraphUrls = new Map<string, string>();
    for (const { name, url } of supergraph.subgraphsMetadata()) subgraphUrls.set(name, this.subgraphUrl(name, url));
    this.state = {
      loaded,
      apiSchema,
      graphqlSchema: apiSchema.toGraphQLJSSchema(),
      planner: new QueryPlanner(supergraph),
      shaping: new ShapingSchema(apiSchema),
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      subgraphUrls,
      plans: new Map(),
    };
    return this.state;
  }
}
