/**
 * Walks an Apollo query plan (`@apollo/query-planner`: Sequence, Parallel, Flatten, Fetch, Condition) the way
 * `@apollo/gateway`'s `executeQueryPlan` (dist/executeQueryPlan.js) does — same cursors, representations, merges,
 * error paths and error objects — without its per-request tracing objects, OpenTelemetry spans and operation
 * rebuilding. Entity fetches to one subgraph that become ready at the same moment leave as one HTTP request
 * (`merge-entity-fetches.ts`), within this operation only: no cache and no de-duplication.
 *
 * One deliberate difference: a fetch that gets no GraphQL answer (subgraph down or timing out) is reported at the
 * path of each field or entity it would have filled (`fetchFailed`), where Apollo records one error without a path.
 *
 * Defer and Subscription nodes never reach this walk: `native-gateway.ts` hands such operations to Apollo.
 */
import { ERRORS, errorCodeDef, type ErrorCodeDefinition } from '@apollo/federation-internals';
import { evaluateCondition, type FetchDataRewrite, type FetchNode, type PlanNode, type QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  GraphQLError,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { GatewayContext } from '../../context.ts';
import { callSubgraph, type SubgraphCallDeps, type SubgraphRequest } from '../subgraph-data-source.ts';
import { entityOperationOf, mergeEntityFetches, splitMergedResponse } from './merge-entity-fetches.ts';

type Path = Array<string | number>;
type Data = Record<string, unknown>;

interface Cursor {
  path: Path;
  data: unknown;
  fullResult: Data;
}

/** What the walk needs from the supergraph being served. */
export interface PlanTarget {
  /** The supergraph schema (graphql-js), for type conditions in `requires` and rewrites. */
  supergraphSchema: GraphQLSchema;
  /** Subgraph name → URL in effect (after `SUBGRAPH_<NAME>_URL` overrides). */
  subgraphUrls: Map<string, string>;
  /** The operation's variable definitions as the planner sees them (for Condition nodes). */
  variableDefinitions: Parameters<typeof evaluateCondition>[1];
}

interface PendingFetch {
  request: SubgraphRequest;
  resolve(response: GatewayGraphQLResponse): void;
  reject(error: unknown): void;
}

/** One operation's execution state. */
export class PlanRun {
  readonly errors: GraphQLError[] = [];
  readonly data: Data = {};
  private batches: Map<string, PendingFetch[]> | undefined;

  constructor(
    private readonly target: PlanTarget,
    private readonly deps: SubgraphCallDeps,
    private readonly requestContext: GatewayGraphQLRequestContext,
    private readonly variables: Record<string, unknown> | undefined,
  ) {}

  private get context(): GatewayContext {
    return this.requestContext.context as GatewayContext;
  }

  execute(node: PlanNode): Promise<void> {
    return this.executeNode(node, { path: [], data: this.data, fullResult: this.data });
  }

  private async executeNode(node: PlanNode, cursor: Cursor | undefined): Promise<void> {
    if (cursor === undefined) return;
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await this.executeNode(child, cursor);
        return;
      case 'Parallel': {
        const children = node.nodes;
        const running = new Array<Promise<void>>(children.length);
        for (let i = 0; i < children.length; i++) running[i] = this.executeNode(children[i]!, cursor);
        await Promise.all(running);
        return;
      }
      case 'Flatten':
        return this.executeNode(node.node, moveIntoCursor(cursor, node.path as string[]));
      case 'Fetch':
        try {
          await this.executeFetch(node, cursor);
        } catch (error) {
          this.errors.push(error as GraphQLError);
        }
        return;
      case 'Condition': {
        const branch = evaluateCondition(node, this.target.variableDefinitions, this.variables) ? node.ifClause : node.elseClause;
        if (branch !== undefined) await this.executeNode(branch, cursor);
        return;
      }
      default:
        // native-gateway.ts sends operations whose plan has Defer or Subscription nodes to Apollo's executor.
        throw new Error(`query plan node "${node.kind}" is not supported by the native executor`);
    }
  }

  private async executeFetch(fetch: FetchNode, cursor: Cursor): Promise<void> {
    const url = this.target.subgraphUrls.get(fetch.serviceName);
    if (url === undefined) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    let entities: Data[];
    if (Array.isArray(cursor.data)) {
      entities = [];
      for (const item of cursor.data) if (item !== null && item !== undefined) entities.push(item as Data);
    } else {
      entities = [cursor.data as Data];
    }
    if (entities.length < 1) return;

    const variables: Record<string, unknown> = {};
    const provided = this.variables;
    if (fetch.variableUsages !== undefined && provided !== undefined) {
      for (const name of fetch.variableUsages) {
        if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
      }
    }
    const schema = this.target.supergraphSchema;

    if (fetch.requires === undefined) {
      let received: Data | null | undefined;
      try {
        received = await this.send(fetch, url, cursor, variables, false);
      } catch (error) {
        return this.fetchFailed(error, fetch, rootFieldPaths(fetch, cursor));
      }
      if (received) applyRewrites(schema, fetch.outputRewrites, received);
      for (const entity of entities) deepMerge(entity, received);
      return;
    }

    const representations: Data[] = [];
    const representationToEntity: number[] = [];
    for (let index = 0; index < entities.length; index++) {
      const representation = executeSelectionSet(schema, entities[index]!, fetch.requires);
      if (representation && representation.__typename) {
        applyRewrites(schema, fetch.inputRewrites, representation);
        representations.push(representation);
        representationToEntity.push(index);
      }
    }
    if (representations.length < 1) return;
    if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
    variables.representations = representations;
    let received: Data | null | undefined;
    try {
      received = await this.send(fetch, url, cursor, variables, true);
    } catch (error) {
      return this.fetchFailed(error, fetch, entityPaths(cursor, representationToEntity));
    }
    if (!received) return;
    const receivedEntities = received._entities;
    if (!(receivedEntities && Array.isArray(receivedEntities))) throw new Error(`Expected "data._entities" in response to be an array`);
    if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
    // Apollo iterates over `entities` here (not `representations`); kept as is so partial cases behave the same.
    for (let i = 0; i < entities.length; i++) {
      const receivedEntity = receivedEntities[i] as Data | null | undefined;
      const existingEntity = entities[representationToEntity[i]!]!;
      if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existingEntity.__typename;
      applyRewrites(schema, fetch.outputRewrites, receivedEntity);
      deepMerge(existingEntity, receivedEntity);
    }
  }

  /**
   * A fetch that got no GraphQL answer (the subgraph is down, timed out, or answered without GraphQL; `callSubgraph`
   * throws those as GraphQLErrors with a stable code): its error at every path it would have filled — each root field
   * it serves, or each entity it was to complete — so that the client sees which fields are null and why, and the
   * rest of the answer stands. Apollo Gateway's executor records one error without a path here.
   */
  private fetchFailed(error: unknown, fetch: FetchNode, paths: Path[]): void {
    if (!(error instanceof GraphQLError) || paths.length === 0) throw error;
    const extensions = { ...error.extensions, serviceName: fetch.serviceName };
    for (const path of paths) this.errors.push(new GraphQLError(error.message, { path, extensions }));
  }

  /** Sends one fetch (merged with its same-subgraph siblings when it is an entity fetch) and records its errors. */
  private async send(
    fetch: FetchNode,
    url: string,
    cursor: Cursor,
    variables: Record<string, unknown>,
    entityFetch: boolean,
  ): Promise<Data | null | undefined> {
    const request: SubgraphRequest = { query: fetch.operation, variables, operationName: fetch.operationName };
    const response =
      entityFetch && entityOperationOf(fetch.operation) !== null
        ? await this.enqueue(fetch.serviceName, url, request)
        : await callSubgraph(this.deps, { name: fetch.serviceName, url }, request, this.context);
    if (response.errors) {
      const errorPath = lazyErrorPath(fetch, cursor);
      for (const error of response.errors) this.errors.push(downstreamServiceError(error, fetch.serviceName, errorPath));
      const metrics = this.requestContext.metrics as { nonFtv1ErrorPaths?: Array<{ subgraph: string; path: unknown }> };
      if (!response.extensions?.ftv1) {
        const paths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
        if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...paths);
        else metrics.nonFtv1ErrorPaths = paths;
      }
    }
    return response.data as Data | null | undefined;
  }

  private enqueue(subgraph: string, url: string, request: SubgraphRequest): Promise<GatewayGraphQLResponse> {
    return new Promise((resolve, reject) => {
      this.batches ??= new Map();
      let batch = this.batches.get(subgraph);
      if (batch === undefined) {
        batch = [];
        this.batches.set(subgraph, batch);
        // After every promise continuation of this turn: the fetches that became ready together are all queued.
        setImmediate(() => this.flush(subgraph, url));
      }
      batch.push({ request, resolve, reject });
    });
  }

  private flush(subgraph: string, url: string): void {
    const batch = this.batches!.get(subgraph)!;
    this.batches!.delete(subgraph);
    const target = { name: subgraph, url };
    const merged =
      batch.length > 1
        ? mergeEntityFetches(batch.map((p) => ({ query: p.request.query, variables: p.request.variables, operationName: p.request.operationName })))
        : null;
    if (merged === null) {
      for (const pending of batch) callSubgraph(this.deps, target, pending.request, this.context).then(pending.resolve, pending.reject);
      return;
    }
    callSubgraph(this.deps, target, merged, this.context).then(
      (response) => {
        const parts = splitMergedResponse(response, batch.length);
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(parts[i]!);
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(error);
      },
    );
  }
}

function moveIntoCursor(cursor: Cursor, pathInCursor: string[]): Cursor | undefined {
  const data = flattenResultsAtPath(cursor.data, pathInCursor, 0);
  return data ? { path: cursor.path.concat(pathInCursor), data, fullResult: cursor.fullResult } : undefined;
}

function flattenResultsAtPath(value: unknown, path: string[], from: number): unknown {
  if (from === path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[from]!;
  if (current === '@') {
    const out: unknown[] = [];
    for (const element of value as unknown[]) {
      const flattened = flattenResultsAtPath(element, path, from + 1);
      // Array.prototype.flatMap semantics: one level of arrays is spread.
      if (Array.isArray(flattened)) for (const item of flattened) out.push(item);
      else out.push(flattened);
    }
    return out;
  }
  if (Array.isArray(value)) throw new Error(`Assertion error: Unexpected array in result for path element ${current}`);
  return flattenResultsAtPath(Object.hasOwn(value as object, current) ? (value as Data)[current] : undefined, path, from + 1);
}

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

function isObject(value: unknown): value is Data {
  return value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `@apollo/gateway`'s deepMerge (utilities/deepMerge.js), including its own-property guard. */
function deepMerge(target: Data, source: Data | null | undefined): Data {
  if (source === undefined || source === null) return target;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined) continue;
    if (PROTOTYPE_NAMES.has(key) && !Object.hasOwn(target, key)) {
      Object.defineProperty(target, key, { configurable: true, enumerable: true, value: undefined, writable: true });
    }
    const existing = target[key];
    if (existing && isObject(value)) {
      deepMerge(existing as Data, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isObject(existing[i]) && isObject(value[i])) deepMerge(existing[i] as Data, value[i] as Data);
        else existing[i] = value[i];
      }
    } else {
      target[key] = value;
    }
  }
  return target;
}

/** The representation of `source` for a `requires` selection (executeQueryPlan.js `executeSelectionSet`). */
function executeSelectionSet(schema: GraphQLSchema, source: Data | null, selections: readonly QueryPlanSelectionNode[]): Data | null {
  if (source === null) return null;
  const result: Data = {};
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const responseName = selection.alias ?? selection.name;
      const sub = selection.selections;
      if (!Object.hasOwn(source, responseName) || source[responseName] === undefined) return null;
      const value = source[responseName];
      if (Array.isArray(value)) {
        result[responseName] = value.map((item) => (sub ? executeSelectionSet(schema, item as Data, sub) : item));
      } else if (sub) {
        result[responseName] = executeSelectionSet(schema, value as Data, sub);
      } else {
        result[responseName] = value;
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!selection.typeCondition || !source) continue;
      if (isObjectOfType(schema, source, selection.typeCondition)) deepMerge(result, executeSelectionSet(schema, source, selection.selections));
    }
  }
  return result;
}

/** dataRewrites.js `isObjectOfType`. */
function isObjectOfType(schema: GraphQLSchema, obj: Data, typeCondition: string, defaultOnUnknownObjectType = false): boolean {
  const typename = obj.__typename as string | undefined;
  if (!typename) return defaultOnUnknownObjectType;
  if (typeCondition === typename) return true;
  const type = schema.getType(typename);
  if (!type) return false;
  const conditionType = schema.getType(typeCondition);
  if (!conditionType) return false;
  if (isAbstractType(conditionType)) return (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(conditionType, type);
  return false;
}

/** dataRewrites.js `applyRewrites` (value setters and key renamers of `@interfaceObject` and aliased fetches). */
function applyRewrites(schema: GraphQLSchema, rewrites: FetchDataRewrite[] | undefined, value: unknown): void {
  if (!rewrites) return;
  for (const rewrite of rewrites) {
    if (rewrite.path.length === 0) continue;
    const parent = rewrite.path.slice(0, -1);
    const last = rewrite.path[rewrite.path.length - 1]!;
    if (last.startsWith(FRAGMENT_PREFIX)) throw new Error(`Assertion error: Unexpected fragment as last element of ${String(rewrite.path)}`);
    const apply =
      rewrite.kind === 'ValueSetter'
        ? (obj: Data) => {
            defineOwn(obj, last);
            obj[last] = rewrite.setValueTo;
          }
        : (obj: Data) => {
            const at = Object.hasOwn(obj, last) ? obj[last] : undefined;
            if (at) {
              defineOwn(obj, rewrite.renameKeyTo);
              obj[rewrite.renameKeyTo] = at;
              obj[last] = undefined;
            }
          };
    applyAtPath(schema, parent, value, apply);
  }
}

const FRAGMENT_PREFIX = '... on ';

function defineOwn(obj: Data, key: string): void {
  if (!Object.hasOwn(obj, key) && key in obj) Object.defineProperty(obj, key, { configurable: true, enumerable: true, value: undefined, writable: true });
}

function applyAtPath(schema: GraphQLSchema, path: string[], value: unknown, apply: (obj: Data) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) applyAtPath(schema, path, item, apply);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (path.length === 0) {
    apply(value as Data);
    return;
  }
  const [first, ...rest] = path as [string, ...string[]];
  if (first.startsWith(FRAGMENT_PREFIX)) {
    if (isObjectOfType(schema, value as Data, first.slice(FRAGMENT_PREFIX.length), true)) applyAtPath(schema, rest, value, apply);
  } else {
    applyAtPath(schema, rest, Object.hasOwn(value, first) ? (value as Data)[first] : undefined, apply);
  }
}

/** The response paths of the root fields a non-entity fetch selects (`__typename` aside). */
function rootFieldPaths(fetch: FetchNode, cursor: Cursor): Path[] {
  const document = fetch.operationDocumentNode ?? parse(fetch.operation);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const paths: Path[] = [];
  for (const selection of operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.name.value === '__typename') continue;
    paths.push([...cursor.path, (selection.alias ?? selection.name).value]);
  }
  return paths;
}

/** The response path of each entity an entity fetch sent a representation for. */
function entityPaths(cursor: Cursor, representationToEntity: number[]): Path[] {
  const hydrated: Path[] = [];
  generateHydratedPaths([], cursor.path, cursor.fullResult, hydrated);
  const paths: Path[] = [];
  for (const index of representationToEntity) {
    const path = hydrated[index];
    if (path !== undefined) paths.push(path);
  }
  return paths;
}

/** executeQueryPlan.js `makeLazyErrorPathGenerator`: a subgraph error path → the path in the client's response. */
function lazyErrorPath(fetch: FetchNode, cursor: Cursor): (path: readonly (string | number)[] | undefined) => Path | undefined {
  let hydrated: Path[] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (hydrated === undefined) {
        hydrated = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydrated);
      }
      return [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath] : undefined;
  };
}

function generateHydratedPaths(parent: Path, path: Path, data: unknown, result: Path[]): void {
  const head = path[0];
  if (data == null) return;
  if (head == null) {
    result.push(parent.slice());
  } else if (head === '@') {
    if (!Array.isArray(data)) throw new Error('Assertion error: expected array when encountering `@`');
    data.forEach((value, i) => {
      parent.push(i);
      generateHydratedPaths(parent, path.slice(1), value, result);
      parent.pop();
    });
  } else if (typeof head === 'string') {
    if (Array.isArray(data)) {
      data.forEach((value, i) => {
        parent.push(i);
        generateHydratedPaths(parent, path, value, result);
        parent.pop();
      });
    } else if (Object.hasOwn(data as object, head)) {
      parent.push(head);
      generateHydratedPaths(parent, path.slice(1), (data as Data)[head], result);
      parent.pop();
    }
  } else {
    throw new Error(`Assertion error: unknown path part "${String(head)}"`);
  }
}

/** executeQueryPlan.js `downstreamServiceError`: the same GraphQLError Apollo builds from a subgraph error. */
function downstreamServiceError(
  original: GraphQLFormattedError,
  serviceName: string,
  errorPath: (path: readonly (string | number)[] | undefined) => Path | undefined,
): GraphQLError {
  let { message } = original;
  const { extensions } = original;
  if (!message) message = `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: original as Error,
    path: errorPath(original.path),
    extensions: { ...extensions, serviceName },
  };
  const codeDef: ErrorCodeDefinition | undefined = errorCodeDef(original as unknown as GraphQLError);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
