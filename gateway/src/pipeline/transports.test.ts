/**
 * One pipeline, both transports: stock clients (Apollo Client's GraphQLWsLink, urql's subscriptionExchange with every
 * operation forwarded, graphql-ws' own client and plain fetch) send a query, a mutation and a subscription through a
 * real gateway in front of real subgraphs, with real access tokens from the development issuer. Then the bad input
 * of the WebSocket path, as a table (specs as data), and a normal caller served while abusive requests run.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { Client as UrqlClient, subscriptionExchange } from '@urql/core';
import { createInternalTokenIssuer, createLogger, createMetricsRegistry, type InternalTokenIssuer } from '@lgsp/kit';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { developmentClientToken } from '../../../keycloak/src/dev-clients.ts';
import { gatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { agencyNames, startEventFeed, startPacketsSubgraph, type EventFeed } from '../subscriptions/testing/event-subgraphs.ts';
import { composeSupergraph, startPeopleSubgraph, supergraphFileWith, type TestSubgraph } from '../testing/fixtures.ts';
import wsCases from './ws-bad-input.cases.json' with { type: 'json' };

const OFFICE = '000.00.01.H41'; // vpubnd-h41-motcua
const QUERY = 'query Packet($id: ID!) { packet(id: $id) { id title source { name } } }';
const MUTATION = 'mutation Rename($id: ID!) { rename(id: $id, name: "Trần Thị B") { id name } }';
const SUBSCRIPTION = 'subscription Inbox { packetAvailable { eventId packet { id title } } }';

let lgsp: RunningDevIssuer;
let issuer: InternalTokenIssuer;
let feed: EventFeed;
let packets: Awaited<ReturnType<typeof startPacketsSubgraph>>;
let people: TestSubgraph;
let supergraph: Awaited<ReturnType<typeof supergraphFileWith>>;
let gateway: RunningGateway;
let wsUrl: string;
let token: string;
const logLines: Array<{ level: number; msg: string }> = [];

before(async () => {
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  feed = await startEventFeed(issuer);
  packets = await startPacketsSubgraph(issuer);
  people = await startPeopleSubgraph(issuer);
  supergraph = await supergraphFileWith(composeSupergraph([feed, packets, people]));
  const base = gatewayConfig();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') logLines.push(JSON.parse(line));
      done();
    },
  });
  gateway = await startGateway(
    {
      ...base,
      port: 0,
      host: '127.0.0.1',
      supergraphFile: supergraph.path,
      watchSupergraph: false,
      maxBodyBytes: 20_000,
      // The test subgraphs' schema is small: a lower bound makes 100 aliased introspections too large for it.
      operationLimits: { ...base.operationLimits, maxIntrospectionSize: 2_000 },
      authentication: { ...base.authentication, realmUrl: lgsp.issuer, required: false },
      subscriptions: { ...base.subscriptions, keepAliveMs: 0 },
    },
    { issuer, metrics: createMetricsRegistry('gateway'), logger: createLogger('gateway', 'info', sink) },
  );
  wsUrl = gateway.url.replace(/^http/, 'ws');
  token = await developmentClientToken(lgsp.issuer, 'vpubnd-h41-motcua', lgsp.realm);
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([feed?.close(), packets?.close(), people?.close(), lgsp?.close()]);
  await supergraph?.cleanup();
});

/** A graphql-ws client on Node 20 (it needs a WebSocket implementation) counting the sockets it opens. */
function wsClient(): { client: WsClient; sockets: () => number } {
  let opened = 0;
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    // Stay open between operations (by default an idle socket is closed and the next operation opens another).
    lazyCloseTimeout: 60_000,
    on: { connected: () => void (opened += 1) },
  });
  return { client, sockets: () => opened };
}

/** Waits until `condition` holds (events cross processes; the test runner's timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const expectedPacket = { id: 'p-3', title: 'Công văn số 3/UBND', source: { name: agencyNames['000.00.04.H41'] } };

describe('stock clients send queries, mutations and subscriptions over one socket', () => {
  it('Apollo Client with GraphQLWsLink', async () => {
    const { client: ws, sockets } = wsClient();
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    try {
      const query = await apollo.query({ query: gql(QUERY), variables: { id: 'p-3' } });
      assert.deepEqual(JSON.parse(JSON.stringify(query.data)), {
        packet: { __typename: 'Packet', ...expectedPacket, source: { __typename: 'Agency', ...expectedPacket.source } },
      });
      const mutation = await apollo.mutate({ mutation: gql(MUTATION), variables: { id: '1' } });
      assert.deepEqual(JSON.parse(JSON.stringify(mutation.data)), { rename: { __typename: 'Person', id: '1', name: 'Trần Thị B' } });

      const events: unknown[] = [];
      const active = feed.probe.active;
      const subscription = apollo.subscribe({ query: gql(SUBSCRIPTION) }).subscribe({ next: (result) => events.push(result.data) });
      await until(() => feed.probe.active === active + 1);
      const published = feed.publish(OFFICE, 'p-4');
      await until(() => events.length === 1);
      assert.deepEqual(JSON.parse(JSON.stringify(events[0])), {
        packetAvailable: { __typename: 'PacketEvent', eventId: published.eventId, packet: { __typename: 'Packet', id: 'p-4', title: 'Công văn số 4/UBND' } },
      });
      subscription.unsubscribe();
      await until(() => feed.probe.active === active);
      // A second query with the same document reuses nothing on the client (no-cache) and still one socket.
      const again = await apollo.query({ query: gql(QUERY), variables: { id: 'p-3' }, fetchPolicy: 'network-only' });
      assert.equal((again.data as { packet: { id: string } }).packet.id, 'p-3');
      assert.equal(sockets(), 1, 'everything went over one WebSocket');
    } finally {
      apollo.stop();
      await ws.dispose();
    }
  });

  it('urql with subscriptionExchange forwarding every operation', async () => {
    const { client: ws, sockets } = wsClient();
    const urql = new UrqlClient({
      url: gateway.url,
      exchanges: [
        subscriptionExchange({
          enableAllOperations: true,
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
    try {
      const query = await urql.query(QUERY, { id: 'p-3' }).toPromise();
      assert.equal(query.error, undefined);
      assert.deepEqual(JSON.parse(JSON.stringify(query.data)), { packet: expectedPacket });
      const mutation = await urql.mutation(MUTATION, { id: '2' }).toPromise();
      assert.deepEqual(JSON.parse(JSON.stringify(mutation.data)), { rename: { id: '2', name: 'Trần Thị B' } });
      const events: unknown[] = [];
      const active = feed.probe.active;
      const subscription = urql.subscription(SUBSCRIPTION, {}).subscribe((result) => events.push(result.data));
      await until(() => feed.probe.active === active + 1);
      const published = feed.publish(OFFICE, 'p-5');
      await until(() => events.length === 1);
      assert.deepEqual(JSON.parse(JSON.stringify(events[0])), {
        packetAvailable: { eventId: published.eventId, packet: { id: 'p-5', title: 'Công văn số 5/UBND' } },
      });
      subscription.unsubscribe();
      await until(() => feed.probe.active === active);
      assert.equal(sockets(), 1, 'everything went over one WebSocket');
    } finally {
      await ws.dispose();
    }
  });

  it('plain fetch over HTTP gets the same answers from the same pipeline', async () => {
    const post = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ extensions: { code: string } }> } };
    };
    assert.deepEqual(await post(QUERY, { id: 'p-3' }), { status: 200, body: { data: { packet: expectedPacket } } });
    assert.deepEqual(await post(MUTATION, { id: '3' }), { status: 200, body: { data: { rename: { id: '3', name: 'Trần Thị B' } } } });
    const subscription = await post(SUBSCRIPTION, {});
    assert.equal(subscription.status, 400);
    assert.equal(subscription.body.errors?.[0]?.extensions.code, 'SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP');
  });

  it('the same refusals on both transports: limits, validation, variables', async () => {
    const { client: ws } = wsClient();
    const overWs = (query: string, variables: Record<string, unknown> = {}) =>
      new Promise<Array<{ message: string; extensions?: Record<string, unknown> }>>((resolve) => {
        ws.subscribe({ query, variables }, { next: () => resolve([]), error: (errors) => resolve(errors as never), complete: () => undefined });
      });
    const overHttp = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return ((await response.json()) as { errors: Array<{ message: string; extensions?: Record<string, unknown> }> }).errors;
    };
    try {
      const cases: Array<[string, Record<string, unknown>?]> = [
        [`{ ${Array.from({ length: 101 }, (_, i) => `a${i}: feedVersion`).join(' ')} }`],
        ['{ packet(id: "p-1") { nope } }'],
        [QUERY, { id: { not: 'an id' } }],
        ['{ __schema { types { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } }'],
      ];
      for (const [query, variables] of cases) {
        const ws = await overWs(query, variables);
        const http = await overHttp(query, variables);
        assert.deepEqual(ws, http, query);
        assert.ok(ws.length > 0 && ws.every((e) => typeof e.extensions?.code === 'string'), JSON.stringify(ws));
      }
    } finally {
      await ws.dispose();
    }
  });
});

describe('what an anonymous caller gets (auth/anonymous-access.ts), the same over both transports', () => {
  it('fields without authorization directives; an @authenticated one is null with UNAUTHORIZED_FIELD_OR_TYPE', async () => {
    const query = '{ person(id: "1") { name } secretNote }';
    const expected = {
      data: { person: { name: 'Nguyễn Văn 1' }, secretNote: null },
      errors: [{ message: 'Unauthorized field or type', path: ['secretNote'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', missing: ['authenticated'] } }],
    };
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    assert.deepEqual(await response.json(), expected);
    const anonymous = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const overWs = await new Promise((resolve, reject) => anonymous.subscribe({ query }, { next: resolve, error: reject, complete: () => undefined }));
      assert.deepEqual(JSON.parse(JSON.stringify(overWs)), expected);
    } finally {
      await anonymous.dispose();
    }
  });
});

/** A socket speaking graphql-transport-ws frame by frame. */
async function rawSocket(): Promise<{ socket: WebSocket; closed: Promise<number>; messages: Array<Record<string, unknown>> }> {
  const socket = new WebSocket(wsUrl, ['graphql-transport-ws']);
  const messages: Array<Record<string, unknown>> = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed, messages };
}

interface WsCase {
  name: string;
  /** Frames sent in order: a string as it is, an object as JSON; `{ "$repeat": [text, times] }` a long text frame; `{ "$hex": "…" }` a text frame of raw bytes. */
  frames: unknown[];
  /** `connection_init` with a token is sent first. */
  init?: boolean;
  close: number;
}

describe("bad input over WebSocket closes with the protocol's code and no error log line", () => {
  for (const c of wsCases.cases as WsCase[]) {
    it(`${c.name} → ${c.close}`, async () => {
      const before = logLines.length;
      const { socket, closed, messages } = await rawSocket();
      if (c.init === true) {
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
        await until(() => messages.some((m) => m.type === 'connection_ack'));
      }
      for (const frame of c.frames) {
        if (typeof frame === 'string') socket.send(frame);
        else if (frame !== null && typeof frame === 'object' && '$repeat' in frame) {
          const [text, times] = (frame as { $repeat: [string, number] }).$repeat;
          socket.send(text.repeat(times));
        } else if (frame !== null && typeof frame === 'object' && '$hex' in frame)
          socket.send(Buffer.from((frame as { $hex: string }).$hex, 'hex'), { binary: false });
        else socket.send(JSON.stringify(frame));
      }
      assert.equal(await closed, c.close);
      assert.deepEqual(
        logLines.slice(before).filter((l) => l.level >= 50),
        [],
        "no error-level log line for a caller's mistake",
      );
    });
  }
});

describe('a normal caller is served while abusive requests run', () => {
  it('answers a normal query among hostile introspection and deep queries, which are refused with their reasons', async () => {
    const post = (query: string, headers: Record<string, string> = {}) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { data?: unknown; errors?: Array<{ extensions: Record<string, unknown> }> },
      }));
    const hostile = [
      `{ ${Array.from({ length: 101 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`,
      // The schema a hundred times over: an answer of megabytes on a real supergraph before the size bound.
      `{ ${Array.from({ length: 100 }, (_, i) => `s${i}: __schema { types { name fields { name type { name ofType { name } } } } }`).join(' ')} }`,
      '{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } } } }',
    ];
    const abusive = Array.from({ length: 30 }, (_, i) => post(hostile[i % hostile.length]!));
    const normal = post('{ packet(id: "p-3") { id title source { name } } }', { authorization: `Bearer ${token}` });
    assert.deepEqual((await normal).body, { data: { packet: expectedPacket } }, 'served while the abusive requests are in flight');
    const refusals = await Promise.all(abusive);
    const reasons = new Set(refusals.map((r) => `${r.status} ${r.body.errors?.map((e) => e.extensions.reason ?? e.extensions.code).join(',')}`));
    assert.deepEqual([...reasons].sort(), ['400 MAX_ALIASES', '400 MAX_DEPTH,GRAPHQL_VALIDATION_FAILED', '400 MAX_INTROSPECTION_SIZE']);
    assert.equal(refusals.filter((r) => 'data' in r.body).length, 0, 'nothing of them was executed');
  });
});
