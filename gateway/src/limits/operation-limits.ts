/**
 * Limits on the shape of an operation, checked before anything is planned or fetched: how deep it nests, how many
 * fields it selects once its fragments are expanded, how many aliases it uses, and (at parse time) how many tokens
 * its text has. Without them one request could ask a subgraph, or the national platform behind it, for thousands of
 * lookups (a thousand aliases of `citizen`), or make the gateway walk an exponentially expanding fragment tree.
 *
 * Over HTTP the rule runs with Apollo Server's validation (an error with `extensions.code`
 * `GRAPHQL_VALIDATION_FAILED`, HTTP 400); over graphql-ws with the subscription's own validation. Each error carries
 * `reason` (`MAX_DEPTH`, `MAX_FIELDS`, `MAX_ALIASES`), `limit` and `actual`. Introspection (`__schema`, `__type`) is
 * not counted: its standard query nests deeper than any data query, and production turns it off.
 */
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

export interface OperationLimits {
  /** Deepest field nesting (`{ a { b } }` is 2); GATEWAY_MAX_DEPTH. */
  maxDepth: number;
  /** Field selections once fragments are expanded (a fragment used twice counts twice); GATEWAY_MAX_FIELDS. */
  maxFields: number;
  /** Fields given an alias, expanded likewise; GATEWAY_MAX_ALIASES. */
  maxAliases: number;
  /** Lexical tokens of the operation text, checked by the parser (`parse(…, { maxTokens })`); GATEWAY_MAX_TOKENS. */
  maxTokens: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = { maxDepth: 12, maxFields: 2_000, maxAliases: 100, maxTokens: 10_000 };

export type OperationLimitReason = 'MAX_DEPTH' | 'MAX_FIELDS' | 'MAX_ALIASES';

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
  const measured = new Map<string, Shape>();
  const measuring = new Set<string>();
  const fragmentShape = (name: string): Shape => {
    const known = measured.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined || measuring.has(name)) return NONE;
    measuring.add(name);
    const shape = selectionShape(fragment.selectionSet);
    measuring.delete(name);
    measured.set(name, shape);
    return shape;
  };
  const selectionShape = (set: SelectionSetNode): Shape => {
    let depth = 0;
    let fields = 0;
    let aliases = 0;
    for (const selection of set.selections) {
      let inner: Shape;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue; // introspection, and __typename (free, no fetch)
        const below = selection.selectionSet === undefined ? NONE : selectionShape(selection.selectionSet);
        inner = { depth: below.depth + 1, fields: below.fields + 1, aliases: below.aliases + (selection.alias === undefined ? 0 : 1) };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = selectionShape(selection.selectionSet);
      } else {
        inner = fragmentShape(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      fields += inner.fields;
      aliases += inner.aliases;
    }
    return { depth, fields, aliases };
  };
  return selectionShape(operation.selectionSet);
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
          ['MAX_ALIASES', limits.maxAliases, shape.aliases, `uses ${shape.aliases} aliases; at most ${limits.maxAliases} are allowed: ask for a list (e.g. requestExchanges) instead`],
        ];
        for (const [reason, limit, actual, message] of exceeded) {
          if (actual > limit) context.reportError(new GraphQLError(`${name} ${message}`, { nodes: [definition], extensions: { reason, limit, actual } }));
        }
      }
      return false; // measured whole: nothing below needs visiting
    },
  });
}
