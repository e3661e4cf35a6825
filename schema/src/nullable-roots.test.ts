/**
 * Decision 0011: a subgraph that fails or is stopped nulls only its own root fields. So every `Query` and
 * `Mutation` root field of every subgraph is nullable: a non-null one would null the whole answer, every other
 * subgraph's fields included, when its subgraph is down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kind, parse } from 'graphql';
import { readSubgraphSdl, subgraphs } from './subgraphs.ts';

const ROOTS = new Set(['Query', 'Mutation']);

for (const source of subgraphs) {
  test(`${source.schemaFile}: every Query and Mutation root field is nullable`, async () => {
    const document = parse(readSubgraphSdl(source));
    const nonNull: string[] = [];
    for (const definition of document.definitions) {
      if ((definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) || !ROOTS.has(definition.name.value)) continue;
      for (const field of definition.fields ?? []) {
        if (field.type.kind === Kind.NON_NULL_TYPE) nonNull.push(`${definition.name.value}.${field.name.value}`);
      }
    }
    assert.deepEqual(nonNull, [], 'root fields that would null the whole answer when this subgraph fails (decision 0011)');
  });
}
