/**
 * The `merged` executor (GATEWAY_EXECUTOR=merged): Apollo Gateway still plans and runs the query plan, but the
 * fetches it sends to one subgraph within one turn of the event loop, for one operation, leave as one HTTP
 * request. FINDINGS #7: on nested queries the planner issues the same subgraph several fetches that become
 * ready together (parallel branches, sibling flatten nodes); each costs the gateway a round trip, a JSON
 * serialisation and a parse. Merged, the subgraph resolves each aliased `_entities` exactly as it would alone,
 * so the gateway's response is byte-identical (tested against the `apollo` executor).
 *
 * Only entity fetches (`_entities(representations:)`) are merged; root fetches go out as they come. No cache
 * and no de-duplication: every fetch is sent, within one request of its own operation only.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../../context.ts';
import { callSubgraph, type SubgraphCallDeps, type SubgraphRequest } from '../subgraph-data-source.ts';
import { entityOperationOf, mergeEntityFetches, splitMergedResponse, type EntityFetch } from './merge-entity-fetches.ts';

type Context = GatewayContext & Record<string, unknown>;

interface Pending extends EntityFetch {
  resolve(response: GatewayGraphQLResponse): void;
  reject(error: unknown): void;
}

export class MergingSubgraphDataSource implements GraphQLDataSource<Context> {
  /** Fetches waiting for the end of the current event-loop turn, per operation. */
  private readonly waiting = new WeakMap<Context, Pending[]>();

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly deps: SubgraphCallDeps,
  ) {}

  process(options: GraphQLDataSourceProcessOptions<Context>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (request.query === undefined) throw new Error('subgraph request without a query');
    const own: SubgraphRequest = { query: request.query, variables: request.variables, operationName: request.operationName };
    if (!('incomingRequestContext' in options) || entityOperationOf(request.query) === null) {
      const context = 'incomingRequestContext' in options ? options.incomingRequestContext.context : undefined;
      return callSubgraph(this.deps, this, own, context);
    }
    const context = options.incomingRequestContext.context;
    return new Promise((resolve, reject) => {
      let queue = this.waiting.get(context);
      if (queue === undefined) {
        queue = [];
        this.waiting.set(context, queue);
        // setImmediate runs after every promise continuation of this turn: the fetches that became ready
        // "at the same moment" (the same I/O callback or the same synchronous plan walk) are all queued by then.
        setImmediate(() => this.flush(context));
      }
      queue.push({ query: request.query!, variables: request.variables, operationName: request.operationName, resolve, reject });
    });
  }

  private flush(context: Context): void {
    const queue = this.waiting.get(context);
    this.waiting.delete(context);
    if (queue === undefined || queue.length === 0) return;
    const merged = queue.length > 1 ? mergeEntityFetches(queue) : null;
    if (merged === null) {
      for (const fetch of queue) callSubgraph(this.deps, this, fetch, context).then(fetch.resolve, fetch.reject);
      return;
    }
    callSubgraph(this.deps, this, merged, context).then(
      (response) => {
        const parts = splitMergedResponse(response, queue.length);
        queue.forEach((fetch, i) => fetch.resolve(parts[i]!));
      },
      (error: unknown) => {
        for (const fetch of queue) fetch.reject(error);
      },
    );
  }
}
