/**
 * Sample operations of a field set, built by introspection (the fields a set covers and their descriptions come from
 * the registry's `OfferedFieldSet.fieldDocs`, read from the composed supergraph, in every environment).
 *
 * Schema documentation of a field set, from the supergraph's descriptions, read by introspection through the gateway
 * with the developer's own token (when the gateway allows introspection: not in production, GATEWAY_INTROSPECTION).
 *
 * Introspection carries descriptions but not the `@policy` directives, so which fields a field set covers is known
 * only where the supergraph's descriptions say it: a type protected as a whole names its policy in its description
 * (`… (policy \`national-data.citizen.basic\`)`). Such a field set's docs are that type's fields and the queries that
 * return it. A field set attached field by field (`national-data.citizen.personal`) is not named by introspection:
 * the page says so and shows the provider's description of it (see NOTES-dev.md for the registry field that would
 * carry the coverage in every environment).
 */
import { graphql } from '../../shell/graphql.ts';
import { PortalError } from '../../shell/errors.ts';
import { SCHEMA_DOCS_QUERY } from './queries.ts';

interface TypeRef {
  kind: string;
  name: string | null;
  ofType?: TypeRef | null;
}
export interface IntrospectedField {
  name: string;
  description: string | null;
  args: Array<{ name: string; description: string | null; type: TypeRef }>;
  type: TypeRef;
}
interface IntrospectedType {
  kind: string;
  name: string;
  description: string | null;
  fields: IntrospectedField[] | null;
}
export interface SchemaIndex {
  queryType: string;
  types: Map<string, IntrospectedType>;
}

export type SchemaDocs = { available: true; schema: SchemaIndex } | { available: false; reason: 'INTROSPECTION_DISABLED' | 'ERROR'; error?: unknown };

let cached: Promise<SchemaDocs> | undefined;

/** The gateway's schema as the developer may introspect it, once per page load. */
export function loadSchemaDocs(): Promise<SchemaDocs> {
  cached ??= graphql<{ __schema: { queryType: { name: string }; types: IntrospectedType[] } }>(SCHEMA_DOCS_QUERY).then(
    (data): SchemaDocs => ({
      available: true,
      schema: { queryType: data.__schema.queryType.name, types: new Map(data.__schema.types.map((t) => [t.name, t])) },
    }),
    (error: unknown): SchemaDocs => {
      cached = undefined; // try again next time (a refused token, a restart)
      const off = error instanceof PortalError && (error.code === 'GRAPHQL_VALIDATION_FAILED' || /introspection/i.test(error.message));
      return { available: false, reason: off ? 'INTROSPECTION_DISABLED' : 'ERROR', error };
    },
  );
  return cached;
}

/** `[String!]!` from a type reference. */
export function typeName(ref: TypeRef): string {
  if (ref.kind === 'NON_NULL') return `${typeName(ref.ofType!)}!`;
  if (ref.kind === 'LIST') return `[${typeName(ref.ofType!)}]`;
  return ref.name ?? '?';
}

function namedType(ref: TypeRef): string | null {
  return ref.ofType ? namedType(ref.ofType) : ref.name;
}

export interface FieldSetDocs {
  fieldSet: string;
  /** Types whose description names the field set's policy. */
  types: Array<{ name: string; description: string | null; fields: IntrospectedField[] }>;
  /** Query fields returning one of those types. */
  entryPoints: IntrospectedField[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The types and queries a field set covers, as far as the descriptions say (empty when they do not). */
export function fieldSetDocs(schema: SchemaIndex, fieldSet: string): FieldSetDocs {
  const named = new RegExp(`policy\\s+\`${escape(fieldSet)}\``);
  const types = [...schema.types.values()]
    .filter((t) => t.kind === 'OBJECT' && !t.name.startsWith('__') && t.description !== null && named.test(t.description))
    .map((t) => ({ name: t.name, description: t.description, fields: t.fields ?? [] }));
  const covered = new Set(types.map((t) => t.name));
  const entryPoints = (schema.types.get(schema.queryType)?.fields ?? []).filter((f) => covered.has(namedType(f.type) ?? ''));
  return { fieldSet, types, entryPoints };
}

/**
 * A sample query built from the schema for a field set: its first entry point with its required arguments as
 * variables, selecting the type's scalar fields (at most 8) that the set covers (`covered`, when given).
 */
export function sampleOperation(schema: SchemaIndex, docs: FieldSetDocs, covered?: readonly string[]): string | undefined {
  const entry = docs.entryPoints[0];
  const type = docs.types.find((t) => t.name === namedType(entry?.type ?? { kind: 'SCALAR', name: null }));
  if (entry === undefined || type === undefined) return undefined;
  const leaves = type.fields
    .filter((f) => {
      const kind = schema.types.get(namedType(f.type) ?? '')?.kind;
      // Only the fields the set covers (the registry's `fields`, from the supergraph's @policy), when known.
      const inSet = covered === undefined || covered.length === 0 || covered.includes(`${type.name}.${f.name}`);
      return (kind === 'SCALAR' || kind === 'ENUM') && f.args.length === 0 && inSet;
    })
    .slice(0, 8)
    .map((f) => f.name);
  const required = entry.args.filter((a) => a.type.kind === 'NON_NULL');
  const variables = required.map((a) => `$${a.name}: ${typeName(a.type)}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const name = `${type.name}Sample`;
  return `query ${name}${variables ? `(${variables})` : ''} {\n  ${entry.name}${args ? `(${args})` : ''} {\n${leaves.map((l) => `    ${l}`).join('\n')}\n  }\n}`;
}
