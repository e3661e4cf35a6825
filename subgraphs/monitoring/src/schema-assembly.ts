/**
 * The subgraph's schema, assembled: `src/schema.graphql` (root types, shared scalars, the federation link) followed
 * by each module's fragment, in the order modules.ts lists them. `schema/src/subgraphs.ts` composes the same files
 * (the root and every `src/<module>/schema.graphql`); schema-assembly.test.ts keeps the two lists equal.
 */
import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

export const rootSchemaFile = new URL('./schema.graphql', import.meta.url);

/** The SDL text of the root and the fragments, joined. */
export function assembleSdl(fragments: readonly URL[]): string {
  return [rootSchemaFile, ...fragments].map((file) => readFileSync(file, 'utf8')).join('\n');
}

export function assembleTypeDefs(fragments: readonly URL[]): DocumentNode {
  return parse(assembleSdl(fragments));
}
