/** The SDL is the contract and the documentation: every type, field, argument and enum value is described. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DefinitionNode } from 'graphql';
import { typeDefs } from './service.ts';

it('describes every type, field, argument, input field and enum value of the relay schema', () => {
  const missing: string[] = [];
  for (const definition of typeDefs.definitions as readonly (DefinitionNode & Record<string, any>)[]) {
    if (definition.name === undefined) continue;
    const name = definition.name.value as string;
    if (definition.description === undefined) missing.push(name);
    for (const field of definition.fields ?? []) {
      if (field.description === undefined) missing.push(`${name}.${field.name.value}`);
      for (const arg of field.arguments ?? []) if (arg.description === undefined) missing.push(`${name}.${field.name.value}(${arg.name.value})`);
    }
    for (const value of definition.values ?? []) if (value.description === undefined) missing.push(`${name}.${value.name.value}`);
  }
  assert.deepEqual(missing, []);
});
