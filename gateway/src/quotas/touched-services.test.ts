/** The services an operation touches: every subgraph its query plan fetches from, and none for gateway-only fields. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import { loadSupergraph } from '../federation/supergraph.ts';
import { composeSupergraph, peopleSdl, placesSdl } from '../testing/fixtures.ts';
import { TouchedServices } from './touched-services.ts';

// Planning needs the subgraphs' schemas only: nothing is called.
const loaded = loadSupergraph(
  composeSupergraph([
    { name: 'people-data', url: 'http://127.0.0.1:9/graphql', sdl: peopleSdl },
    { name: 'places', url: 'http://127.0.0.1:9/graphql', sdl: placesSdl },
  ]),
);
const touched = new TouchedServices(() => loaded);

const cases: Array<[string, string, string[]]> = [
  ['one root field', '{ person(id: "1") { name } }', ['people-data']],
  ['the other subgraph', '{ ward(code: "00004") { name } }', ['places']],
  ['an entity fetch', '{ person(id: "1") { name ward { name } } }', ['people-data', 'places']],
  ['a key field only: no entity fetch', '{ person(id: "1") { ward { code } } }', ['people-data']],
  ['both branches of @include', 'query($w: Boolean!) { person(id: "1") { name ward @include(if: $w) { name } } }', ['people-data', 'places']],
  ['gateway-only fields', '{ __typename }', []],
  ['introspection with data', '{ __schema { queryType { name } } ward(code: "00004") { name } }', ['places']],
  ['a mutation', 'mutation { rename(id: "1", name: "B") { id } }', ['people-data']],
];
for (const [name, query, expected] of cases) {
  test(`touched services: ${name}`, () => {
    assert.deepEqual([...touched.of(parse(query), undefined, query)].sort(), expected);
  });
}

test('the chosen operation of a document with several', () => {
  const document = parse('query A { person(id: "1") { name } } query B { ward(code: "00004") { name } }');
  assert.deepEqual(touched.of(document, 'B', 'two'), ['places']);
  assert.deepEqual(touched.of(document, 'A', 'two'), ['people-data']);
});
