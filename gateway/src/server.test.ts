import { ANONYMOUS, connectRedis, createInternalTokenIssuer, createMetricsRegistry, INTERNAL_TOKEN_AUDIENCE, INTERNAL_TOKEN_ISSUER } from '@lgsp/kit';
import { createLocalJWKSet, jwtVerify } from 'jose';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { REQUEST_ID_HEADER, startTestFederation, wardNames } from './testing/fixtures.ts';
import { startGateway, type RunningGateway } from './server.ts';

type Federation = Awaited<ReturnType<typeof startTestFederation>>;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const ids = Array.from({ length: 100 }, (_, i) => String(i + 1));
const citizensWithWards = { query: 'query People($ids: [ID!]!) { people(ids: $ids) { id name ward { code name } } }', variables: { ids } };

describe('gateway over real subgraphs', () => {
  let fed: Federation;
  let gateway: RunningGateway;
  const metrics = createMetricsRegistry('gateway-test');

  before(async () => {
    fed = await startTestFederation();
    gateway = await startGateway(fed.config, { issuer: fed.issuer, metrics });
  });
  after(async () => {
    await gateway.close();
    await fed.cleanup();
  });

  test('a federated query joins both subgraphs', async () => {
    const { status, body } = await post(gateway.url, { query: '{ person(id: "4") { id name ward { code name } } }' });
    assert.equal(status, 200);
    assert.deepEqual(body, { data: { person: { id: '4', name: 'Nguyễn Văn 4', ward: { code: '00008', name: wardNames['00008'] } } } });
  });

  test('subgraphs receive a valid internal token and the caller request id', async () => {
    const before = fed.places.probe.calls.length;
    const { headers } = await post(gateway.url, { query: '{ person(id: "5") { ward { name } } }' }, { [REQUEST_ID_HEADER]: 'agency-req-42' });
    assert.equal(headers.get(REQUEST_ID_HEADER), 'agency-req-42');
    const peopleCall = fed.people.probe.calls.find((c) => c.requestId === 'agency-req-42');
    const placesCall = fed.places.probe.calls.slice(before).find((c) => c.requestId === 'agency-req-42');
    assert.ok(peopleCall, 'people-data saw the request id');
    assert.ok(placesCall, 'places saw the request id');
    assert.deepEqual(peopleCall.principal, ANONYMOUS);

    // The token the gateway signs verifies against the JWKS it publishes.
    const jwks = await (await fetch(new URL('/.well-known/jwks.json', gateway.url))).json();
    const token = await fed.issuer.tokenFor(ANONYMOUS);
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: INTERNAL_TOKEN_ISSUER, audience: INTERNAL_TOKEN_AUDIENCE });
    assert.deepEqual(payload.principal, ANONYMOUS);
  });

  test('an unsent request id is generated and echoed; an insane one is replaced', async () => {
    const generated = await post(gateway.url, { query: '{ __typename }' });
    assert.match(generated.headers.get(REQUEST_ID_HEADER) ?? '', /^[0-9a-f-]{36}$/);
    const replaced = await post(gateway.url, { query: '{ __typename }' }, { [REQUEST_ID_HEADER]: 'bad id with spaces' });
    assert.notEqual(replaced.headers.get(REQUEST_ID_HEADER), 'bad id with spaces');
  });

  test('a subgraph called without the gateway token answers 401', async () => {
    const { status, body } = await post(fed.people.url, { query: '{ __typename }' });
    assert.equal(status, 401);
    assert.equal(body.errors[0].extensions.code, 'UNAUTHENTICATED');
    const other = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const forged = await post(fed.people.url, { query: '{ __typename }' }, { authorization: `Bearer ${await other.tokenFor(ANONYMOUS)}` });
    assert.equal(forged.status, 401);
  });

  test('100 people with ward names: one fetch to each subgraph, counted in the metrics', async () => {
    const metricsBefore = await metrics.metrics();
    const { status, body } = await post(gateway.url, citizensWithWards);
    assert.equal(status, 200);
    assert.equal(body.data.people.length, 100);
    assert.equal(body.data.people[99].ward.name, wardNames[body.data.people[99].ward.code]);
    const metricsAfter = await metrics.metrics();
    const delta = (name: string, labels: Record<string, string>) => metricValue(metricsAfter, name, labels) - metricValue(metricsBefore, name, labels);
    assert.equal(delta('lgsp_gateway_subgraph_fetches_total', { subgraph: 'places', outcome: 'success' }), 1);
    assert.equal(delta('lgsp_gateway_subgraph_fetches_total', { subgraph: 'people-data', outcome: 'success' }), 1);
    assert.equal(delta('lgsp_gateway_operations_total', { type: 'query', outcome: 'success' }), 1);
    assert.equal(delta('lgsp_gateway_operation_duration_seconds_count', { type: 'query' }), 1);
    assert.equal(delta('lgsp_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'places' }), 1);
  });

  test('many requests reuse a few keep-alive connections to each subgraph', async () => {
    const requests = 200;
    const peopleBefore = fed.people.probe.connections.size;
    const placesBefore = fed.places.probe.connections.size;
    for (let round = 0; round < requests / 10; round++) {
      await Promise.all(Array.from({ length: 10 }, () => post(gateway.url, { query: '{ person(id: "7") { ward { name } } }' })));
    }
    // At most one connection per request in flight (10), whatever the number of requests (200 to each subgraph).
    const peopleNew = fed.people.probe.connections.size - peopleBefore;
    const placesNew = fed.places.probe.connections.size - placesBefore;
    assert.ok(peopleNew <= 10, `people-data saw ${peopleNew} new connections for ${requests} requests`);
    assert.ok(placesNew <= 10, `places saw ${placesNew} new connections for ${requests} requests`);
  });

  test('GET /metrics exposes the gateway metrics in Prometheus format', async () => {
    const response = await fetch(new URL('/metrics', gateway.url));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    for (const name of [
      'lgsp_gateway_operations_total',
      'lgsp_gateway_operation_duration_seconds',
      'lgsp_gateway_subgraph_fetches_total',
      'lgsp_gateway_subgraph_fetch_duration_seconds',
      'lgsp_gateway_subgraph_errors_total',
    ]) {
      assert.match(text, new RegExp(`# TYPE ${name} `));
    }
  });

  test('health: live, and ready while every subgraph answers', async () => {
    const live = await fetch(new URL('/health/live', gateway.url));
    assert.equal(live.status, 200);
    const ready = await fetch(new URL('/health/ready', gateway.url));
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as any;
    assert.deepEqual(body.checks, { 'subgraph:people-data': { status: 'ok' }, 'subgraph:places': { status: 'ok' } });
  });

  test('the GraphiQL landing page is served to browsers outside production', async () => {
    const response = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /<title>LGSP Gateway — GraphiQL<\/title>/);
    assert.doesNotMatch(html, /embeddable-sandbox/);
    // No KEYCLOAK_URL here: no token placeholder (landing-page.test.ts covers the prefilled bearer header).
    assert.doesNotMatch(html, /Authorization/);
    assert.match(html, /"headers":""/);
  });
});

describe('gateway when a subgraph is down', () => {
  test('ready answers 503 naming the subgraph; queries get UPSTREAM_UNAVAILABLE for its fields only; the gateway keeps serving', async () => {
    const fed = await startTestFederation({ healthCheckCacheMs: 0 });
    const metrics = createMetricsRegistry('gateway-test');
    const gateway = await startGateway(fed.config, { issuer: fed.issuer, metrics });
    try {
      await fed.places.close();
      const ready = await fetch(new URL('/health/ready', gateway.url));
      assert.equal(ready.status, 503);
      const report = (await ready.json()) as any;
      assert.equal(report.checks['subgraph:people-data'].status, 'ok');
      assert.equal(report.checks['subgraph:places'].status, 'failed');

      const { status, body } = await post(gateway.url, { query: '{ person(id: "4") { name ward { name } } }' });
      assert.equal(status, 200);
      assert.equal(body.data.person.name, 'Nguyễn Văn 4');
      assert.equal(body.data.person.ward, null);
      assert.equal(body.errors[0].extensions.code, 'UPSTREAM_UNAVAILABLE');
      assert.doesNotMatch(JSON.stringify(body), /127\.0\.0\.1/, 'subgraph URLs are not disclosed');
      const text = await metrics.metrics();
      assert.equal(metricValue(text, 'lgsp_gateway_subgraph_errors_total', { subgraph: 'places', code: 'UPSTREAM_UNAVAILABLE' }), 1);
      assert.equal(metricValue(text, 'lgsp_gateway_operations_total', { type: 'query', outcome: 'partial' }), 1);

      const stillServing = await post(gateway.url, { query: '{ person(id: "4") { name } }' });
      assert.deepEqual(stillServing.body, { data: { person: { name: 'Nguyễn Văn 4' } } });
    } finally {
      await gateway.close();
      await fed.cleanup();
    }
  });

  test('a subgraph that does not answer in time gives UPSTREAM_TIMEOUT for its fields', async () => {
    // A real HTTP server that accepts requests and never answers.
    const stalled = createServer(() => undefined);
    stalled.listen(0, '127.0.0.1');
    await once(stalled, 'listening');
    const fed = await startTestFederation({ subgraphTimeoutMs: 300 });
    const stalledUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/graphql`;
    const gateway = await startGateway(
      { ...fed.config, subgraphUrlOverrides: { SUBGRAPH_PLACES_URL: stalledUrl } },
      { issuer: fed.issuer, metrics: createMetricsRegistry('gateway-test') },
    );
    try {
      const { status, body } = await post(gateway.url, { query: '{ person(id: "4") { name ward { name } } }' });
      assert.equal(status, 200);
      assert.equal(body.data.person.name, 'Nguyễn Văn 4');
      assert.equal(body.data.person.ward, null);
      assert.equal(body.errors[0].extensions.code, 'UPSTREAM_TIMEOUT');
    } finally {
      await gateway.close();
      stalled.closeAllConnections();
      stalled.close();
      await fed.cleanup();
    }
  });

  /** A federation whose gateway uses Redis under a key prefix of its own (the grants it seeds), and the cleanup of those keys. */
  async function federationOnRedis() {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const keyPrefix = testKeyPrefix();
    const fed = await startTestFederation({ redisUrl, healthCheckCacheMs: 0 });
    fed.config.authorization = { ...fed.config.authorization, redisKeyPrefix: keyPrefix };
    const deleteKeys = async () => {
      const redis = await connectRedis(redisUrl);
      for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*` })) if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    };
    return { fed, deleteKeys };
  }

  test('ready checks Redis when REDIS_URL is set, and answers 503 when it stops answering', async () => {
    const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { name: 'lgsp-gateway-test' });
    const { fed, deleteKeys } = await federationOnRedis();
    const gateway = await startGateway(fed.config, { issuer: fed.issuer, metrics: createMetricsRegistry('gateway-test'), redis });
    try {
      const ready = await fetch(new URL('/health/ready', gateway.url));
      assert.equal(ready.status, 200);
      assert.deepEqual(((await ready.json()) as any).checks.redis, { status: 'ok' });
      await redis.quit();
      const down = await fetch(new URL('/health/ready', gateway.url));
      assert.equal(down.status, 503);
      const report = (await down.json()) as any;
      assert.equal(report.checks.redis.status, 'failed');
      assert.equal(report.checks['subgraph:places'].status, 'ok');
    } finally {
      await gateway.close();
      await fed.cleanup();
      if (redis.isOpen) await redis.quit();
      await deleteKeys();
    }
  });

  test('with only REDIS_URL the gateway connects to Redis itself', async () => {
    const { fed, deleteKeys } = await federationOnRedis();
    try {
      const gateway = await startGateway(fed.config, { issuer: fed.issuer, metrics: createMetricsRegistry('gateway-test') });
      const ready = await fetch(new URL('/health/ready', gateway.url));
      assert.deepEqual(((await ready.json()) as any).checks.redis, { status: 'ok' });
      await gateway.close();
    } finally {
      await fed.cleanup();
      await deleteKeys();
    }
  });
});
