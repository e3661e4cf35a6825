/**
 * Introspection is data like any other: it is counted by the operation limits (operation-limits.ts) and the size of
 * its answer is bounded before it runs. Without that bound, one request such as
 * `{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }` makes the gateway build an
 * answer of tens of megabytes while every other caller waits.
 *
 * The size is counted on the schema itself, as graphql-js would resolve the selection (its own introspection
 * resolvers give the values): every field of the answer and every list item is one entry. The count stops as soon
 * as it passes the limit, so measuring a hostile request costs no more than the limit. It runs in validation, so
 * its verdict is cached with the document. Deprecated members are counted too (an upper bound).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  GraphQLObjectType,
  isListType,
  isNonNullType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  __Schema,
  __Type,
} from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { PipelineStep } from '../pipeline/request-pipeline.ts';

class OverLimit extends Error {}

/**
 * Entries the introspection fields of `operation` would answer with, counted up to `limit + 1` (more is not
 * needed to refuse it). Operations without `__schema` or `__type` measure 0.
 */
export function introspectionAnswerSize(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  limit: number,
): number {
  let size = 0;
  const info = { schema };
  const add = (n: number) => {
    size += n;
    if (size > limit) throw new OverLimit();
  };
  // Every selection of `set` on `value` (of introspection type `type`), fragments expanded.
  const walk = (value: unknown, type: GraphQLObjectType, set: SelectionSetNode, seen: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(value, type, selection.selectionSet, seen);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment !== undefined && !seen.has(fragment.name.value)) walk(value, type, fragment.selectionSet, new Set([...seen, fragment.name.value]));
      } else {
        add(1);
        const field = type.getFields()[selection.name.value];
        if (field === undefined || selection.selectionSet === undefined) continue; // __typename, a leaf, or invalid (validation says)
        // Deprecated members included: an upper bound whatever the argument says.
        const resolved = (field as GraphQLField<unknown, unknown>).resolve!(value, { includeDeprecated: true }, undefined, info as never);
        answer(resolved, field.type, selection.selectionSet, seen);
      }
    }
  };
  const answer = (value: unknown, type: GraphQLOutputType, set: SelectionSetNode, seen: ReadonlySet<string>): void => {
    if (value === null || value === undefined) return;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      for (const item of value as Iterable<unknown>) {
        add(1);
        answer(item, inner.ofType as GraphQLOutputType, set, seen);
      }
      return;
    }
    const named = getNamedType(inner);
    if (named instanceof GraphQLObjectType) walk(value, named, set, seen);
  };
  // The root: `__schema` and `__type(name:)`, wherever fragments put them.
  const root = (set: SelectionSetNode, seen: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) root(selection.selectionSet, seen);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment !== undefined && !seen.has(fragment.name.value)) root(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      } else if (selection.selectionSet !== undefined && selection.name.value === '__schema') {
        add(1);
        walk(schema, __Schema, selection.selectionSet, seen);
      } else if (selection.selectionSet !== undefined && selection.name.value === '__type') {
        add(1);
        const name = selection.arguments?.find((a) => a.name.value === 'name')?.value;
        // A literal name is one type; a variable may name any, so every type counts (what `__schema { types }` costs).
        const types = name?.kind === Kind.STRING ? [schema.getType(name.value)] : Object.values(schema.getTypeMap());
        for (const type of types) if (type !== undefined && type !== null) walk(type, __Type, selection.selectionSet, seen);
      }
    }
  };
  try {
    root(operation.selectionSet, new Set());
  } catch (error) {
    if (error instanceof OverLimit) return size;
    throw error;
  }
  return size;
}

/**
 * The pipeline step deciding what introspection reveals. With introspection on, everything; with it off (production),
 * nothing: `__schema` and `__type` are refused (Apollo Server's rule, from `introspection: false`) and error messages
 * lose graphql-js' "Did you mean …?" suggestions, which name fields, types, arguments and enum values. They come from
 * validation and from variable coercion (at execution), so they are stripped from every error of the answer.
 */
export function introspectionStep(introspection: boolean): PipelineStep {
  return { name: 'introspection', ...(introspection ? {} : { plugin: withoutSchemaSuggestions() }) };
}

const SUGGESTION = / ?Did you mean .+\?$/s;

/** Removes "Did you mean …?" from a message (graphql-js ends its messages with it). */
export function withoutSuggestion(message: string): string {
  return message.includes('Did you mean') ? message.replace(SUGGESTION, '') : message;
}

function withoutSchemaSuggestions(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            const message = withoutSuggestion(error.message);
            if (message !== error.message) (error as { message: string }).message = message;
          }
        },
      };
    },
  };
}
