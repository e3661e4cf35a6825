/**
 * Limits on the shape of an operation, checked before anything is planned or fetched: how deep it nests, how many
 * fields it selects once its fragments are expanded, how many aliases it uses, and (at parse time) how many tokens
 * its text has. Without them one request could ask a subgraph, or the national platform behind it, for thousands of
 * lookups (a thousand aliases of `citizen`), or make the gateway walk an exponentially expanding fragment tree.
 *
 * The rule is a step of the request pipeline (pipeline/request-pipeline.ts), so it holds for HTTP and graphql-ws alike:
 * an error with `extensions.code` `GRAPHQL_VALIDATION_FAILED` (HTTP 400, or 200 for legacy `application/json`; an
 * `error` message over WebSocket) whose `reason` says which limit, with `limit` and `actual`:
 * - `MAX_DEPTH`, `MAX_FIELDS`, `MAX_ALIASES`: introspection fields count like any other (only `__typename` is free).
 *   One exception for depth: `ofType` inside introspection, a chain of one type reference (`[String!]!` is three
 *   levels) that cannot fan out, so GraphiQL's standard introspection query (15 levels with its `ofType` chain) fits
 *   the default depth;
 * - `MAX_INTROSPECTION_SIZE`: the answer to `__schema` / `__type` would have more entries than allowed
 *   (introspection.ts counts them on the schema before anything runs).
 */
import type { PipelineStep } from '../pipeline/request-pipeline.ts';
import { introspectionAnswerSize } from './introspection.ts';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface OperationLimits {
  /** Deepest field nesting (`{ a { b } }` is 2); GATEWAY_MAX_DEPTH. */
  maxDepth: number;
  /** Field selections once fragments are expanded (a fragment used twice counts twice); GATEWAY_MAX_FIELDS. */
  maxFields: number;
  /** Fields given an alias, expanded likewise; GATEWAY_MAX_ALIASES. */
  maxAliases: number;
  /** Lexical tokens of the operation text, checked by the parser (`parse(…, { maxTokens })`); GATEWAY_MAX_TOKENS. */
  maxTokens: number;
  /**
   * Entries (fields and list items) an introspection answer may have. The standard introspection query of the
   * platform's supergraph needs about 6 000 (125 KB of JSON); the default allows about 1 MB.
   */
  maxIntrospectionSize?: number | undefined;
}

export const DEFAULT_MAX_INTROSPECTION_SIZE = 50_000;

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxFields: 2_000,
  maxAliases: 100,
  maxTokens: 10_000,
  maxIntrospectionSize: DEFAULT_MAX_INTROSPECTION_SIZE,
};

export type OperationLimitReason = 'MAX_DEPTH' | 'MAX_FIELDS' | 'MAX_ALIASES' | 'MAX_INTROSPECTION_SIZE';

/** The pipeline step: the token limit at parse time, the rest in validation (cached with the document). */
export function operationLimitsStep(limits: OperationLimits): PipelineStep {
  return { name: 'limits', parseOptions: { maxTokens: limits.maxTokens }, validationRules: [operationLimitsRule(limits)] };
}

interface Shape {
  depth: number;
  fields: number;
  aliases: number;
}

const NONE: Shape = { depth: 0, fields: 0, aliases: 0 };

/** The measured shape of one operation (exported for tests and diagnostics). */
export function measureOperation(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): Shape {
  // Each fragment is measured once and reused: expansion multiplies counts without walking the tree again, so a
  // fragment spread twice per level for twenty levels costs twenty walks, not a million. A spread that comes back
  // to a fragment being measured (a cycle, which validation reports on its own) counts as nothing.
  // Fragments are measured apart inside and outside introspection (where `ofType` adds no depth).
  const measured = new Map<string, Shape>();
  const measuring = new Set<string>();
  const fragmentShape = (name: string, introspection: boolean): Shape => {
    const key = introspection ? `${name}\u0000introspection` : name;
    const known = measured.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined || measuring.has(key)) return NONE;
    measuring.add(key);
    const shape = selectionShape(fragment.selectionSet, introspection);
    measuring.delete(key);
    measured.set(key, shape);
    return shape;
  };
  const selectionShape = (set: SelectionSetNode, introspection: boolean): Shape => {
    let depth = 0;
    let fields = 0;
    let aliases = 0;
    for (const selection of set.selections) {
      let inner: Shape;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue; // free: answered by the gateway, no fetch
        const within = introspection || name === '__schema' || name === '__type';
        const below = selection.selectionSet === undefined ? NONE : selectionShape(selection.selectionSet, within);
        const levels = introspection && name === 'ofType' ? 0 : 1;
        inner = { depth: below.depth + levels, fields: below.fields + 1, aliases: below.aliases + (selection.alias === undefined ? 0 : 1) };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = selectionShape(selection.selectionSet, introspection);
      } else {
        inner = fragmentShape(selection.name.value, introspection);
      }
      depth = Math.max(depth, inner.depth);
      fields += inner.fields;
      aliases += inner.aliases;
    }
    return { depth, fields, aliases };
  };
  return selectionShape(operation.selectionSet, false);
}

/** The validation rule enforcing `limits` on every operation of a document. */
export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const shape = measureOperation(definition, fragments);
        const name = definition.name === undefined ? 'The operation' : `Operation ${definition.name.value}`;
        const exceeded: Array<[OperationLimitReason, number, number, string]> = [
          ['MAX_DEPTH', limits.maxDepth, shape.depth, `nests fields ${shape.depth} deep; at most ${limits.maxDepth} are allowed`],
          ['MAX_FIELDS', limits.maxFields, shape.fields, `selects ${shape.fields} fields (fragments expanded); at most ${limits.maxFields} are allowed`],
          [
            'MAX_ALIASES',
            limits.maxAliases,
            shape.aliases,
            `uses ${shape.aliases} aliases; at most ${limits.maxAliases} are allowed: ask for a list (e.g. requestExchanges) instead`,
          ],
        ];
        let refused = false;
        for (const [reason, limit, actual, message] of exceeded) {
          if (actual <= limit) continue;
          refused = true;
          context.reportError(new GraphQLError(`${name} ${message}`, { nodes: [definition], extensions: { reason, limit, actual } }));
        }
        // Counted on the schema only for an operation within the shape limits (they bound what counting costs).
        if (refused) continue;
        const maxSize = limits.maxIntrospectionSize ?? DEFAULT_MAX_INTROSPECTION_SIZE;
        const size = introspectionAnswerSize(context.getSchema(), definition, fragments, maxSize);
        if (size > maxSize) {
          const message = `${name} asks introspection for an answer of more than ${maxSize} entries; ask for less (e.g. one type with __type(name:))`;
          context.reportError(new GraphQLError(message, { nodes: [definition], extensions: { reason: 'MAX_INTROSPECTION_SIZE', limit: maxSize } }));
        }
      }
      return false; // measured whole: nothing below needs visiting
    },
  });
}
