/**
 * What an operation touches, for its audit record, worked out once per operation (by query hash) and kept:
 *
 * - `fields`: the schema coordinates (`Citizen.fullName`) the operation selects, walking its selection sets and
 *   fragments against the API schema; given the operation authorization let through, these are the fields selected
 *   and allowed;
 * - `personalFields`: those covered by a `@policy` (on the field, on its parent type, or on the type it returns, as
 *   authorization reads them, authorization/metadata.ts) whose field set is declared `personalData` in GRANTS_FILE;
 *   an undeclared policy counts as personal data, as the policy decider treats it; a coordinate without any policy is
 *   not personal; `self-access` is no field set and says nothing of the data (it is who may read it, an alternative to
 *   the agency field sets beside it), so it is left out;
 * - `fieldSetProviders`: the `provider` agencies of those field sets, by service;
 * - where data subjects are named: arguments (subjects.ts' SUBJECT_ARGUMENTS) and response leaves
 *   (SUBJECT_FIELDS), as a small tree of response keys walked over each response (only the branches that lead to a
 *   subject field; an operation without one costs nothing per response).
 */
import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { SubjectKind } from '@lgsp/audit';
import type { FieldSet } from '@lgsp/access';
import type { AuthorizationSchema, Requirement } from '../authorization/metadata.ts';
import { pickOperation } from '../authorization/rewrite.ts';
import { SELF_ACCESS_POLICY } from '../authorization/self-access.ts';
import { subjectArgument, subjectField } from './subjects.ts';

/** Where subjects sit in a response: response key → a subject leaf, a subtree, or both (merged fragments). */
export interface SubjectPlan {
  [responseKey: string]: { kind?: SubjectKind; children?: SubjectPlan };
}

export interface OperationAnalysis {
  fields: string[];
  personalFields: string[];
  /** Provider agencies of the field sets of `fields`, keyed by the service the policy belongs to (`national-data`). */
  fieldSetProviders: Map<string, string[]>;
  /** Arguments that name subjects: literal values, or variables read per request. */
  argumentSubjects: Array<{ kind: SubjectKind; value: ValueNode }>;
  /** Undefined when no response field names a subject. */
  responsePlan: SubjectPlan | undefined;
}

export interface AnalysisContext {
  schema: GraphQLSchema;
  authz: AuthorizationSchema;
  fieldSets: ReadonlyMap<string, FieldSet>;
}

const EMPTY: OperationAnalysis = { fields: [], personalFields: [], fieldSetProviders: new Map(), argumentSubjects: [], responsePlan: undefined };

export function analyseOperation(context: AnalysisContext, document: DocumentNode, operationName: string | null | undefined): OperationAnalysis {
  const operation = pickOperation(document, operationName);
  if (operation === undefined) return EMPTY;
  const { schema, authz, fieldSets } = context;
  const root =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (root === null || root === undefined) return EMPTY;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const fields = new Set<string>();
  const argumentSubjects: OperationAnalysis['argumentSubjects'] = [];

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, into: SubjectPlan): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value);
        if (type !== undefined && isCompositeType(type)) walk(selection.selectionSet, type, into);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const definition = fragments.get(selection.name.value);
        const type = definition === undefined ? undefined : schema.getType(definition.typeCondition.name.value);
        if (definition !== undefined && type !== undefined && isCompositeType(type)) walk(definition.selectionSet, type, into);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue; // __typename, introspection: answered by the gateway, no data read
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const definition = parent.getFields()[name];
      if (definition === undefined) continue;
      fields.add(`${parent.name}.${name}`);
      const returned = getNamedType(definition.type);
      for (const argument of selection.arguments ?? []) {
        const kind = subjectArgument(argument.name.value, returned.name);
        if (kind !== undefined) argumentSubjects.push({ kind, value: argument.value });
      }
      const key = selection.alias?.value ?? name;
      if (selection.selectionSet !== undefined && isCompositeType(returned)) {
        const children: SubjectPlan = {};
        walk(selection.selectionSet, returned, children);
        if (Object.keys(children).length > 0) {
          const node = (into[key] ??= {});
          node.children = mergePlans(node.children, children);
        }
      } else {
        const kind = subjectField(parent.name, name);
        if (kind !== undefined) (into[key] ??= {}).kind = kind;
      }
    }
  };
  const plan: SubjectPlan = {};
  walk(operation.selectionSet, root, plan);

  const personalFields: string[] = [];
  const fieldSetProviders = new Map<string, string[]>();
  for (const coordinate of fields) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const policies = new Set<string>([...policyNames(authz.selectionRequirement(typeName, fieldName)), ...policyNames(authz.typeRequirement(typeName))]);
    let personal = false;
    policies.delete(SELF_ACCESS_POLICY);
    for (const policy of policies) {
      const declared = fieldSets.get(policy);
      if (declared?.personalData ?? true) personal = true;
      if (declared === undefined) continue;
      const service = policy.slice(0, policy.indexOf('.'));
      const providers = fieldSetProviders.get(service) ?? [];
      if (!providers.includes(declared.provider)) providers.push(declared.provider);
      fieldSetProviders.set(service, providers);
    }
    if (personal) personalFields.push(coordinate);
  }
  return {
    fields: [...fields],
    personalFields,
    fieldSetProviders,
    argumentSubjects,
    responsePlan: Object.keys(plan).length > 0 ? plan : undefined,
  };
}

function policyNames(requirement: Requirement | undefined): string[] {
  return requirement === undefined ? [] : requirement.policies.flat(2);
}

function mergePlans(a: SubjectPlan | undefined, b: SubjectPlan): SubjectPlan {
  if (a === undefined) return b;
  for (const [key, node] of Object.entries(b)) {
    const existing = a[key];
    if (existing === undefined) a[key] = node;
    else {
      if (node.kind !== undefined) existing.kind = node.kind;
      if (node.children !== undefined) existing.children = mergePlans(existing.children, node.children);
    }
  }
  return a;
}
