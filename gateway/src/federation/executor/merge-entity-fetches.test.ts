import assert from 'node:assert/strict';
import { parse, validate, buildSchema } from 'graphql';
import { test } from 'node:test';
import { entityOperationOf, mergeEntityFetches, splitMergedResponse } from './merge-entity-fetches.ts';

const productFetch = {
  query: 'query Q__inventory__1($representations:[_Any!]!){_entities(representations:$representations){...on Product{__typename inStock}}}',
  variables: { representations: [{ __typename: 'Product', upc: '1' }] },
  operationName: 'Q__inventory__1',
};
const productWithFragment = {
  query:
    'query Q__inventory__2($representations:[_Any!]!$size:Int){_entities(representations:$representations){...on Product{...P shipping(size:$size)}}}fragment P on Product{__typename inStock}',
  variables: {
    representations: [
      { __typename: 'Product', upc: '2' },
      { __typename: 'Product', upc: '3' },
    ],
    size: 4,
  },
  operationName: 'Q__inventory__2',
};

const subgraphSchema = buildSchema(`
  scalar _Any
  union _Entity = Product
  type Product { upc: String! inStock: Boolean shipping(size: Int): Int }
  type Query { _entities(representations: [_Any!]!): [_Entity]! }
`);

test('recognises lone _entities queries and nothing else', () => {
  assert.notEqual(entityOperationOf(productFetch.query), null);
  assert.equal(entityOperationOf('query Q{topProducts{upc}}'), null);
  assert.equal(
    entityOperationOf(
      'query Q($representations:[_Any!]!){_entities(representations:$representations){...on Product{upc}} other: _entities(representations:$representations){...on Product{upc}}}',
    ),
    null,
  );
  assert.equal(entityOperationOf('mutation M($representations:[_Any!]!){_entities(representations:$representations){...on Product{upc}}}'), null);
  assert.equal(entityOperationOf('not graphql'), null);
});

test('merges fetches into one valid request with aliased _entities and one variables object', () => {
  const merged = mergeEntityFetches([productFetch, productWithFragment]);
  assert.ok(merged !== null);
  assert.deepEqual(validate(subgraphSchema, parse(merged.query)), []);
  assert.match(merged.query, /e0: _entities\(representations: \$r0\)/);
  assert.match(merged.query, /e1: _entities\(representations: \$r1\)/);
  assert.deepEqual(merged.variables, {
    r0: productFetch.variables.representations,
    r1: productWithFragment.variables.representations,
    size: 4,
  });
  assert.equal(merged.operationName, 'Q__inventory__1__merged_2');
  assert.match(merged.query, /^query Q__inventory__1__merged_2\(/);
});

test('refuses to merge fragments that share a name but differ', () => {
  const other = {
    ...productWithFragment,
    query: productWithFragment.query.replace('fragment P on Product{__typename inStock}', 'fragment P on Product{__typename upc}'),
  };
  assert.equal(mergeEntityFetches([productWithFragment, other]), null);
});

test('splits the answer back: data per alias, errors re-pathed to _entities, request errors to everyone', () => {
  const parts = splitMergedResponse(
    {
      data: { e0: [{ __typename: 'Product', inStock: true }], e1: [null, { __typename: 'Product', inStock: false }] },
      errors: [{ message: 'boom', path: ['e1', 0, 'inStock'], extensions: { code: 'X' } }, { message: 'general' }],
    },
    2,
  );
  assert.deepEqual(parts[0], { data: { _entities: [{ __typename: 'Product', inStock: true }] }, errors: [{ message: 'general' }] });
  assert.deepEqual(parts[1], {
    data: { _entities: [null, { __typename: 'Product', inStock: false }] },
    errors: [{ message: 'boom', path: ['_entities', 0, 'inStock'], extensions: { code: 'X' } }, { message: 'general' }],
  });
  const refused = splitMergedResponse({ errors: [{ message: 'invalid', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }, 2);
  assert.deepEqual(refused, [
    { errors: [{ message: 'invalid', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
    { errors: [{ message: 'invalid', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
  ]);
});
