/**
 * Completes a response planned from a rewritten operation so that it has the shape of the operation the caller
 * sent: every removed field is null, and a null where the schema says non-null propagates to the nearest nullable
 * parent (GraphQL's usual null bubbling). Done by executing the original operation over the data with graphql-js,
 * reading each field by its response key, so fragments, aliases, @skip/@include and lists behave exactly as in
 * execution. Only runs when something was removed.
 */
import { executeSync, GraphQLError, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import { TYPENAME_ALIAS } from './rewrite.ts';

type Data = Record<string, unknown>;

const readByResponseKey: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
  if (source === null || typeof source !== 'object') return null;
  const value = (source as Data)[info.path.key as string];
  return value === undefined ? null : value;
};

const typeOfValue: GraphQLTypeResolver<unknown, unknown> = (value) => {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Data;
  return (v[TYPENAME_ALIAS] ?? v.__typename) as string | undefined;
};

export function completeData(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  data: Data | null | undefined,
): Data | null {
  const result = executeSync({
    schema,
    document,
    operationName: operationName ?? undefined,
    variableValues: variables ?? {},
    rootValue: data ?? {},
    fieldResolver: readByResponseKey,
    typeResolver: typeOfValue,
  });
  // Its errors are the non-null violations the removals cause: the authorization errors already explain them.
  if (result.errors !== undefined && result.data === undefined) throw new GraphQLError(`cannot complete the response: ${result.errors[0]?.message}`);
  return (result.data ?? null) as Data | null;
}
