import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSupergraph, CompositionError, repoRoot, supergraphFile } from './composition.ts';
import { subgraphs } from './subgraphs.ts';

test('the committed supergraph is what the subgraphs compose to (run `npm run compose` when this fails)', async () => {
  const composed = await composeSupergraph();
  const committed = await readFile(supergraphFile, 'utf8');
  assert.equal(committed, composed, 'schema/supergraph.graphql is stale');
});

test('every subgraph links a federation version that has the authorization directives, and the supergraph names it', async () => {
  for (const source of subgraphs) {
    const sdl = await readFile(join(repoRoot, source.schemaFile), 'utf8');
    const version = /specs\.apollo\.dev\/federation\/v2\.(\d+)/.exec(sdl);
    assert.ok(version !== null && Number(version[1]) >= 9, `${source.schemaFile} links federation v2.9 or later`);
  }
  const committed = await readFile(supergraphFile, 'utf8');
  assert.match(committed, /@link\(url: "https:\/\/specs\.apollo\.dev\/join\/v0\.\d+"/);
  assert.match(committed, /join__graph\(name: "catalogs"/);
  assert.match(committed, /join__graph\(name: "national-data"/);
});

test('composition errors are reported, not swallowed', async () => {
  await assert.rejects(
    composeSupergraph([
      { name: 'a', url: 'http://127.0.0.1:1/graphql', schemaFile: 'schema/src/testdata/conflict-a.graphql' },
      { name: 'b', url: 'http://127.0.0.1:2/graphql', schemaFile: 'schema/src/testdata/conflict-b.graphql' },
    ]),
    (error: unknown) => error instanceof CompositionError && /composition failed/.test(error.message),
  );
});
