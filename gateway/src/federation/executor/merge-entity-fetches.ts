/**
 * Merging entity fetches: several `_entities` requests to one subgraph, made by one operation at the same
 * moment, become one request with aliased `_entities` fields (`e0`, `e1`, …), one variables object
 * (`$r0`, `$r1`, … for the representations), and the fragments each used. The subgraph resolves each alias
 * exactly as it would the separate request, so splitting the answer gives back each fetch's own response.
 *
 * Pure functions, no I/O: the native plan walk (`plan-executor.ts`, `PlanRun.enqueue`/`flush`) decides what to merge
 * and when.
 */
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Kind, parse, print, visit, type DocumentNode, type FieldNode, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';

export interface EntityFetch {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/** What a fetch's operation looks like when it can be merged. */
interface EntityOperation {
  /** `representations`' declared type, printed (`[_Any!]!`). */
  representationsType: string;
  /** The other variable definitions, printed, by name. */
  otherVariables: Map<string, string>;
  /** The `_entities` field's selection set, printed. */
  selectionSet: string;
  /** Fragment definitions, printed, by name. */
  fragments: Map<string, string>;
}

const shapes = new Map<string, EntityOperation | null>();

/** The merge-relevant shape of an operation, or null when it is not a lone `_entities(representations:)` query. */
export function entityOperationOf(query: string): EntityOperation | null {
  let shape = shapes.get(query);
  if (shape === undefined) {
    shape = analyse(query);
    if (shapes.size > 5_000) shapes.clear();
    shapes.set(query, shape);
  }
  return shape;
}

function analyse(query: string): EntityOperation | null {
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return null;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation !== 'query') return null;
  const operation = operations[0]!;
  if (operation.directives !== undefined && operation.directives.length > 0) return null;
  const selections = operation.selectionSet.selections;
  if (selections.length !== 1 || selections[0]!.kind !== Kind.FIELD) return null;
  const field = selections[0] as FieldNode;
  if (field.name.value !== '_entities' || field.alias !== undefined || field.selectionSet === undefined) return null;
  if ((field.directives?.length ?? 0) > 0) return null;
  const args = field.arguments ?? [];
  if (args.length !== 1 || args[0]!.name.value !== 'representations') return null;
  const value = args[0]!.value;
  if (value.kind !== Kind.VARIABLE || value.name.value !== 'representations') return null;

  let representationsType: string | undefined;
  const otherVariables = new Map<string, string>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.variable.name.value === 'representations') representationsType = print(definition.type);
    else otherVariables.set(definition.variable.name.value, print(definition));
  }
  if (representationsType === undefined) return null;
  // `$representations` used anywhere but the `_entities` argument would break the renaming.
  let uses = 0;
  visit(document, {
    Variable(node) {
      if (node.name.value === 'representations') uses++;
    },
  });
  if (uses !== 2) return null; // its definition and the argument

  const fragments = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, print(definition));
  }
  return { representationsType, otherVariables, selectionSet: print(field.selectionSet), fragments };
}

export interface MergedRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName: string;
}

const mergedTexts = new Map<string, string | null>();

/**
 * One request for `fetches` (at least two, all from `entityOperationOf` ≠ null), or null when they cannot share
 * one: the same variable name declared with different types or values, or fragments that would need renaming.
 */
export function mergeEntityFetches(fetches: EntityFetch[]): MergedRequest | null {
  const operationName = `${fetches[0]!.operationName ?? 'Entities'}__merged_${fetches.length}`;
  const key = `${operationName}\u0000${fetches.map((f) => f.query).join('\u0000')}`;
  let text = mergedTexts.get(key);
  if (text === undefined) {
    text = mergedText(
      operationName,
      fetches.map((f) => entityOperationOf(f.query)!),
    );
    if (mergedTexts.size > 5_000) mergedTexts.clear();
    mergedTexts.set(key, text);
  }
  if (text === null) return null;
  const variables: Record<string, unknown> = {};
  for (let i = 0; i < fetches.length; i++) {
    const own = fetches[i]!.variables ?? {};
    for (const name in own) {
      if (name === 'representations') continue;
      // Fetches of one operation share its variables; refuse rather than guess if they ever differ.
      if (name in variables && variables[name] !== own[name]) return null;
      variables[name] = own[name];
    }
    variables[`r${i}`] = own.representations;
  }
  return { query: text, variables, operationName };
}

function mergedText(operationName: string, operations: EntityOperation[]): string | null {
  const definitions: string[] = [];
  const variables = new Map<string, string>();
  const fragments = new Map<string, string>();
  const fields: string[] = [];
  for (let i = 0; i < operations.length; i++) {
    const operation = operations[i]!;
    definitions.push(`$r${i}: ${operation.representationsType}`);
    for (const [name, printed] of operation.otherVariables) {
      if (/^r[0-9]+$/.test(name)) return null;
      const known = variables.get(name);
      if (known !== undefined && known !== printed) return null;
      variables.set(name, printed);
    }
    for (const [name, printed] of operation.fragments) {
      const known = fragments.get(name);
      if (known !== undefined && known !== printed) return null; // same name, different fragment
      fragments.set(name, printed);
    }
    fields.push(`e${i}: _entities(representations: $r${i}) ${operation.selectionSet}`);
  }
  definitions.push(...variables.values());
  return `query ${operationName}(${definitions.join(', ')}) {\n${fields.join('\n')}\n}\n${[...fragments.values()].join('\n')}`;
}

/**
 * Each fetch's response from the merged one: `data.e<i>` becomes that fetch's `data._entities`, and errors at
 * `["e<i>", …]` become its errors at `["_entities", …]`. Errors that belong to no alias (a refused request)
 * go to every fetch, as each would have received them alone.
 */
export function splitMergedResponse(response: GatewayGraphQLResponse, count: number): GatewayGraphQLResponse[] {
  const data = response.data as Record<string, unknown> | null | undefined;
  const perFetch: GatewayGraphQLResponse[] = [];
  for (let i = 0; i < count; i++) {
    const own: GatewayGraphQLResponse = {};
    if (data === null) own.data = null;
    else if (data !== undefined) own.data = { _entities: data[`e${i}`] };
    perFetch.push(own);
  }
  for (const error of response.errors ?? []) {
    const head = error.path?.[0];
    const index = typeof head === 'string' && /^e[0-9]+$/.test(head) ? Number(head.slice(1)) : -1;
    if (index >= 0 && index < count) {
      push(perFetch[index]!, { ...error, path: ['_entities', ...error.path!.slice(1)] });
    } else {
      for (const own of perFetch) push(own, error);
    }
  }
  return perFetch;
}

function push(response: GatewayGraphQLResponse, error: GraphQLFormattedError): void {
  response.errors = [...(response.errors ?? []), error];
}
