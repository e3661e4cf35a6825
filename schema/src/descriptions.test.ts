/**
 * The schema is the documentation agency developers read (in the Sandbox and in the SDL): every type, field,
 * argument, enum value and input field of every subgraph has a description.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kind, parse, visit, type ASTNode } from 'graphql';
import { readSubgraphSdl, subgraphs } from './subgraphs.ts';

const described = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.UNION_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.FIELD_DEFINITION,
  Kind.INPUT_VALUE_DEFINITION,
  Kind.ENUM_VALUE_DEFINITION,
]);

for (const source of subgraphs) {
  test(`${source.schemaFile}: every type, field, argument and enum value is described`, async () => {
    const document = parse(readSubgraphSdl(source));
    const missing: string[] = [];
    const path: string[] = [];
    visit(document, {
      enter(node: ASTNode) {
        if ('name' in node && node.name !== undefined && described.has(node.kind)) {
          path.push(node.name.value);
          const description = 'description' in node ? node.description : undefined;
          if (description === undefined || description.value.trim() === '') missing.push(path.join('.'));
        }
      },
      leave(node: ASTNode) {
        if ('name' in node && node.name !== undefined && described.has(node.kind)) path.pop();
      },
    });
    assert.deepEqual(missing, [], `undescribed: ${missing.join(', ')}`);
  });
}
