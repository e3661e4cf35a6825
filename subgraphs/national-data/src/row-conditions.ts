/**
 * Row-level conditions of grants, enforced here per record. The gateway decides field access before planning; what
 * depends on the record itself (e.g. "the commune reads date of birth, addresses and household only of the citizens
 * who live in its ward") arrives in the caller's principal as `rowConditions` (policy → conditions, any of which
 * admits a record), and every field under such a policy checks the record it belongs to. A record outside the
 * conditions gets null for those fields with an `UNAUTHORIZED_FIELD_OR_TYPE` error at each path; its other fields
 * are served.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode, LgspError, type BaseContext, type RowCondition } from '@lgsp/kit';
import { defaultFieldResolver, Kind, type ConstDirectiveNode, type DocumentNode, type GraphQLFieldResolver } from 'graphql';
import type { Citizen } from './domain/citizen.ts';

/** How a condition is checked on a record of each type; a type not listed here cannot satisfy any condition. */
const RECORD_CHECKS: Record<string, (record: unknown, condition: RowCondition) => boolean> = {
  Citizen: (record, condition) => {
    const citizen = record as Citizen;
    // Every clause of one condition must hold; unknown clauses fail closed.
    return Object.entries(condition).every(([clause, value]) => {
      if (clause === 'residentOfWard') return citizen.permanentAddress?.wardCode === value || citizen.currentAddress?.wardCode === value;
      return false;
    });
  },
};

function policiesOf(directives: readonly ConstDirectiveNode[] | undefined): string[] {
  const names: string[] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'policy') continue;
    const value = directive.arguments?.find((a) => a.name.value === 'policies')?.value;
    if (value?.kind !== Kind.LIST) continue;
    for (const group of value.values) if (group.kind === Kind.LIST) for (const item of group.values) if (item.kind === Kind.STRING) names.push(item.value);
  }
  return names;
}

/** Whether the record meets the caller's row conditions for these policies (true when none apply). */
export function admits(typeName: string, record: unknown, policies: string[], rowConditions: Record<string, RowCondition[]> | undefined): string | undefined {
  if (rowConditions === undefined) return undefined;
  for (const policy of policies) {
    const conditions = rowConditions[policy];
    if (conditions === undefined) continue;
    const check = RECORD_CHECKS[typeName];
    if (check === undefined || !conditions.some((c) => check(record, c))) return policy;
  }
  return undefined;
}

/**
 * Wraps the resolvers of every field that a `@policy` (on the field or its type) covers, for the types that have a
 * record check, so that the caller's row conditions are enforced per record.
 */
export function withRowConditions<TContext extends BaseContext>(typeDefs: DocumentNode, resolvers: GraphQLResolverMap<TContext>): GraphQLResolverMap<TContext> {
  const wrapped: GraphQLResolverMap<TContext> = { ...resolvers };
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    if (RECORD_CHECKS[typeName] === undefined) continue;
    const typePolicies = policiesOf(definition.directives);
    const fieldResolvers = { ...((resolvers[typeName] as Record<string, unknown> | undefined) ?? {}) };
    for (const field of definition.fields ?? []) {
      const policies = [...typePolicies, ...policiesOf(field.directives)];
      if (policies.length === 0) continue;
      const original = (fieldResolvers[field.name.value] as GraphQLFieldResolver<unknown, TContext> | undefined) ?? defaultFieldResolver;
      fieldResolvers[field.name.value] = (
        parent: unknown,
        args: Record<string, unknown>,
        context: TContext,
        info: Parameters<GraphQLFieldResolver<unknown, TContext>>[3],
      ) => {
        const refused = admits(typeName, parent, policies, context.principal.rowConditions);
        if (refused !== undefined) {
          throw new LgspError(ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE, `This record is outside what your agency's grant for ${refused} covers`);
        }
        return original(parent, args, context, info);
      };
    }
    wrapped[typeName] = fieldResolvers as GraphQLResolverMap<TContext>[string];
  }
  return wrapped;
}
