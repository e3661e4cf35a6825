/**
 * Which schema coordinates each field set (a `@policy` name) covers, with their types and descriptions, read from the
 * composed supergraph (schema/supergraph.graphql): the catalogue's schema docs where introspection is off.
 *
 * A type-level `@policy` covers the type's fields that carry no `@policy` of their own (those are another field set);
 * a field-level `@policy` covers that field. A relay data type offers no field sets, so it covers nothing.
 */
import { Kind, parse, print, type ConstDirectiveNode, type DocumentNode, type FieldDefinitionNode } from 'graphql';

/** One field a field set covers. */
export interface FieldDoc {
  /** Schema coordinate `Type.field` (`Citizen.fullName`, `Query.citizen`). */
  coordinate: string;
  /** Its GraphQL type as written in the schema (`String!`, `[Citizen]`). */
  type: string;
  /** Its description in the supergraph, or null. */
  description: string | null;
}

/** Field sets by policy name → the fields they cover, in schema order. */
export interface FieldDocIndex {
  fieldsOf(fieldSet: string): FieldDoc[];
}

export const emptyFieldDocIndex: FieldDocIndex = { fieldsOf: () => [] };

/** The policy names of the `@policy` directives among `directives` (flattened). */
function policiesOf(directives: readonly ConstDirectiveNode[] | undefined): string[] {
  const names: string[] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'policy') continue;
    const arg = directive.arguments?.find((a) => a.name.value === 'policies');
    if (arg?.value.kind !== Kind.LIST) continue;
    for (const group of arg.value.values) {
      if (group.kind !== Kind.LIST) continue;
      for (const name of group.values) if (name.kind === Kind.STRING) names.push(name.value);
    }
  }
  return names;
}

/** Builds the index from a supergraph document. */
export function fieldDocIndexFrom(document: DocumentNode): FieldDocIndex {
  const index = new Map<string, FieldDoc[]>();
  const add = (policy: string, doc: FieldDoc) => {
    const list = index.get(policy) ?? [];
    if (!list.some((d) => d.coordinate === doc.coordinate)) list.push(doc);
    index.set(policy, list);
  };
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    )
      continue;
    const typeName = definition.name.value;
    const typePolicies = policiesOf(definition.directives);
    for (const field of (definition.fields ?? []) as readonly FieldDefinitionNode[]) {
      const doc: FieldDoc = { coordinate: `${typeName}.${field.name.value}`, type: print(field.type), description: field.description?.value ?? null };
      const own = policiesOf(field.directives);
      for (const policy of own.length > 0 ? own : typePolicies) add(policy, doc);
    }
  }
  return { fieldsOf: (fieldSet) => index.get(fieldSet) ?? [] };
}

/** Builds the index from supergraph SDL text. */
export function fieldDocIndexFromSdl(sdl: string): FieldDocIndex {
  return fieldDocIndexFrom(parse(sdl));
}
