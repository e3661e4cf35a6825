/**
 * The authorization metadata of a composed supergraph: which fields and types carry `@authenticated`,
 * `@requiresScopes` and `@policy`, read from the ORIGINAL composed SDL (`LoadedSupergraph.document`; Apollo
 * Gateway itself cannot load those features, docs/findings.md #1), with the names their `@link`s give them.
 *
 * Semantics (as Apollo Router's): a directive on a type applies to every field returning that type; a field selected
 * on an interface needs what the interface field, every implementation's field and every implementation type need
 * (composition also copies implementations' type directives onto the interface); a type condition needs its type. Requirements combine with AND; inside `scopes`/`policies`, the outer list is OR and
 * the inner lists are AND.
 */
import {
  buildASTSchema,
  isAbstractType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/** One directive's condition: OR over the outer list, AND over each inner list. */
export type Alternatives = string[][];

/** Everything a field (with its type) requires; every part must hold. */
export interface Requirement {
  authenticated: boolean;
  /** Each entry is one `@requiresScopes(scopes:)`; all must hold. */
  scopes: Alternatives[];
  /** Each entry is one `@policy(policies:)`; all must hold. */
  policies: Alternatives[];
}

export interface AuthorizationSchema {
  /** A graphql-js schema built from the supergraph (types and fields as composed). */
  schema: GraphQLSchema;
  /** What a field needs by itself (without its return type), on the type that declares it. */
  fieldRequirement(typeName: string, fieldName: string): Requirement | undefined;
  /** What reaching a value of this type needs (abstract types: every possible type). */
  typeRequirement(typeName: string): Requirement | undefined;
  /** What selecting `fieldName` on `parentType` needs: the field on the parent, on every implementation, and its return type. */
  selectionRequirement(parentType: string, fieldName: string): Requirement | undefined;
  /** Every policy name the schema uses. */
  policies: ReadonlySet<string>;
}

const SPECS = { authenticated: 'authenticated', requiresScopes: 'requiresScopes', policy: 'policy' } as const;

const compiled = new WeakMap<DocumentNode, AuthorizationSchema>();

/** Compiles (once per document) the authorization metadata of a supergraph. */
export function compileAuthorization(document: DocumentNode): AuthorizationSchema {
  const cached = compiled.get(document);
  if (cached !== undefined) return cached;
  const result = compile(document);
  compiled.set(document, result);
  return result;
}

function compile(document: DocumentNode): AuthorizationSchema {
  const names = directiveNames(document);
  const schema = buildASTSchema(document, { assumeValidSDL: true });
  const policies = new Set<string>();
  const ownTypeRules = new Map<string, Requirement>();
  const ownFieldRules = new Map<string, Requirement>();

  const requirementOf = (directives: readonly ConstDirectiveNode[] | undefined): Requirement | undefined => {
    const requirement: Requirement = { authenticated: false, scopes: [], policies: [] };
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name === names.authenticated) requirement.authenticated = true;
      else if (name === names.requiresScopes) requirement.scopes.push(alternatives(directive, 'scopes'));
      else if (name === names.policy) {
        const alts = alternatives(directive, 'policies');
        for (const group of alts) for (const policy of group) policies.add(policy);
        requirement.policies.push(alts);
      }
    }
    return isEmpty(requirement) ? undefined : requirement;
  };

  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const rule = requirementOf(type.astNode?.directives);
    if (rule !== undefined) ownTypeRules.set(type.name, rule);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const fieldRule = requirementOf(field.astNode?.directives);
        if (fieldRule !== undefined) ownFieldRules.set(`${type.name}.${field.name}`, fieldRule);
      }
    }
  }

  const typeRules = new Map<string, Requirement | undefined>();
  const typeRequirement = (typeName: string): Requirement | undefined => {
    if (typeRules.has(typeName)) return typeRules.get(typeName);
    const type = schema.getType(typeName);
    let rule = ownTypeRules.get(typeName);
    if (type !== undefined && isAbstractType(type)) {
      for (const possible of schema.getPossibleTypes(type)) rule = merge(rule, ownTypeRules.get(possible.name));
    }
    typeRules.set(typeName, rule);
    return rule;
  };

  const selectionRules = new Map<string, Requirement | undefined>();
  const selectionRequirement = (parentType: string, fieldName: string): Requirement | undefined => {
    const key = `${parentType}.${fieldName}`;
    if (selectionRules.has(key)) return selectionRules.get(key);
    const parent = schema.getType(parentType);
    let rule = ownFieldRules.get(key);
    if (parent !== undefined && isAbstractType(parent)) {
      // Selected on an interface: the value may be of any implementation, so each one's type and field rules apply.
      rule = merge(rule, typeRequirement(parentType));
      for (const possible of schema.getPossibleTypes(parent)) rule = merge(rule, ownFieldRules.get(`${possible.name}.${fieldName}`));
    }
    const field = parent !== undefined && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[fieldName] : undefined;
    if (field !== undefined) {
      const returned = namedTypeOf(field.type);
      // An abstract return type is checked where its fields and type conditions are selected (as Apollo Router
      // does), so `... on PublicDoc` stays readable when `... on SealedDoc` is not.
      if (!isAbstractType(returned)) rule = merge(rule, typeRequirement(returned.name));
    }
    selectionRules.set(key, rule);
    return rule;
  };

  return {
    schema,
    fieldRequirement: (typeName, fieldName) => ownFieldRules.get(`${typeName}.${fieldName}`),
    typeRequirement,
    selectionRequirement,
    policies,
  };
}

function namedTypeOf(type: { ofType?: unknown } & object): GraphQLNamedType {
  let current = type as { ofType?: unknown };
  while (current.ofType !== undefined) current = current.ofType as { ofType?: unknown };
  return current as GraphQLNamedType;
}

function merge(a: Requirement | undefined, b: Requirement | undefined): Requirement | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { authenticated: a.authenticated || b.authenticated, scopes: [...a.scopes, ...b.scopes], policies: [...a.policies, ...b.policies] };
}

function isEmpty(r: Requirement): boolean {
  return !r.authenticated && r.scopes.length === 0 && r.policies.length === 0;
}

function alternatives(directive: ConstDirectiveNode, argument: string): Alternatives {
  const value = directive.arguments?.find((a) => a.name.value === argument)?.value;
  const list = (v: ConstValueNode | undefined): ConstValueNode[] => (v === undefined ? [] : v.kind === Kind.LIST ? [...v.values] : [v]);
  return list(value).map((inner) => list(inner).flatMap((item) => (item.kind === Kind.STRING ? [item.value] : [])));
}

/** The names the supergraph's `@link`s give the three directives (`as:` renames them). */
function directiveNames(document: DocumentNode): { authenticated: string; requiresScopes: string; policy: string } {
  const found = { ...SPECS } as { authenticated: string; requiresScopes: string; policy: string };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const arg = (name: string) => {
        const v = link.arguments?.find((a) => a.name.value === name)?.value;
        return v?.kind === Kind.STRING ? v.value : undefined;
      };
      const match = /https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/v[0-9.]+/.exec(arg('url') ?? '');
      if (match === null) continue;
      const spec = match[1] as keyof typeof SPECS;
      found[spec] = arg('as') ?? SPECS[spec];
    }
  }
  return found;
}
