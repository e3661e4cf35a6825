/**
 * The operation rewrite, before query planning: every selection the caller may not read is removed, and each
 * removal is reported with its path (response keys; `... on Type` for a type condition) and a code. What remains
 * is planned and executed as usual, so a subgraph fetch that would be wholly unauthorized is never planned.
 *
 * A field whose sub-selections are all removed is removed too (its own path gets no error; the children's do), so
 * no subgraph is called for an object the caller could read nothing of.
 */
import { ErrorCode } from '@lgsp/kit';
import {
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AuthorizationSchema, Requirement } from './metadata.ts';

export type DenialCode = typeof ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE | typeof ErrorCode.PURPOSE_REQUIRED;

/** What the caller holds, as far as the directives ask. */
export interface Access {
  authenticated: boolean;
  scopes: ReadonlySet<string>;
  /** A policy's decision: granted, or the code to report. */
  policy(name: string): { granted: true } | { granted: false; code: DenialCode };
}

export interface Denial {
  /** Response keys from the root; `... on Type` where a type condition was removed. */
  path: string[];
  code: DenialCode;
  /** The unmet parts of the closest alternative: `authenticated`, `scope:<s>`, `policy:<p>`. */
  missing: string[];
}

export interface RewriteResult {
  /** The operation to plan: the input document itself when nothing was removed. */
  document: DocumentNode;
  denials: Denial[];
  /** Whether anything was removed. */
  changed: boolean;
  /** Nothing of the operation is left to execute. */
  empty: boolean;
  /** The granted policies the remaining operation relies on (their grants' row conditions travel to subgraphs). */
  policiesUsed: Set<string>;
}

/** Alias of the `__typename` added under abstract types when a removal happened (to complete the response). */
export const TYPENAME_ALIAS = 'lgspTypename__';

export function authorizeOperation(
  authz: AuthorizationSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  access: Access,
): RewriteResult {
  const operation = pickOperation(document, operationName);
  const policiesUsed = new Set<string>();
  if (operation === undefined) return { document, denials: [], changed: false, empty: false, policiesUsed };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const schema = authz.schema;
  const check = (requirement: Requirement | undefined): { ok: true } | { ok: false; code: DenialCode; missing: string[] } => {
    if (requirement === undefined) return { ok: true };
    const result = evaluate(requirement, access, policiesUsed);
    return result;
  };

  interface Rewritten {
    selections: SelectionNode[];
    changed: boolean;
  }
  const rewrittenFragments = new Map<string, { result: Rewritten; denials: Denial[] }>();

  const rewriteFragment = (name: string) => {
    let entry = rewrittenFragments.get(name);
    if (entry !== undefined) return entry;
    const definition = fragments.get(name)!;
    const denials: Denial[] = [];
    const type = schema.getType(definition.typeCondition.name.value) as GraphQLCompositeType;
    entry = { result: rewriteSet(definition.selectionSet, type, [], denials), denials };
    rewrittenFragments.set(name, entry);
    return entry;
  };

  const typeConditionDenied = (typeName: string, parent: GraphQLNamedType, path: string[], denials: Denial[]): boolean => {
    if (typeName === parent.name) return false;
    const type = schema.getType(typeName);
    if (type === undefined || isAbstractType(type)) return false; // its fields are checked where selected
    const verdict = check(authz.typeRequirement(typeName));
    if (verdict.ok) return false;
    denials.push({ path: [...path, `... on ${typeName}`], code: verdict.code, missing: verdict.missing });
    return true;
  };

  function rewriteSet(set: SelectionSetNode, parent: GraphQLCompositeType, path: string[], denials: Denial[]): Rewritten {
    const selections: SelectionNode[] = [];
    let changed = false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) {
          selections.push(selection);
          continue;
        }
        const key = selection.alias?.value ?? name;
        const fieldPath = [...path, key];
        const verdict = check(authz.selectionRequirement(parent.name, name));
        if (!verdict.ok) {
          denials.push({ path: fieldPath, code: verdict.code, missing: verdict.missing });
          changed = true;
          continue;
        }
        if (selection.selectionSet === undefined) {
          selections.push(selection);
          continue;
        }
        const fieldDef = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (fieldDef === undefined) {
          selections.push(selection);
          continue;
        }
        const child = rewriteSet(selection.selectionSet, namedType(fieldDef.type) as GraphQLCompositeType, fieldPath, denials);
        if (!child.changed) selections.push(selection);
        else {
          changed = true;
          if (child.selections.length > 0)
            selections.push({ ...selection, selectionSet: { ...selection.selectionSet, selections: child.selections } } as FieldNode);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value ?? parent.name;
        if (typeConditionDenied(typeName, parent, path, denials)) {
          changed = true;
          continue;
        }
        const child = rewriteSet(selection.selectionSet, schema.getType(typeName) as GraphQLCompositeType, path, denials);
        if (!child.changed) selections.push(selection);
        else {
          changed = true;
          if (child.selections.length > 0) selections.push({ ...selection, selectionSet: { ...selection.selectionSet, selections: child.selections } });
        }
      } else {
        const definition = fragments.get(selection.name.value);
        if (definition === undefined) {
          selections.push(selection);
          continue;
        }
        if (typeConditionDenied(definition.typeCondition.name.value, parent, path, denials)) {
          changed = true;
          continue;
        }
        const { result, denials: inner } = rewriteFragment(selection.name.value);
        for (const d of inner) denials.push({ ...d, path: [...path, ...d.path] });
        if (result.changed) changed = true;
        if (result.selections.length > 0) selections.push(selection);
      }
    }
    if (changed && selections.length > 0 && isAbstractType(parent) && !selections.some(isTypenameAlias)) {
      selections.push({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: TYPENAME_ALIAS }, name: { kind: Kind.NAME, value: '__typename' } });
    }
    return { selections, changed };
  }

  const root = rootType(authz, operation);
  const denials: Denial[] = [];
  let rootResult: Rewritten;
  const rootVerdict = root === undefined ? ({ ok: true } as const) : check(authz.typeRequirement(root.name));
  if (root === undefined) return { document, denials: [], changed: false, empty: false, policiesUsed };
  if (!rootVerdict.ok) {
    // A directive on the root type itself: every root field is denied.
    rootResult = { selections: [], changed: true };
    for (const s of operation.selectionSet.selections) {
      if (s.kind === Kind.FIELD && !s.name.value.startsWith('__'))
        denials.push({ path: [s.alias?.value ?? s.name.value], code: rootVerdict.code, missing: rootVerdict.missing });
    }
  } else {
    rootResult = rewriteSet(operation.selectionSet, root, [], denials);
  }
  const unique = dedupe(denials);
  if (!rootResult.changed) return { document, denials: unique, changed: false, empty: false, policiesUsed };

  const newOperation: OperationDefinitionNode = { ...operation, selectionSet: { ...operation.selectionSet, selections: rootResult.selections } };
  const empty = rootResult.selections.length === 0;
  // Keep only the fragments still reachable, in their rewritten form, and the variables still used.
  const used = new Set<string>();
  const collect = (set: SelectionSetNode) =>
    visit(set, {
      FragmentSpread(node) {
        if (used.has(node.name.value)) return;
        used.add(node.name.value);
        const rewritten = rewrittenFragments.get(node.name.value);
        const original = fragments.get(node.name.value);
        if (rewritten !== undefined) collect({ kind: Kind.SELECTION_SET, selections: rewritten.result.selections });
        else if (original !== undefined) collect(original.selectionSet);
      },
    });
  collect(newOperation.selectionSet);
  const fragmentDefinitions: FragmentDefinitionNode[] = [];
  for (const name of used) {
    const original = fragments.get(name);
    if (original === undefined) continue;
    const rewritten = rewrittenFragments.get(name);
    fragmentDefinitions.push(
      rewritten === undefined || !rewritten.result.changed
        ? original
        : { ...original, selectionSet: { ...original.selectionSet, selections: rewritten.result.selections } },
    );
  }
  const variables = new Set<string>();
  const collectVariables = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node.selectionSet, {
      Variable(v) {
        variables.add(v.name.value);
      },
    });
  collectVariables(newOperation);
  fragmentDefinitions.forEach(collectVariables);
  // Variables used by the operation's own directives (@skip on the operation is invalid, but keep it general).
  for (const d of operation.directives ?? []) visit(d, { Variable: (v) => void variables.add(v.name.value) });
  const pruned: OperationDefinitionNode = {
    ...newOperation,
    variableDefinitions: operation.variableDefinitions?.filter((v) => variables.has(v.variable.name.value)),
  };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [pruned, ...fragmentDefinitions] },
    denials: unique,
    changed: true,
    empty,
    policiesUsed,
  };
}

function isTypenameAlias(s: SelectionNode): boolean {
  return s.kind === Kind.FIELD && s.alias?.value === TYPENAME_ALIAS;
}

function namedType(type: unknown): GraphQLNamedType {
  let current = type as { ofType?: unknown };
  while (current.ofType !== undefined) current = current.ofType as { ofType?: unknown };
  return current as GraphQLNamedType;
}

export function pickOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName !== undefined && operationName !== null) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function rootType(authz: AuthorizationSchema, operation: OperationDefinitionNode): GraphQLCompositeType | undefined {
  const schema = authz.schema;
  return (
    (operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType()) ??
    undefined
  );
}

function dedupe(denials: Denial[]): Denial[] {
  const seen = new Set<string>();
  return denials.filter((d) => {
    const key = JSON.stringify([d.path, d.code]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Evaluates a requirement. When it fails, the code is `PURPOSE_REQUIRED` if declaring a purpose is all that
 * one alternative lacks, else `UNAUTHORIZED_FIELD_OR_TYPE`; `missing` lists what the closest alternative lacks.
 */
export function evaluate(
  requirement: Requirement,
  access: Access,
  policiesUsed?: Set<string>,
): { ok: true } | { ok: false; code: DenialCode; missing: string[] } {
  const missing: string[] = [];
  let purposeOnly = true;
  if (requirement.authenticated && !access.authenticated) {
    missing.push('authenticated');
    purposeOnly = false;
  }
  for (const alternatives of requirement.scopes) {
    if (alternatives.some((group) => group.every((s) => access.scopes.has(s)))) continue;
    const closest = alternatives[0] ?? [];
    missing.push(...closest.filter((s) => !access.scopes.has(s)).map((s) => `scope:${s}`));
    purposeOnly = false;
  }
  const granted: string[] = [];
  for (const alternatives of requirement.policies) {
    const decided = alternatives.map((group) => group.map((p) => ({ p, d: access.policy(p) })));
    const passing = decided.find((group) => group.every((x) => x.d.granted));
    if (passing !== undefined) {
      granted.push(...passing.map((x) => x.p));
      continue;
    }
    // Closest alternative: one that only lacks a purpose, if any.
    const purposeGroup = decided.find((group) => group.every((x) => x.d.granted || x.d.code === ErrorCode.PURPOSE_REQUIRED));
    const closest = purposeGroup ?? decided[0] ?? [];
    if (purposeGroup === undefined) purposeOnly = false;
    missing.push(...closest.filter((x) => !x.d.granted).map((x) => `policy:${x.p}`));
  }
  if (missing.length === 0) {
    for (const p of granted) policiesUsed?.add(p);
    return { ok: true };
  }
  return { ok: false, code: purposeOnly ? ErrorCode.PURPOSE_REQUIRED : ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE, missing: [...new Set(missing)] };
}
