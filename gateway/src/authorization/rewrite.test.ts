/** Table-driven tests of the rewrite: operation + caller → operation to plan + denials (paths and codes). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse, print } from 'graphql';
import { composeSupergraph } from '../testing/fixtures.ts';
import { compileAuthorization } from './metadata.ts';
import { authorizeOperation, TYPENAME_ALIAS, type Access, type DenialCode } from './rewrite.ts';

const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])';
const recordsSdl = `${link}
type Query {
  citizen(id: ID!): Citizen @authenticated
  citizens(ids: [ID!]!): [Citizen]!
  publicInfo: String
  documents: [Document!]!
  admin: String @requiresScopes(scopes: [["admin:read", "admin:list"], ["root"]])
}
type Citizen @key(fields: "id") @policy(policies: [["p.basic"]]) {
  id: ID!
  name: String
  birth: String @policy(policies: [["p.personal"]])
  household: Household @policy(policies: [["p.personal"]])
  both: String @policy(policies: [["p.personal", "p.extra"], ["p.other"]])
}
type Household {
  number: String
  members: [Citizen]
}
interface Document {
  id: ID!
  title: String
}
type PublicDoc implements Document {
  id: ID!
  title: String
}
type SealedDoc implements Document @policy(policies: [["p.sealed"]]) {
  id: ID!
  title: String
  sealNo: String
}
`;
const placesSdl = `${link}
type Query { ward(code: ID!): Ward }
type Ward @key(fields: "code") @authenticated { code: ID! name: String }
type Citizen @key(fields: "id") { id: ID! ward: Ward }
`;
const supergraph = parse(
  composeSupergraph([
    { name: 'records', url: 'http://127.0.0.1:1/graphql', sdl: recordsSdl },
    { name: 'places', url: 'http://127.0.0.1:2/graphql', sdl: placesSdl },
  ]),
);
const authz = compileAuthorization(supergraph);

interface Caller {
  authenticated?: boolean;
  scopes?: string[];
  granted?: string[];
  /** Policies granted once a purpose is declared. */
  needPurpose?: string[];
}
function access(caller: Caller): Access {
  return {
    authenticated: caller.authenticated ?? true,
    scopes: new Set(caller.scopes ?? []),
    policy: (name) =>
      caller.granted?.includes(name)
        ? { granted: true }
        : { granted: false, code: caller.needPurpose?.includes(name) ? 'PURPOSE_REQUIRED' : 'UNAUTHORIZED_FIELD_OR_TYPE' },
  };
}

const U = 'UNAUTHORIZED_FIELD_OR_TYPE';
const P = 'PURPOSE_REQUIRED';
interface Case {
  name: string;
  operation: string;
  operationName?: string;
  caller: Caller;
  /** The operation to plan, or 'unchanged', or 'empty' (nothing left). */
  planned: string | 'unchanged' | 'empty';
  denials: Array<[path: string, code: DenialCode, missing?: string[]]>;
  policiesUsed?: string[];
}

const cases: Case[] = [
  {
    name: 'a fully granted operation is left as it is',
    operation: '{ citizen(id: "1") { id name birth } publicInfo }',
    caller: { granted: ['p.basic', 'p.personal'] },
    planned: 'unchanged',
    denials: [],
    policiesUsed: ['p.basic', 'p.personal'],
  },
  {
    name: 'anonymous: @authenticated root field removed, fields without directives kept',
    operation: '{ publicInfo citizen(id: "1") { name } }',
    caller: { authenticated: false },
    planned: '{ publicInfo }',
    denials: [['citizen', U, ['authenticated', 'policy:p.basic']]],
  },
  {
    name: 'a field-level policy removes one field; the type-level policy is met',
    operation: '{ citizen(id: "1") { name birth } }',
    caller: { granted: ['p.basic'] },
    planned: '{ citizen(id: "1") { name } }',
    denials: [['citizen.birth', U, ['policy:p.personal']]],
    policiesUsed: ['p.basic'],
  },
  {
    name: 'a policy granted only with a purpose → PURPOSE_REQUIRED',
    operation: '{ citizen(id: "1") { name birth household { number } } }',
    caller: { granted: ['p.basic'], needPurpose: ['p.personal'] },
    planned: '{ citizen(id: "1") { name } }',
    denials: [
      ['citizen.birth', P, ['policy:p.personal']],
      ['citizen.household', P, ['policy:p.personal']],
    ],
  },
  {
    name: 'OR of AND groups: the alternative that only lacks a purpose decides the code',
    operation: '{ citizen(id: "1") { both } }',
    caller: { granted: ['p.basic', 'p.extra'], needPurpose: ['p.personal'] },
    planned: 'empty',
    denials: [['citizen.both', P, ['policy:p.personal']]],
  },
  {
    name: 'OR of AND groups: a second alternative suffices',
    operation: '{ citizen(id: "1") { both } }',
    caller: { granted: ['p.basic', 'p.other'] },
    planned: 'unchanged',
    denials: [],
    policiesUsed: ['p.basic', 'p.other'],
  },
  {
    name: 'a parent whose every sub-field is removed goes too (no fetch), errors at the sub-fields',
    operation: '{ publicInfo citizen(id: "1") { birth } }',
    caller: { granted: ['p.basic'] },
    planned: '{ publicInfo }',
    denials: [['citizen.birth', U, ['policy:p.personal']]],
  },
  {
    name: 'everything removed: nothing to plan',
    operation: '{ citizen(id: "1") { name } }',
    caller: { authenticated: false },
    planned: 'empty',
    denials: [['citizen', U, ['authenticated', 'policy:p.basic']]],
  },
  {
    name: 'type-level directive on a type reached through another subgraph (entity field)',
    operation: '{ citizen(id: "1") { name ward { code name } } }',
    caller: { authenticated: true, granted: ['p.basic'] },
    planned: 'unchanged',
    denials: [],
  },
  {
    name: 'type-level policy applies to every field returning the type, at any depth and in lists',
    operation: '{ citizens(ids: ["1"]) { name household { number members { name } } } }',
    caller: { granted: ['p.personal'] },
    planned: 'empty',
    denials: [['citizens', U, ['policy:p.basic']]],
  },
  {
    name: 'nested: a type-level policy inside a granted field',
    operation: '{ citizen(id: "1") { household { number members { name } } } }',
    caller: { granted: ['p.basic', 'p.personal'] },
    planned: 'unchanged',
    denials: [],
  },
  {
    name: 'aliases and a named fragment: the path uses response keys',
    operation: 'query Q { c: citizen(id: "1") { ...F } } fragment F on Citizen { name b: birth }',
    caller: { granted: ['p.basic'] },
    planned: 'query Q { c: citizen(id: "1") { ...F } } fragment F on Citizen { name }',
    denials: [['c.b', U, ['policy:p.personal']]],
  },
  {
    name: 'one fragment spread at two paths: an error at each',
    operation: 'query { a: citizen(id: "1") { ...F } b: citizen(id: "2") { ...F } } fragment F on Citizen { name birth }',
    caller: { granted: ['p.basic'] },
    planned: 'query { a: citizen(id: "1") { ...F } b: citizen(id: "2") { ...F } } fragment F on Citizen { name }',
    denials: [
      ['a.birth', U, ['policy:p.personal']],
      ['b.birth', U, ['policy:p.personal']],
    ],
  },
  {
    name: 'a fragment left empty is dropped with its spreads; unused variables are dropped',
    operation: 'query ($id: ID!, $x: Boolean!) { publicInfo @include(if: $x) citizen(id: $id) { ...F } } fragment F on Citizen { birth }',
    caller: { granted: ['p.basic'] },
    planned: 'query ($x: Boolean!) { publicInfo @include(if: $x) }',
    denials: [['citizen.birth', U, ['policy:p.personal']]],
  },
  {
    name: "fields selected on an interface need every implementation's requirements",
    operation: '{ publicInfo documents { id title } }',
    caller: {},
    planned: '{ publicInfo }',
    denials: [
      ['documents.id', U, ['policy:p.sealed']],
      ['documents.title', U, ['policy:p.sealed']],
    ],
  },
  {
    name: 'interface field granted for every implementation',
    operation: '{ documents { id title } }',
    caller: { granted: ['p.sealed'] },
    planned: 'unchanged',
    denials: [],
  },
  {
    name: 'multiple operations: only the named one is authorized and planned',
    operation: 'query A { publicInfo } query B { citizen(id: "1") { name } }',
    operationName: 'B',
    caller: { authenticated: false },
    planned: 'empty',
    denials: [['citizen', U, ['authenticated', 'policy:p.basic']]],
  },
  {
    name: '@requiresScopes: OR of AND groups',
    operation: '{ admin publicInfo }',
    caller: { scopes: ['admin:read'] },
    planned: '{ publicInfo }',
    denials: [['admin', U, ['scope:admin:list']]],
  },
  {
    name: '@requiresScopes satisfied by the second alternative',
    operation: '{ admin }',
    caller: { scopes: ['root'] },
    planned: 'unchanged',
    denials: [],
  },
  {
    name: '__typename is never removed',
    operation: '{ __typename citizen(id: "1") { name } }',
    caller: { authenticated: false },
    planned: '{ __typename }',
    denials: [['citizen', U, ['authenticated', 'policy:p.basic']]],
  },
];

describe('authorizeOperation', () => {
  for (const c of cases) {
    test(c.name, () => {
      const document = parse(c.operation);
      const result = authorizeOperation(authz, document, c.operationName, access(c.caller));
      assert.deepEqual(
        result.denials.map((d) => [d.path.join('.'), d.code, d.missing]),
        c.denials.map(([path, code, missing]) =>
          missing === undefined ? [path, code, result.denials.find((d) => d.path.join('.') === path)?.missing] : [path, code, missing],
        ),
      );
      if (c.planned === 'unchanged') {
        assert.equal(result.changed, false);
        assert.equal(result.document, document);
      } else if (c.planned === 'empty') {
        assert.equal(result.changed, true);
        assert.equal(result.empty, true);
      } else {
        assert.equal(result.empty, false);
        const planned = c.operationName === undefined ? parse(c.planned) : parse(c.planned);
        assert.equal(print(result.document), print(planned));
      }
      if (c.policiesUsed !== undefined) assert.deepEqual([...result.policiesUsed].sort(), c.policiesUsed.sort());
    });
  }

  test('inline fragments on implementations: the unauthorized one is removed (path "... on Type"), __typename added', () => {
    const result = authorizeOperation(authz, parse('{ documents { ... on PublicDoc { id } ... on SealedDoc { sealNo } } }'), undefined, access({}));
    assert.deepEqual(
      result.denials.map((d) => [d.path, d.code]),
      [[['documents', '... on SealedDoc'], U]],
    );
    assert.equal(print(result.document), print(parse(`{ documents { ... on PublicDoc { id } ${TYPENAME_ALIAS}: __typename } }`)));
  });

  test('the same field selected twice is reported once', () => {
    const result = authorizeOperation(
      authz,
      parse('{ citizen(id: "1") { name birth ... on Citizen { birth } } }'),
      undefined,
      access({ granted: ['p.basic'] }),
    );
    assert.deepEqual(
      result.denials.map((d) => d.path.join('.')),
      ['citizen.birth'],
    );
  });
});

describe('compileAuthorization', () => {
  test('reads the directives from the composed supergraph, type and field level, with policies listed', () => {
    assert.deepEqual([...authz.policies].sort(), ['p.basic', 'p.extra', 'p.other', 'p.personal', 'p.sealed']);
    assert.deepEqual(authz.typeRequirement('Citizen'), { authenticated: false, scopes: [], policies: [[['p.basic']]] });
    assert.deepEqual(authz.fieldRequirement('Citizen', 'birth'), { authenticated: false, scopes: [], policies: [[['p.personal']]] });
    assert.equal(authz.typeRequirement('Ward')?.authenticated, true);
    // Abstract type: its own (composition copied SealedDoc's onto it) and its possible types' requirements.
    assert.deepEqual(authz.typeRequirement('Document')?.policies, [[['p.sealed']], [['p.sealed']]]);
    assert.equal(authz.fieldRequirement('Citizen', 'name'), undefined);
  });
});
