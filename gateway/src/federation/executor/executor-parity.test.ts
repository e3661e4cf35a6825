import { createMetricsRegistry } from '@lgsp/kit';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type RunningGateway } from '../../server.ts';
import { startTestFederation } from '../../testing/fixtures.ts';

type Federation = Awaited<ReturnType<typeof startTestFederation>>;

const queries: Array<[string, { query: string; variables?: Record<string, unknown>; operationName?: string }]> = [
  ['one entity fetch', { query: '{ person(id: "4") { id name ward { code name } } }' }],
  [
    'several entity fetches to one subgraph at the same moment',
    {
      query: `query Many($ids: [ID!]!) {
        a: person(id: "1") { ward { name } }
        b: person(id: "2") { name ward { code name } }
        c: people(ids: $ids) { id ward { ...W } }
      }
      fragment W on Ward { code name }`,
      variables: { ids: ['3', '4', '5', '6', 'nobody'] },
    },
  ],
  [
    'entity errors keep their paths',
    { query: '{ a: person(id: "998") { name ward { code name } } b: person(id: "7") { ward { name } } c: people(ids: ["998", "8"]) { ward { name } } }' },
  ],
  ['a root-only query', { query: 'query Root { person(id: "9") { id name } }', operationName: 'Root' }],
];

function metric(text: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith('lgsp_gateway_subgraph_fetches_total{') && l.includes(labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('native executor (GATEWAY_EXECUTOR=native) against apollo on the test federation: entity fetches merged per operation', () => {
  let fed: Federation;
  let apollo: RunningGateway;
  let native: RunningGateway;
  const apolloMetrics = createMetricsRegistry('gateway-apollo');
  const nativeMetrics = createMetricsRegistry('gateway-native');

  before(async () => {
    fed = await startTestFederation();
    apollo = await startGateway({ ...fed.config, executor: 'apollo' }, { issuer: fed.issuer, metrics: apolloMetrics });
    native = await startGateway({ ...fed.config, executor: 'native' }, { issuer: fed.issuer, metrics: nativeMetrics });
  });
  after(async () => {
    await Promise.all([apollo.close(), native.close()]);
    await fed.cleanup();
  });

  async function send(url: string, body: object): Promise<{ status: number; text: string }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  for (const [name, body] of queries) {
    test(`${name}: byte-identical responses`, async () => {
      const expected = await send(apollo.url, body);
      const actual = await send(native.url, body);
      assert.equal(actual.status, expected.status);
      assert.equal(actual.text, expected.text);
      assert.doesNotMatch(expected.text, /DOWNSTREAM_SERVICE_ERROR|INTERNAL_SERVER_ERROR/);
    });
  }

  test('the error case really carries errors at entity paths', async () => {
    const { text } = await send(native.url, queries[2]![1]);
    const body = JSON.parse(text) as { errors: Array<{ path: unknown[]; extensions: { code: string } }> };
    assert.ok(body.errors.length >= 2);
    assert.ok(body.errors.every((e) => e.extensions.code === 'NOT_FOUND'));
    assert.deepEqual(body.errors[0]!.path, ['a', 'ward', 'name']);
  });

  test('merging sends fewer requests to the subgraph for the same answers, concurrent operations included', async () => {
    const before = { apollo: metric(await apolloMetrics.metrics(), 'subgraph="places"'), native: metric(await nativeMetrics.metrics(), 'subgraph="places"') };
    const body = queries[1]![1];
    const [apolloTexts, nativeTexts] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => send(apollo.url, body))),
      Promise.all(Array.from({ length: 20 }, () => send(native.url, body))),
    ]);
    assert.ok(nativeTexts.every((r) => r.text === apolloTexts[0]!.text));
    assert.ok(apolloTexts.every((r) => r.text === apolloTexts[0]!.text));
    const apolloFetches = metric(await apolloMetrics.metrics(), 'subgraph="places"') - before.apollo;
    const nativeFetches = metric(await nativeMetrics.metrics(), 'subgraph="places"') - before.native;
    assert.ok(apolloFetches >= 40, `apollo sent ${apolloFetches} fetches to places for 20 operations`);
    // Never merged across operations: at least one request per operation, fewer than apollo's.
    assert.ok(nativeFetches >= 20 && nativeFetches < apolloFetches, `native sent ${nativeFetches}, apollo ${apolloFetches}`);
  });
});
