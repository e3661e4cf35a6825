/** The schema the service assembles is the one the supergraph composes: the same fragments, described, composing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { subgraphSchemaFiles, subgraphs } from '../../../schema/src/subgraphs.ts';
import { modules } from './modules.ts';
import { rootSchemaFile } from './schema-assembly.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

test('every module has its fragment in its own folder, and the composition reads exactly those', () => {
  const source = subgraphs.find((s) => s.name === 'monitoring');
  assert.ok(source, 'monitoring is listed in schema/src/subgraphs.ts');
  const ours = [rootSchemaFile, ...modules.map((m) => m.typeDefsFile)].map((u) => relative(repoRoot, fileURLToPath(u)));
  for (const module of modules) assert.match(relative(repoRoot, fileURLToPath(module.typeDefsFile)), new RegExp(`/src/${module.name}/schema\\.graphql$`));
  assert.deepEqual([...ours].sort(), [...subgraphSchemaFiles(source)].sort());
});
