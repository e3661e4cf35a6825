import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry } from '@lgsp/kit';
import { buildSchema, getIntrospectionQuery, Kind, parse, specifiedRules, validate, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { startGateway, type RunningGateway } from '../server.ts';
import { startTestFederation } from '../testing/fixtures.ts';
import { DEFAULT_OPERATION_LIMITS, measureOperation, operationLimitsRule, type OperationLimits } from './operation-limits.ts';

const schema = buildSchema(`
  type Query { citizen(id: ID!): Citizen, unit(code: ID!): Unit }
  type Citizen { id: ID!, name: String, address: Address, relatives: [Citizen!]! }
  type Address { street: String, unit: Unit }
  type Unit { code: ID!, name: String, parent: Unit }
`);

function shapeOf(query: string) {
  const document = parse(query);
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return measureOperation(operation, fragments);
}

function errorsOf(query: string, limits: Partial<OperationLimits> = {}) {
  return validate(schema, parse(query), [...specifiedRules, operationLimitsRule({ ...DEFAULT_OPERATION_LIMITS, ...limits })]).map(
    (e): { message: string; reason?: unknown; limit?: unknown; actual?: unknown } => ({ message: e.message, ...e.extensions }),
  );
}

describe('operation limits', () => {
  it('measures depth, fields and aliases, fragments expanded where they are used', () => {
    assert.deepEqual(shapeOf('{ citizen(id: 1) { id name } }'), { depth: 2, fields: 3, aliases: 0 });
    assert.deepEqual(shapeOf('{ a: citizen(id: 1) { ...C } b: citizen(id: 2) { ...C } } fragment C on Citizen { id address { unit { code } } }'), {
      depth: 4,
      fields: 10,
      aliases: 2,
    });
    assert.deepEqual(
      shapeOf('{ citizen(id: 1) { ... on Citizen { relatives { id } } __typename } }'),
      { depth: 3, fields: 3, aliases: 0 },
      'inline fragments add no level; __typename is free',
    );
  });

  it('refuses an operation too deep, too wide or with too many aliases, saying which limit and by how much', () => {
    assert.deepEqual(errorsOf('{ unit(code: 1) { parent { parent { parent { code } } } } }', { maxDepth: 4 }), [
      { message: 'The operation nests fields 5 deep; at most 4 are allowed', reason: 'MAX_DEPTH', limit: 4, actual: 5 },
    ]);
    const aliases = `query Many { ${Array.from({ length: 12 }, (_, i) => `c${i}: citizen(id: ${i}) { id }`).join(' ')} }`;
    assert.deepEqual(errorsOf(aliases, { maxAliases: 10, maxFields: 20 }), [
      { message: 'Operation Many selects 24 fields (fragments expanded); at most 20 are allowed', reason: 'MAX_FIELDS', limit: 20, actual: 24 },
      {
        message: 'Operation Many uses 12 aliases; at most 10 are allowed: ask for a list (e.g. requestExchanges) instead',
        reason: 'MAX_ALIASES',
        limit: 10,
        actual: 12,
      },
    ]);
    assert.deepEqual(errorsOf(aliases), [], 'within the defaults');
  });

  it('measures a fragment tree that doubles at every level without walking it (a million fields, found at once)', () => {
    const levels = 20;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Citizen { id }` : `fragment F${i} on Citizen { relatives { ...F${i + 1} } relatives { ...F${i + 1} } }`,
    ).join('\n');
    const started = performance.now();
    const shape = shapeOf(`{ citizen(id: 1) { ...F0 } } ${fragments}`);
    assert.equal(shape.depth, levels + 1);
    assert.ok(shape.fields > 1_000_000, `${shape.fields} fields once expanded`);
    assert.ok(performance.now() - started < 1_000, 'measured without expanding');
    const errors = errorsOf(`{ citizen(id: 1) { ...F0 } } ${fragments}`);
    assert.deepEqual(
      errors.map((e) => e.reason),
      ['MAX_DEPTH', 'MAX_FIELDS'],
    );
  });

  it('survives fragment cycles (reported by the standard rules, not looped on)', () => {
    const errors = errorsOf('{ citizen(id: 1) { ...A } } fragment A on Citizen { relatives { ...B } } fragment B on Citizen { relatives { ...A } }');
    assert.ok(errors.some((e) => /Cannot spread fragment/.test(e.message)));
    assert.ok(
      errors.every((e) => e.reason === undefined),
      'no limit exceeded by the cycle itself',
    );
  });

  it('leaves the standard introspection query alone at the defaults (Sandbox and codegen tools send it)', () => {
    assert.deepEqual(
      validate(buildSchema('type Query { a: Int }'), parse(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true })), [
        operationLimitsRule(DEFAULT_OPERATION_LIMITS),
      ]),
      [],
    );
  });

  it('counts introspection like any other selection: depth (but an ofType chain), fields and aliases', () => {
    assert.deepEqual(shapeOf('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }'), { depth: 5, fields: 8, aliases: 0 });
    const deep =
      '{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } } } }';
    const errors = errorsOf(deep);
    assert.deepEqual(
      errors.filter((e) => e.reason !== undefined).map((e) => [e.reason, e.limit, e.actual]),
      [['MAX_DEPTH', 12, 14]],
    );
    assert.ok(
      errors.some((e) => e.message === 'Maximum introspection depth exceeded'),
      "graphql-js' own rule (fields in fields in fields) agrees",
    );
    const repeated = `{ ${Array.from({ length: 101 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`;
    assert.deepEqual(
      errorsOf(repeated).map((e) => [e.reason, e.limit, e.actual]),
      [['MAX_ALIASES', 100, 101]],
    );
  });

  it('bounds the size of an introspection answer, counted on the schema before it runs', () => {
    // 40 object types of 30 fields each, every field of an object type: each level of `type { fields }` multiplies by 30.
    const types = Array.from({ length: 40 }, (_, t) => `type T${t} { ${Array.from({ length: 30 }, (_, f) => `f${f}: T${(t + f) % 40}`).join(' ')} }`).join(
      '\n',
    );
    const wide = buildSchema(`type Query { t: T0 }\n${types}`);
    const limits = [...specifiedRules, operationLimitsRule(DEFAULT_OPERATION_LIMITS)];
    assert.deepEqual(validate(wide, parse(getIntrospectionQuery({ descriptions: true })), limits), [], 'the standard query fits');
    // Within graphql-js' MaxIntrospectionDepthRule (`fields` nested at most twice), still ~75 000 entries.
    const huge = validate(wide, parse('{ __schema { types { fields { type { fields { name } } } } } }'), limits);
    assert.deepEqual(
      huge.map((e) => ({ ...e.extensions })),
      [{ reason: 'MAX_INTROSPECTION_SIZE', limit: DEFAULT_OPERATION_LIMITS.maxIntrospectionSize }],
    );
    assert.match(huge[0]!.message, /more than 50000 entries/);
    const byVariable = validate(wide, parse('query($n: String!) { __type(name: $n) { fields { type { fields { type { fields { name } } } } } } }'), [
      operationLimitsRule({ ...DEFAULT_OPERATION_LIMITS, maxIntrospectionSize: 1_000 }),
    ]);
    assert.deepEqual(
      byVariable.map((e) => e.extensions.reason),
      ['MAX_INTROSPECTION_SIZE'],
      '__type with a variable counts as any type',
    );
    assert.deepEqual(validate(wide, parse('{ __type(name: "T1") { name fields { name } } }'), limits), [], 'one type is small');
  });

  it('lets the parser stop a document longer than maxTokens before building it', () => {
    const long = `{ ${Array.from({ length: 5_000 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
    assert.throws(() => parse(long, { maxTokens: DEFAULT_OPERATION_LIMITS.maxTokens }), /Document contains more that 10000 tokens/);
  });
});

describe('operation limits through the gateway (GraphQL over HTTP)', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let gateway: RunningGateway;
  before(async () => {
    fed = await startTestFederation({ operationLimits: { maxDepth: 2, maxFields: 8, maxAliases: 2, maxTokens: 300 } });
    gateway = await startGateway(fed.config, { issuer: fed.issuer, metrics: createMetricsRegistry('gateway-test') });
  });
  after(async () => {
    await gateway.close();
    await fed.cleanup();
  });

  const post = async (query: string) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: Record<string, unknown> }> },
    };
  };

  it('refuses with 400 and a stable code before any subgraph is asked, and serves what is within them', async () => {
    const ok = await post('{ person(id: "1") { name } }');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.errors, undefined);

    const deep = await post('{ person(id: "1") { ward { name } } }');
    assert.equal(deep.status, 400);
    assert.match(deep.type ?? '', /^application\/graphql-response\+json/);
    assert.equal(deep.body.data, undefined, 'nothing executed');
    assert.deepEqual(
      deep.body.errors!.map((e) => [e.extensions.code, e.extensions.reason, e.extensions.limit, e.extensions.actual]),
      [['GRAPHQL_VALIDATION_FAILED', 'MAX_DEPTH', 2, 3]],
    );

    const aliases = await post('{ a: person(id: "1") { id } b: person(id: "2") { id } c: person(id: "3") { id } }');
    assert.equal(aliases.status, 400);
    assert.deepEqual(
      aliases.body.errors!.map((e) => e.extensions.reason),
      ['MAX_ALIASES'],
    );

    const long = await post(`{ ${Array.from({ length: 400 }, () => '__typename').join(' ')} }`);
    assert.equal(long.status, 400);
    assert.equal(long.body.errors![0]!.extensions.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(long.body.errors![0]!.message, /more that 300 tokens/);

    assert.equal((await post('{ person(id: "1") { id name } }')).status, 200, 'the gateway keeps serving');
  });
});
