/**
 * The services (subgraphs) an operation touches: the subgraphs its query plan fetches from, exactly what the
 * executor will call (`@apollo/query-planner` on the supergraph being served). A subscription touches the subgraph
 * of its primary fetch and those its events are completed from. Plans are kept per operation (planning work only,
 * never data) and dropped when the supergraph changes. Fields resolved by the gateway alone (`__typename`,
 * introspection) touch no service.
 */
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type SubscriptionNode } from '@apollo/query-planner';
import { Kind, visit, type DocumentNode } from 'graphql';
import type { LoadedSupergraph } from '../federation/supergraph.ts';

const CACHE_SIZE = 1_000;

interface PlanningState {
  loaded: LoadedSupergraph;
  apiSchema: Schema;
  planner: QueryPlanner;
  services: Map<string, readonly string[]>;
}

/** The subgraph names of every fetch in a plan (in first-seen order). */
export function servicesOfPlan(node: PlanNode | SubscriptionNode | undefined, into = new Set<string>()): Set<string> {
  if (node === undefined) return into;
  switch (node.kind) {
    case 'Fetch':
      into.add(node.serviceName);
      break;
    case 'Sequence':
    case 'Parallel':
      for (const child of node.nodes) servicesOfPlan(child, into);
      break;
    case 'Flatten':
      servicesOfPlan(node.node, into);
      break;
    case 'Condition':
      // Both branches: which one runs depends on the variables, and a quota is checked before execution.
      servicesOfPlan(node.ifClause, into);
      servicesOfPlan(node.elseClause, into);
      break;
    case 'Defer':
      servicesOfPlan(node.primary.node, into);
      for (const deferred of node.deferred) servicesOfPlan(deferred.node, into);
      break;
    case 'Subscription':
      servicesOfPlan(node.primary, into);
      servicesOfPlan(node.rest, into);
      break;
  }
  return into;
}

/** Finds the services operations touch on the supergraph `supergraph()` returns (its current one). */
export class TouchedServices {
  private state: PlanningState | undefined;

  constructor(private readonly supergraph: () => LoadedSupergraph) {}

  /**
   * The services `document` (already validated) touches; `cacheKey` identifies the document (Apollo's query hash).
   * An operation that cannot be planned touches none here: the executor refuses it with its own error.
   */
  of(document: DocumentNode, operationName: string | undefined, cacheKey: string): readonly string[] {
    const state = this.current();
    const key = `${cacheKey}\u0000${operationName ?? ''}`;
    const cached = state.services.get(key);
    if (cached !== undefined) return cached;
    let services: readonly string[];
    try {
      const operation = operationFromDocument(state.apiSchema, withoutIntrospection(document), { operationName });
      services = [...servicesOfPlan(state.planner.buildQueryPlan(operation).node)];
    } catch {
      services = [];
    }
    if (state.services.size >= CACHE_SIZE) state.services.delete(state.services.keys().next().value!);
    state.services.set(key, services);
    return services;
  }

  private current(): PlanningState {
    const loaded = this.supergraph();
    if (this.state?.loaded === loaded) return this.state;
    const supergraph = Supergraph.build(loaded.gatewaySdl, { validateSupergraph: false });
    this.state = { loaded, apiSchema: supergraph.apiSchema(), planner: new QueryPlanner(supergraph), services: new Map() };
    return this.state;
  }
}

/** The document without `__schema`/`__type` selections (answered by the gateway; the planner does not take them). */
function withoutIntrospection(document: DocumentNode): DocumentNode {
  return visit(document, {
    [Kind.FIELD]: (field) => (field.name.value === '__schema' || field.name.value === '__type' ? null : undefined),
  });
}
