/** Completing a response planned from a rewritten operation: removed fields null, non-null bubbling, lists, aliases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, parse } from 'graphql';
import { completeData as complete } from './response.ts';
import { TYPENAME_ALIAS } from './rewrite.ts';

/** graphql-js builds null-prototype objects; compare what goes on the wire. */
const completeData = (...args: Parameters<typeof complete>) => JSON.parse(JSON.stringify(complete(...args)));

const schema = buildSchema(`
  type Query { citizen: Citizen citizens: [Citizen!] required: Citizen! docs: [Doc] }
  type Citizen { name: String birth: String secret: String! }
  interface Doc { id: ID }
  type A implements Doc { id: ID a: String }
  type B implements Doc { id: ID b: String }
`);

test('a removed nullable field is null; a removed non-null field nulls its nearest nullable parent', () => {
  const document = parse('{ citizen { name birth } other: citizen { name secret } }');
  const data = completeData(schema, document, undefined, {}, { citizen: { name: 'An' }, other: { name: 'Bình' } });
  assert.deepEqual(data, { citizen: { name: 'An', birth: null }, other: null });
});

test('in a list of non-null items the whole list is null; up to the root when everything is non-null', () => {
  assert.deepEqual(completeData(schema, parse('{ citizens { secret } }'), undefined, {}, { citizens: [{}, {}] }), { citizens: null });
  assert.equal(completeData(schema, parse('{ required { secret } }'), undefined, {}, {}), null);
});

test('a root field removed entirely, with @include and variables', () => {
  const document = parse('query($x: Boolean!) { citizen { name } c2: citizen @include(if: $x) { name } }');
  assert.deepEqual(completeData(schema, document, undefined, { x: false }, {}), { citizen: null });
});

test('abstract types resolve through the added __typename alias, which does not show', () => {
  const document = parse('{ docs { id ... on A { a } ... on B { b } } }');
  const data = completeData(
    schema,
    document,
    undefined,
    {},
    {
      docs: [
        { id: '1', a: 'x', [TYPENAME_ALIAS]: 'A' },
        { id: '2', [TYPENAME_ALIAS]: 'B' },
      ],
    },
  );
  assert.deepEqual(data, {
    docs: [
      { id: '1', a: 'x' },
      { id: '2', b: null },
    ],
  });
});
