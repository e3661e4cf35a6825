import { createMetricsRegistry } from '@lgsp/kit';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startGateway, type RunningGateway } from '../../server.ts';
import { startParityFederation } from './parity-fixture.ts';

interface ParityCase {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  expect: { errors: boolean; valueCompletion?: boolean; contains?: string[]; unreachable?: { serviceName: string; paths: Array<Array<string | number>> } };
}

interface FormattedError {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

/**
 * What native answers where Apollo reports a subgraph that gave no GraphQL answer once, without a path: the same
 * error at each path the fetch would have filled, with the subgraph's name (plan-executor.ts `fetchFailed`).
 */
function withUnreachablePaths(apolloText: string, unreachable: NonNullable<ParityCase['expect']['unreachable']>): string {
  const body = JSON.parse(apolloText) as { errors?: FormattedError[] };
  const transport = (e: FormattedError) => e.path === undefined && (e.extensions?.code === 'UPSTREAM_UNAVAILABLE' || e.extensions?.code === 'UPSTREAM_TIMEOUT');
  assert.equal(body.errors?.filter(transport).length, 1, `one pathless transport error from apollo in ${apolloText}`);
  body.errors = body.errors!.flatMap((e) =>
    transport(e) ? unreachable.paths.map((path) => ({ message: e.message, path, extensions: { ...e.extensions, serviceName: unreachable.serviceName } })) : [e],
  );
  // Apollo Server ends the answer with a newline.
  return `${JSON.stringify(body)}${apolloText.endsWith('\n') ? '\n' : ''}`;
}

const corpus = JSON.parse(readFileSync(new URL('./parity-corpus.json', import.meta.url), 'utf8')) as { cases: ParityCase[] };

function fetchesTo(metricsText: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith('lgsp_gateway_subgraph_fetches_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe("native executor (GATEWAY_EXECUTOR=native): byte-identical to apollo on the parity corpus (paths added to unreachable subgraphs' errors)", () => {
  let fed: Awaited<ReturnType<typeof startParityFederation>>;
  let apollo: RunningGateway;
  let native: RunningGateway;
  const apolloMetrics = createMetricsRegistry('gateway-apollo');
  const nativeMetrics = createMetricsRegistry('gateway-native');

  before(async () => {
    fed = await startParityFederation();
    apollo = await startGateway({ ...fed.config, executor: 'apollo' }, { issuer: fed.issuer, metrics: apolloMetrics });
    native = await startGateway({ ...fed.config, executor: 'native' }, { issuer: fed.issuer, metrics: nativeMetrics });
  });
  after(async () => {
    await Promise.all([apollo?.close(), native?.close()]);
    await fed?.cleanup();
  });

  async function send(url: string, c: Pick<ParityCase, 'query' | 'variables' | 'operationName'>): Promise<{ status: number; text: string }> {
    const body = { query: c.query, variables: c.variables, operationName: c.operationName };
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  for (const c of corpus.cases) {
    test(c.name, async () => {
      const expected = await send(apollo.url, c);
      const nativeText = c.expect.unreachable === undefined ? expected.text : withUnreachablePaths(expected.text, c.expect.unreachable);
      // Twice: the first answer plans and compiles, the second comes from the plan cache.
      for (let round = 0; round < 2; round++) {
        const actual = await send(native.url, c);
        assert.equal(actual.status, expected.status);
        assert.equal(actual.text, nativeText);
      }
      const body = JSON.parse(expected.text) as { errors?: unknown[]; extensions?: { valueCompletion?: unknown[] } };
      assert.equal(Array.isArray(body.errors), c.expect.errors, `errors in ${expected.text}`);
      assert.equal(Array.isArray(body.extensions?.valueCompletion), c.expect.valueCompletion ?? false, `valueCompletion in ${expected.text}`);
      for (const piece of c.expect.contains ?? []) assert.ok(expected.text.includes(piece), `${piece} in ${expected.text}`);
      assert.doesNotMatch(expected.text, /Assertion error|DOWNSTREAM_SERVICE_ERROR/);
    });
  }

  test('runs the plan itself: same answers with fewer subgraph requests (merged entity fetches), concurrent operations included', async () => {
    const deep = corpus.cases.find((c) => c.operationName === 'Siblings')!;
    const before = { apollo: fetchesTo(await apolloMetrics.metrics()), native: fetchesTo(await nativeMetrics.metrics()) };
    const [apolloAnswers, nativeAnswers] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => send(apollo.url, deep))),
      Promise.all(Array.from({ length: 10 }, () => send(native.url, deep))),
    ]);
    assert.ok(apolloAnswers.every((a) => a.text === apolloAnswers[0]!.text));
    assert.ok(nativeAnswers.every((a) => a.text === apolloAnswers[0]!.text));
    const apolloFetches = fetchesTo(await apolloMetrics.metrics()) - before.apollo;
    const nativeFetches = fetchesTo(await nativeMetrics.metrics()) - before.native;
    assert.ok(nativeFetches >= 10 && nativeFetches < apolloFetches, `native sent ${nativeFetches} subgraph requests, apollo ${apolloFetches}`);
  });
});
