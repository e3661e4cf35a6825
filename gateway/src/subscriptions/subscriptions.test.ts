/**
 * Subscriptions through a real gateway: real WebSockets (the `ws` package, speaking graphql-transport-ws frame
 * by frame), real access tokens from the development issuer, a real event-feed subgraph over graphql-ws and a
 * real packets subgraph over HTTP (testing/event-subgraphs.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  connectRedis,
  createInternalTokenIssuer,
  createLogger,
  createMetricsRegistry,
  type InternalTokenIssuer,
  type RedisClient,
  type Registry,
} from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { loadRealmExport } from '@lgsp/keycloak/realm';
import WebSocket from 'ws';
import { developmentClientToken } from '../../../keycloak/src/dev-clients.ts';
import type { AuthorizationMode } from '../authorization/authorizing-gateway.ts';
import { createMemoryGrantStore, createRedisGrantStore, grantKeyPattern, type Grant, type GrantStore } from '@lgsp/access';
import { agencySlotKeyPattern } from '../redis-keys.ts';
import { auditKeyPattern } from '@lgsp/audit';
import { gatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { composeSupergraph, supergraphFileWith } from '../testing/fixtures.ts';
import type { SubscriptionsConfig } from './config.ts';
import type { AgencySlots } from './limits.ts';
import { createRedisAgencySlots } from './redis-agency-slots.ts';
import { agencyNames, startEventFeed, startPacketsSubgraph, type EventFeed } from './testing/event-subgraphs.ts';
import { gatedGrantStore } from './testing/gated-grant-store.ts';

const OFFICE = '000.00.01.H41'; // vpubnd-h41-motcua
const FINANCE = '000.00.03.H41'; // sotaichinh-h41-dkkd
const SHORT_LIVED_CLIENT = 'ubnd-truongvinh-motcua'; // tokens live 2 s in this test's realm

const PURPOSE = 'public-service:HS-001';

const PACKETS = `subscription Inbox($after: ID) {
  packetAvailable(after: $after) { eventId recipient { code } packet { id title source { code name } } }
}`;

interface Message {
  type: string;
  id?: string;
  payload?: any;
}

/** A graphql-transport-ws client written frame by frame, so every protocol step can be observed. */
class RawClient {
  readonly messages: Message[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  answerPings = true;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      if (message.type === 'ping' && this.answerPings) socket.send(JSON.stringify({ type: 'pong' }));
      this.messages.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
    socket.on('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(url: string, protocols: string[] = ['graphql-transport-ws']): Promise<RawClient> {
    const socket = new WebSocket(url, protocols);
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message matching `match` (messages before it that do not match stay queued). */
  async next(match: (m: Message) => boolean = (m) => m.type !== 'ping' && m.type !== 'pong'): Promise<Message> {
    for (;;) {
      const index = this.messages.findIndex(match);
      if (index >= 0) return this.messages.splice(index, 1)[0]!;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting; messages: ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  forId(id: string): Promise<Message> {
    return this.next((m) => m.id === id);
  }

  async init(token: string | undefined, extra: Record<string, unknown> = {}): Promise<void> {
    this.send({ type: 'connection_init', payload: token === undefined ? extra : { authorization: `Bearer ${token}`, ...extra } });
    assert.equal((await this.next()).type, 'connection_ack');
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close(1000, 'bye');
    return this.closed;
  }
}

let lgsp: RunningDevIssuer;
let issuer: InternalTokenIssuer;
let feed: EventFeed;
let packets: Awaited<ReturnType<typeof startPacketsSubgraph>>;
let supergraph: Awaited<ReturnType<typeof supergraphFileWith>>;
const gateways: Array<{ gateway: RunningGateway; registry: Registry }> = [];
const clients: RawClient[] = [];

async function token(clientId: string): Promise<string> {
  return developmentClientToken(lgsp.issuer, clientId, lgsp.realm);
}

interface TestGatewayOptions {
  /** Grants (seeded from GRANTS_FILE when empty) and the per-agency limits live in this Redis under this key prefix. */
  redis?: { client: RedisClient; keyPrefix: string };
  /** The grant store to decide with (not seeded); otherwise Redis with `redis`, else memory seeded from GRANTS_FILE. */
  grants?: GrantStore;
  mode?: AuthorizationMode;
}

/** A gateway in front of the test subgraphs, without Redis unless `options.redis` says. */
async function startTestGateway(subscriptions: Partial<SubscriptionsConfig> = {}, authRequired = true, options: TestGatewayOptions = {}) {
  const base = gatewayConfig();
  const registry = createMetricsRegistry('gateway');
  const gateway = await startGateway(
    {
      ...base,
      port: 0,
      host: '127.0.0.1',
      supergraphFile: supergraph.path,
      watchSupergraph: false,
      logLevel: 'silent',
      authentication: { ...base.authentication, realmUrl: lgsp.issuer, required: authRequired, clockSkewSeconds: 0 },
      authorization: {
        ...base.authorization,
        ...(options.redis === undefined ? {} : { redisKeyPrefix: options.redis.keyPrefix }),
        ...(options.mode === undefined ? {} : { mode: options.mode }),
      },
      subscriptions: { ...base.subscriptions, keepAliveMs: 0, ...subscriptions },
    },
    {
      issuer,
      metrics: registry,
      ...(options.redis === undefined ? {} : { redis: options.redis.client }),
      ...(options.grants === undefined ? {} : { grants: options.grants }),
    },
  );
  const running = { gateway, registry, wsUrl: gateway.url.replace(/^http/, 'ws') };
  gateways.push(running);
  return running;
}

async function open(url: string, protocols?: string[]): Promise<RawClient> {
  const client = await RawClient.open(url, protocols);
  clients.push(client);
  return client;
}

async function metric(registry: Registry, name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** Waits until `condition` holds (events cross processes; the test runner's timeout bounds the wait). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}

before(async () => {
  const realm = await loadRealmExport();
  const shortLived = {
    ...realm,
    clients: realm.clients.map((c) => (c.clientId === SHORT_LIVED_CLIENT ? { ...c, attributes: { ...c.attributes, 'access.token.lifespan': '2' } } : c)),
  };
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { realm: shortLived });
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  feed = await startEventFeed(issuer);
  packets = await startPacketsSubgraph(issuer);
  supergraph = await supergraphFileWith(composeSupergraph([feed, packets]));
});

after(async () => {
  for (const client of clients) client.socket.terminate();
  await Promise.allSettled(gateways.map((g) => g.gateway.close()));
  await Promise.allSettled([feed?.close(), packets?.close(), lgsp?.close()]);
  await supergraph?.cleanup();
});

describe('subscriptions through the gateway', () => {
  let main: Awaited<ReturnType<typeof startTestGateway>>;
  let officeToken: string;
  let financeToken: string;

  before(async () => {
    main = await startTestGateway();
    officeToken = await token('vpubnd-h41-motcua');
    financeToken = await token('sotaichinh-h41-dkkd');
  });

  it("delivers events with entity fields joined from another subgraph, for the caller's inbox only", async () => {
    const client = await open(main.wsUrl);
    await client.init(officeToken);
    client.subscribe('inbox', PACKETS);
    await until(() => feed.probe.active === 1);
    const subscriber = feed.probe.subscribers.at(-1)!;
    assert.equal(subscriber.principal.agencyCode, OFFICE, 'the feed sees the caller through the internal token');
    assert.equal(subscriber.principal.tokenId, undefined, 'shared streams act without the token id');

    feed.publish(FINANCE, 'p-1'); // another agency's inbox
    const mine = feed.publish(OFFICE, 'p-3');
    const event = await client.forId('inbox');
    assert.equal(event.type, 'next');
    assert.deepEqual(event.payload, {
      data: {
        packetAvailable: {
          eventId: mine.eventId,
          recipient: { code: OFFICE },
          packet: { id: 'p-3', title: 'Công văn số 3/UBND', source: { code: '000.00.04.H41', name: agencyNames['000.00.04.H41'] } },
        },
      },
    });
    assert.equal(packets.calls.at(-1)?.agencyCode, OFFICE, 'entity fetches carry the caller too');
    assert.ok((await metric(main.registry, 'lgsp_gateway_ws_events_delivered_total')) >= 1);

    client.send({ id: 'inbox', type: 'complete' });
    await until(() => feed.probe.active === 0);
    await client.close();
  });

  it('refuses connection_init without a token or with a bad one: 4403', async () => {
    const missing = await open(main.wsUrl);
    missing.send({ type: 'connection_init' });
    assert.equal((await missing.closed).code, 4403);

    const garbage = await open(main.wsUrl);
    garbage.send({ type: 'connection_init', payload: { authorization: 'Bearer not.a.token' } });
    const closed = await garbage.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /^Forbidden: /);

    const basic = await open(main.wsUrl);
    basic.send({ type: 'connection_init', payload: { Authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal((await basic.closed).code, 4403);
    assert.ok((await metric(main.registry, 'lgsp_gateway_ws_rejections_total')) >= 3);
  });

  it('speaks the protocol: pong for ping, 4401 before ack, 4409 on a duplicate id, 4429 on a second init, 4400 on garbage, 4406 without the subprotocol', async () => {
    const pinger = await open(main.wsUrl);
    pinger.send({ type: 'ping', payload: { n: 7 } });
    assert.deepEqual(await pinger.next((m) => m.type === 'pong'), { type: 'pong', payload: { n: 7 } });
    pinger.send({ type: 'ping' });
    assert.deepEqual(await pinger.next((m) => m.type === 'pong'), { type: 'pong' });

    const early = await open(main.wsUrl);
    early.subscribe('1', PACKETS);
    assert.equal((await early.closed).code, 4401);

    const duplicate = await open(main.wsUrl);
    await duplicate.init(officeToken);
    duplicate.subscribe('same', PACKETS);
    await until(() => feed.probe.active === 1);
    duplicate.subscribe('same', PACKETS);
    assert.equal((await duplicate.closed).code, 4409);
    await until(() => feed.probe.active === 0); // the closed connection's subscription left its stream

    const twice = await open(main.wsUrl);
    await twice.init(officeToken);
    twice.send({ type: 'connection_init', payload: { authorization: `Bearer ${officeToken}` } });
    assert.equal((await twice.closed).code, 4429);

    const garbage = await open(main.wsUrl);
    garbage.send('{"type":"nonsense"}');
    assert.equal((await garbage.closed).code, 4400);

    const withoutProtocol = await open(main.wsUrl, []); // e.g. a subscriptions-transport-ws client
    assert.equal((await withoutProtocol.closed).code, 4406);
  });

  it('answers queries with next then complete (an id is free again once complete), and invalid operations and bad variables with an error message', async () => {
    const client = await open(main.wsUrl);
    await client.init(officeToken);
    client.subscribe('q', '{ packet(id: "p-1") { title } }');
    assert.deepEqual(await client.forId('q'), { id: 'q', type: 'next', payload: { data: { packet: { title: 'Công văn số 1/UBND' } } } });
    assert.deepEqual(await client.forId('q'), { id: 'q', type: 'complete' });
    client.subscribe('q', 'query Again($id: ID!) { packet(id: $id) { id } }', { id: 'p-2' });
    assert.deepEqual(await client.forId('q'), { id: 'q', type: 'next', payload: { data: { packet: { id: 'p-2' } } } });
    assert.deepEqual(await client.forId('q'), { id: 'q', type: 'complete' });

    client.subscribe('v', 'subscription { packetAvailable { nope } }');
    const invalid = await client.forId('v');
    assert.equal(invalid.type, 'error');
    assert.equal(invalid.payload[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');

    client.subscribe('p', 'subscription {');
    assert.equal((await client.forId('p')).payload[0].extensions.code, 'GRAPHQL_PARSE_FAILED');

    client.subscribe('x', PACKETS, { after: { not: 'an id' } });
    assert.equal((await client.forId('x')).payload[0].extensions.code, 'BAD_USER_INPUT');

    // The operation limits of HTTP apply here too (GATEWAY_MAX_ALIASES 100, GATEWAY_MAX_TOKENS 10000 by default).
    const aliased = (count: number) => `subscription { packetAvailable { ${Array.from({ length: count }, (_, i) => `e${i}: eventId`).join(' ')} } }`;
    client.subscribe('a', aliased(101));
    const tooMany = await client.forId('a');
    assert.equal(tooMany.type, 'error');
    assert.deepEqual({ ...tooMany.payload[0].extensions }, { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'MAX_ALIASES', limit: 100, actual: 101 });
    client.subscribe('t', aliased(4_000));
    const tooLong = await client.forId('t');
    assert.equal(tooLong.payload[0].extensions.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(tooLong.payload[0].message, /more that 10000 tokens/);
    await client.close();
  });

  it('shares one upstream stream between identical subscriptions and closes it when the last subscriber leaves', async () => {
    const openedBefore = feed.probe.opened;
    const first = await open(main.wsUrl);
    const second = await open(main.wsUrl);
    await first.init(officeToken);
    await second.init(await token('vpubnd-h41-motcua')); // another token of the same system: same principal
    first.subscribe('a', PACKETS);
    second.subscribe('b', PACKETS);
    await until(() => feed.probe.active === 1);
    await until(async () => (await metric(main.registry, 'lgsp_gateway_ws_subscriptions')) === 2);
    assert.equal(feed.probe.opened - openedBefore, 1, 'one upstream subscription for two identical client subscriptions');
    assert.equal(await metric(main.registry, 'lgsp_gateway_ws_upstream_streams'), 1);

    // Another agency, or other variables: other streams.
    const finance = await open(main.wsUrl);
    await finance.init(financeToken);
    finance.subscribe('f', PACKETS);
    second.subscribe('resume', PACKETS, { after: '0' });
    await until(() => feed.probe.active === 3);
    assert.equal(await metric(main.registry, 'lgsp_gateway_ws_upstream_streams'), 3);

    const published = feed.publish(OFFICE, 'p-5');
    for (const [client, id] of [
      [first, 'a'],
      [second, 'b'],
    ] as const) {
      const event = await client.forId(id);
      assert.equal(event.payload.data.packetAvailable.eventId, published.eventId);
      assert.equal(event.payload.data.packetAvailable.packet.title, 'Công văn số 5/UBND');
    }

    // Disconnects release the upstream: one leaves (stream stays), then the other (stream closes).
    await first.close();
    await until(async () => (await metric(main.registry, 'lgsp_gateway_ws_subscriptions')) === 3);
    assert.equal(feed.probe.active, 3);
    second.send({ id: 'b', type: 'complete' });
    await until(() => feed.probe.active === 2);
    second.socket.terminate(); // no close handshake at all
    await until(() => feed.probe.active === 1);
    await finance.close();
    await until(() => feed.probe.active === 0);
    await until(async () => (await metric(main.registry, 'lgsp_gateway_ws_upstream_streams')) === 0);
    assert.equal(await metric(main.registry, 'lgsp_gateway_ws_subscriptions'), 0);
  });

  it('nulls fields the caller is not granted, with an error in every event', async () => {
    const client = await open(main.wsUrl);
    await client.init(officeToken);
    client.subscribe('s', 'subscription { packetAvailable { eventId packet { title operatorNote } } }');
    await until(() => feed.probe.active === 1);
    for (const packetId of ['p-1', 'p-2']) {
      const published = feed.publish(OFFICE, packetId);
      const event = await client.forId('s');
      assert.equal(event.type, 'next');
      assert.deepEqual(event.payload.data, {
        packetAvailable: { eventId: published.eventId, packet: { title: `Công văn số ${packetId.slice(2)}/UBND`, operatorNote: null } },
      });
      assert.deepEqual(
        event.payload.errors.map((e: { path: string[]; extensions: { code: string } }) => [e.path.join('.'), e.extensions.code]),
        [['packetAvailable.packet.operatorNote', 'UNAUTHORIZED_FIELD_OR_TYPE']],
      );
    }
    await client.close();
    await until(() => feed.probe.active === 0);
  });

  it('reports entity fetch errors at their path and keeps the stream', async () => {
    const client = await open(main.wsUrl);
    await client.init(officeToken);
    client.subscribe('s', 'subscription { packetAvailable { eventId packet { id title } } }');
    await until(() => feed.probe.active === 1);
    feed.publish(OFFICE, 'p-missing'); // the packets subgraph has no such packet: Packet! is null → the event's data is null
    const broken = await client.forId('s');
    assert.equal(broken.type, 'next');
    assert.equal(broken.payload.data, null);
    const next = feed.publish(OFFICE, 'p-4');
    assert.equal((await client.forId('s')).payload.data.packetAvailable.eventId, next.eventId);
    await client.close();
    await until(() => feed.probe.active === 0);
  });

  it('when the subgraph closes the stream, subscribers get UPSTREAM_UNAVAILABLE and resume with `after`', async () => {
    const client = await open(main.wsUrl);
    await client.init(officeToken);
    client.subscribe('s', PACKETS);
    await until(() => feed.probe.active === 1);
    const seen = feed.publish(OFFICE, 'p-6');
    assert.equal((await client.forId('s')).payload.data.packetAvailable.eventId, seen.eventId);

    feed.dropConnections(1012, 'service restart');
    const failure = await client.forId('s');
    assert.equal(failure.type, 'error');
    assert.equal(failure.payload[0].extensions.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(failure.payload[0].extensions.serviceName, 'events');
    await until(() => feed.probe.active === 0);
    const missed = feed.publish(OFFICE, 'p-7'); // while nobody listens

    client.subscribe('s', PACKETS, { after: seen.eventId }); // the id is free again after `error`
    const replayed = await client.forId('s');
    assert.equal(replayed.payload.data.packetAvailable.eventId, missed.eventId);
    assert.equal(feed.probe.subscribers.at(-1)?.after, seen.eventId);
    await client.close();
    await until(() => feed.probe.active === 0);
  });

  it('closes the connection with 4403 when its access token expires', async () => {
    const client = await open(main.wsUrl);
    await client.init(await token(SHORT_LIVED_CLIENT));
    const closed = await client.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /expired/);
  });
});

const CLASSIFIED = 'subscription Classified { packetAvailable { eventId packet { id classification } } }';
const HANDLING = 'subscription Handling { packetAvailable { eventId packet { id handlingNote } } }';

/** A grant of one of the packets subgraph's field sets to the office (for the purpose category public-service). */
function packetsGrant(id: string, fieldSet: string, overrides: Partial<Grant> = {}): Grant {
  return {
    id,
    provider: '000.00.04.H41',
    consumer: OFFICE,
    service: 'packets',
    fieldSets: [fieldSet],
    purposes: ['public-service'],
    validFrom: '2025-07-01T00:00:00+07:00',
    ...overrides,
  };
}

describe('grant changes re-authorize active subscriptions', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisClients: RedisClient[] = [];
  const keyPrefixes: string[] = [];
  const own: RunningGateway[] = [];

  /**
   * A gateway whose grants live in Redis under a fresh key prefix, and the operator's handle on the same grants:
   * another Redis connection, as grant tooling or another replica has. Its changes reach the gateway only through
   * Redis (the change notification on `<prefix>grants:changed`).
   */
  async function gatewayWithGrants(grants: Grant[], mode: AuthorizationMode = 'filter'): Promise<{ wsUrl: string; operator: GrantStore }> {
    const keyPrefix = testKeyPrefix();
    keyPrefixes.push(keyPrefix);
    const gatewayRedis = await connectRedis(redisUrl);
    const operatorRedis = await connectRedis(redisUrl);
    redisClients.push(gatewayRedis, operatorRedis);
    const operator = createRedisGrantStore(operatorRedis, { keyPrefix });
    for (const grant of grants) await operator.put(grant);
    const running = await startTestGateway({}, true, { redis: { client: gatewayRedis, keyPrefix }, mode });
    own.push(running.gateway);
    return { wsUrl: running.wsUrl, operator };
  }

  after(async () => {
    // These gateways use the Redis clients below: close them first (the file's `after` skips them).
    for (const gateway of own)
      gateways.splice(
        gateways.findIndex((g) => g.gateway === gateway),
        1,
      );
    await Promise.allSettled(own.map((gateway) => gateway.close()));
    const [first] = redisClients;
    if (first !== undefined) {
      for (const prefix of keyPrefixes) {
        for (const pattern of [grantKeyPattern(prefix), agencySlotKeyPattern(prefix), auditKeyPattern(prefix)]) {
          for await (const keys of first.scanIterator({ MATCH: pattern, COUNT: 100 })) if (keys.length > 0) await first.del(keys);
        }
      }
    }
    await Promise.allSettled(redisClients.map((c) => c.quit()));
  });

  // A regression would leave the waits below waiting: the timeouts turn that into a failure.
  it(
    'ends a subscription with FORBIDDEN when a revoked grant changes what it may see; subscribing again gets the field nulled',
    { timeout: 30_000 },
    async () => {
      const grant = packetsGrant('test.classification.office', 'packets.classification');
      const { wsUrl, operator } = await gatewayWithGrants([grant]);
      const client = await open(wsUrl);
      await client.init(await token('vpubnd-h41-motcua'), { 'x-lgsp-purpose': PURPOSE });
      const activeBefore = feed.probe.active;
      client.subscribe('s', CLASSIFIED);
      await until(() => feed.probe.active === activeBefore + 1);
      const granted = feed.publish(OFFICE, 'p-1');
      assert.deepEqual((await client.forId('s')).payload, {
        data: { packetAvailable: { eventId: granted.eventId, packet: { id: 'p-1', classification: 'internal' } } },
      });

      await operator.remove(grant.id);
      const ended = await client.forId('s');
      assert.equal(ended.type, 'error');
      assert.equal(ended.payload.length, 1);
      assert.equal(ended.payload[0].extensions.code, 'FORBIDDEN');
      assert.match(ended.payload[0].message, /subscribe again/);
      await until(() => feed.probe.active === activeBefore); // its upstream stream was closed
      assert.equal(client.socket.readyState, WebSocket.OPEN, 'the connection stays open');

      client.subscribe('s', CLASSIFIED); // the id is free again after `error`
      await until(() => feed.probe.active === activeBefore + 1);
      const filtered = feed.publish(OFFICE, 'p-2');
      const event = await client.forId('s');
      assert.equal(event.type, 'next');
      assert.deepEqual(event.payload.data, { packetAvailable: { eventId: filtered.eventId, packet: { id: 'p-2', classification: null } } });
      assert.deepEqual(
        event.payload.errors.map((e: { path: string[]; extensions: { code: string } }) => [e.path.join('.'), e.extensions.code]),
        [['packetAvailable.packet.classification', 'UNAUTHORIZED_FIELD_OR_TYPE']],
      );

      // Granting it again changes the plan as well: the filtered subscription ends the same way.
      await operator.put(grant);
      const regranted = await client.forId('s');
      assert.equal(regranted.type, 'error');
      assert.equal(regranted.payload[0].extensions.code, 'FORBIDDEN');
      await client.close();
    },
  );

  it('keeps a subscription running when a grant change leaves what it may see unchanged', { timeout: 30_000 }, async () => {
    const classification = packetsGrant('test.classification.office', 'packets.classification');
    const handling = packetsGrant('test.handling.office', 'packets.handling');
    const { wsUrl, operator } = await gatewayWithGrants([classification, handling]);
    const client = await open(wsUrl);
    await client.init(await token('vpubnd-h41-motcua'), { 'x-lgsp-purpose': PURPOSE });
    const openedBefore = feed.probe.opened;
    client.subscribe('kept', CLASSIFIED);
    client.subscribe('sentinel', HANDLING);
    await until(() => feed.probe.opened === openedBefore + 2);

    // The grant 'kept' relies on gains a purpose, and another agency is granted the same field set: same plan.
    await operator.put({ ...classification, purposes: ['public-service', 'education'], basis: 'amended agreement' });
    await operator.put(packetsGrant('test.classification.finance', 'packets.classification', { consumer: FINANCE }));
    // Then a change that ends the sentinel. Changes are re-checked in the order they were made, and both
    // subscriptions share this socket: once the sentinel's `error` is here, 'kept' has been re-checked after each.
    await operator.remove(handling.id);
    const sentinel = await client.forId('sentinel');
    assert.equal(sentinel.type, 'error');
    assert.equal(sentinel.payload[0].extensions.code, 'FORBIDDEN');
    assert.deepEqual(
      client.messages.filter((m) => m.id === 'kept'),
      [],
      'nothing for the kept subscription',
    );

    const published = feed.publish(OFFICE, 'p-3');
    const event = await client.forId('kept');
    assert.equal(event.type, 'next');
    assert.deepEqual(event.payload, { data: { packetAvailable: { eventId: published.eventId, packet: { id: 'p-3', classification: 'internal' } } } });
    assert.equal(feed.probe.opened, openedBefore + 2, 'still on its first upstream stream');
    await client.close();
  });

  it('in dry-run, ends a subscription whose reported decisions changed and keeps one whose decisions are the same', { timeout: 30_000 }, async () => {
    const classification = packetsGrant('test.classification.office', 'packets.classification');
    const { wsUrl, operator } = await gatewayWithGrants([classification], 'dry-run');
    const client = await open(wsUrl);
    await client.init(await token('vpubnd-h41-motcua'), { 'x-lgsp-purpose': PURPOSE });
    const openedBefore = feed.probe.opened;
    client.subscribe('kept', HANDLING); // handlingNote is not granted: reported as denied, delivered all the same
    client.subscribe('sentinel', CLASSIFIED); // nothing denied
    await until(() => feed.probe.opened === openedBefore + 2);
    const first = feed.publish(OFFICE, 'p-1');
    const reported = (await client.forId('kept')).payload;
    assert.deepEqual(reported.data, { packetAvailable: { eventId: first.eventId, packet: { id: 'p-1', handlingNote: 'forward to the one-stop desk' } } });
    assert.equal(reported.extensions.authorization.mode, 'dry-run');
    assert.deepEqual(
      reported.extensions.authorization.denied.map((d: { path: string[]; code: string }) => [d.path.join('.'), d.code]),
      [['packetAvailable.packet.handlingNote', 'UNAUTHORIZED_FIELD_OR_TYPE']],
    );
    assert.deepEqual((await client.forId('sentinel')).payload, {
      data: { packetAvailable: { eventId: first.eventId, packet: { id: 'p-1', classification: 'internal' } } },
    });

    // Changes that leave what 'kept' is told as it was: another agency granted handling, a purpose added.
    await operator.put(packetsGrant('test.handling.finance', 'packets.handling', { consumer: FINANCE }));
    await operator.put({ ...classification, purposes: ['public-service', 'education'] });
    // Then one that changes the sentinel's decisions (classification now denied): it ends. Changes are re-checked in
    // the order they were made, 'kept' before the sentinel: once the sentinel's `error` is here, 'kept' was re-checked.
    await operator.remove(classification.id);
    const sentinel = await client.forId('sentinel');
    assert.equal(sentinel.type, 'error');
    assert.equal(sentinel.payload[0].extensions.code, 'FORBIDDEN');
    assert.match(sentinel.payload[0].message, /subscribe again/);
    assert.deepEqual(
      client.messages.filter((m) => m.id === 'kept'),
      [],
      'nothing for the kept subscription',
    );
    const second = feed.publish(OFFICE, 'p-2');
    const still = await client.forId('kept');
    assert.equal(still.type, 'next');
    assert.equal(still.payload.data.packetAvailable.eventId, second.eventId);
    assert.deepEqual(still.payload.extensions, reported.extensions, 'the same decisions, still true');

    // Granting handling to the office makes 'kept''s decisions stale: it ends too.
    await operator.put(packetsGrant('test.handling.office', 'packets.handling'));
    const ended = await client.forId('kept');
    assert.equal(ended.type, 'error');
    assert.equal(ended.payload[0].extensions.code, 'FORBIDDEN');
    assert.match(ended.payload[0].message, /subscribe again/);
    assert.equal(client.socket.readyState, WebSocket.OPEN, 'the connection stays open');
    await client.close();
  });
});

describe('a grant change while a subscription is being authorized', () => {
  /** A gateway deciding with grants held in memory, whose reads the test can hold (testing/gated-grant-store.ts). */
  async function gatewayWithGatedGrants(grants: Grant[]) {
    const gated = gatedGrantStore(createMemoryGrantStore(grants));
    const { wsUrl } = await startTestGateway({}, true, { grants: gated.store });
    const client = await open(wsUrl);
    await client.init(await token('vpubnd-h41-motcua'), { 'x-lgsp-purpose': PURPOSE });
    return { client, gated };
  }

  it('re-checks the subscription once it is registered and ends it when its plan changed', { timeout: 30_000 }, async () => {
    const grant = packetsGrant('test.classification.office', 'packets.classification');
    const { client, gated } = await gatewayWithGatedGrants([grant]);
    const activeBefore = feed.probe.active;
    const authorizing = gated.holdNextRead();
    client.subscribe('s', CLASSIFIED);
    await authorizing.reached; // onSubscribe's authorization has read the grants (the classification grant still there)
    await gated.store.remove(grant.id); // the re-check of active subscriptions runs now, without 's'
    const recheck = gated.holdNextRead();
    authorizing.release(); // 's' is authorized with what was read before the change
    await recheck.reached; // ...and, registered, read the grants again because they changed meanwhile
    recheck.release();
    const ended = await client.forId('s');
    assert.equal(ended.type, 'error');
    assert.equal(ended.payload.length, 1);
    assert.equal(ended.payload[0].extensions.code, 'FORBIDDEN');
    assert.match(ended.payload[0].message, /subscribe again/);
    await until(() => feed.probe.active === activeBefore);
    await client.close();
  });

  it('keeps it running when the change leaves its plan as it was', { timeout: 30_000 }, async () => {
    const { client, gated } = await gatewayWithGatedGrants([packetsGrant('test.classification.office', 'packets.classification')]);
    const activeBefore = feed.probe.active;
    const authorizing = gated.holdNextRead();
    client.subscribe('s', CLASSIFIED);
    await authorizing.reached;
    await gated.store.put(packetsGrant('test.classification.finance', 'packets.classification', { consumer: FINANCE }));
    const recheck = gated.holdNextRead();
    authorizing.release();
    await recheck.reached;
    recheck.release();
    await until(() => feed.probe.active === activeBefore + 1);
    const published = feed.publish(OFFICE, 'p-3');
    const event = await client.forId('s');
    assert.equal(event.type, 'next');
    assert.deepEqual(event.payload, { data: { packetAvailable: { eventId: published.eventId, packet: { id: 'p-3', classification: 'internal' } } } });
    await client.close();
    await until(() => feed.probe.active === activeBefore);
  });
});

describe('keep-alive and connection initialisation', () => {
  it('pings acknowledged connections and terminates those that stop answering', async () => {
    const { wsUrl } = await startTestGateway({ keepAliveMs: 40 });
    const tokenValue = await token('vpubnd-h41-motcua');
    const alive = await open(wsUrl);
    await alive.init(tokenValue);
    for (let i = 0; i < 3; i++) await alive.next((m) => m.type === 'ping'); // answered each time: stays open
    assert.equal(alive.socket.readyState, WebSocket.OPEN);

    const silent = await open(wsUrl);
    await silent.init(tokenValue);
    silent.answerPings = false;
    await silent.next((m) => m.type === 'ping');
    assert.equal((await silent.closed).code, 1006, 'terminated without a close frame');
  });

  it('closes a connection that sends no connection_init with 4408', async () => {
    const { wsUrl } = await startTestGateway({ connectionInitTimeoutMs: 50 });
    const idle = await open(wsUrl);
    const closed = await idle.closed;
    assert.equal(closed.code, 4408);
  });

  it('accepts anonymous connections when authentication is optional; the subgraph decides what they may follow', async () => {
    const { wsUrl } = await startTestGateway({}, false);
    const client = await open(wsUrl);
    await client.init(undefined);
    client.subscribe('s', PACKETS);
    const answer = await client.forId('s');
    assert.equal(answer.type, 'next');
    assert.equal(answer.payload.errors[0].extensions.code, 'FORBIDDEN');
    assert.equal(answer.payload.errors[0].extensions.serviceName, 'events');
    assert.equal((await client.forId('s')).type, 'complete');
    await client.close();
  });
});

describe('limits per agency and per connection', () => {
  it("refuses a connection beyond the agency's limit with 1013 and accepts it again once one closes", async () => {
    const { wsUrl, registry } = await startTestGateway({ maxConnectionsPerAgency: 1 });
    const office = await token('vpubnd-h41-motcua');
    const first = await open(wsUrl);
    await first.init(office);
    const second = await open(wsUrl);
    second.send({ type: 'connection_init', payload: { authorization: `Bearer ${office}` } });
    const refused = await second.closed;
    assert.equal(refused.code, 1013);
    assert.match(refused.reason, /000\.00\.01\.H41/);
    const finance = await open(wsUrl);
    await finance.init(await token('sotaichinh-h41-dkkd')); // another agency has its own budget
    await first.close();
    await until(async () => (await metric(registry, 'lgsp_gateway_ws_connections')) === 1);
    const third = await open(wsUrl);
    await third.init(office);
  });

  it('refuses subscriptions beyond the per-connection and per-agency limits with LIMIT_EXCEEDED', async () => {
    const { wsUrl, registry } = await startTestGateway({ maxSubscriptionsPerConnection: 2, maxSubscriptionsPerAgency: 3 });
    const office = await token('vpubnd-h41-motcua');
    const first = await open(wsUrl);
    const second = await open(wsUrl);
    await first.init(office);
    await second.init(office);
    first.subscribe('1', PACKETS);
    first.subscribe('2', PACKETS, { after: '0' });
    first.subscribe('3', PACKETS);
    const perConnection = await first.forId('3');
    assert.equal(perConnection.type, 'error');
    assert.equal(perConnection.payload[0].extensions.code, 'LIMIT_EXCEEDED');
    assert.match(perConnection.payload[0].message, /connection/);

    second.subscribe('a', PACKETS);
    second.subscribe('b', PACKETS);
    const perAgency = await second.forId('b');
    assert.equal(perAgency.type, 'error');
    assert.equal(perAgency.payload[0].extensions.code, 'LIMIT_EXCEEDED');
    assert.match(perAgency.payload[0].message, /agency/);

    first.send({ id: '1', type: 'complete' });
    await until(async () => (await metric(registry, 'lgsp_gateway_ws_subscriptions')) === 2);
    second.subscribe('b', PACKETS); // a slot is free again
    await until(async () => (await metric(registry, 'lgsp_gateway_ws_subscriptions')) === 3);
    const published = feed.publish(OFFICE, 'p-8');
    const again = await second.forId('b');
    assert.equal(again.type, 'next');
    assert.equal(again.payload.data.packetAvailable.eventId, published.eventId);
    await Promise.all([first.close(), second.close()]);
  });
});

describe('limits per agency across gateway replicas sharing Redis', { timeout: 30_000 }, () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const timing = { limitLeaseTtlMs: 600, limitRefreshMs: 150 };
  const redisClients: RedisClient[] = [];
  const keyPrefixes: string[] = [];
  const own: RunningGateway[] = [];
  const observers: AgencySlots[] = [];

  /**
   * Two gateways sharing one Redis under a fresh key prefix (each with its own connection, as two replicas), and a
   * view of the slots taken in Redis.
   */
  async function replicas(subscriptions: Partial<SubscriptionsConfig>) {
    const keyPrefix = testKeyPrefix();
    keyPrefixes.push(keyPrefix);
    const started = [];
    for (let i = 0; i < 2; i += 1) {
      const redis = await connectRedis(redisUrl);
      redisClients.push(redis);
      const running = await startTestGateway({ ...timing, ...subscriptions }, true, { redis: { client: redis, keyPrefix } });
      own.push(running.gateway);
      started.push({ ...running, redis });
    }
    const observerRedis = await connectRedis(redisUrl);
    redisClients.push(observerRedis);
    const slots = createRedisAgencySlots(observerRedis, {
      keyPrefix,
      leaseTtlMs: timing.limitLeaseTtlMs,
      refreshMs: timing.limitRefreshMs,
      logger: createLogger('gateway', 'silent'),
    });
    observers.push(slots);
    return { first: started[0]!, second: started[1]!, slots };
  }

  after(async () => {
    // These gateways use the Redis clients below: close them first (the file's `after` skips them).
    for (const gateway of own)
      gateways.splice(
        gateways.findIndex((g) => g.gateway === gateway),
        1,
      );
    await Promise.allSettled(own.map((gateway) => gateway.close()));
    await Promise.allSettled(observers.map((slots) => slots.close()));
    const cleaner = await connectRedis(redisUrl);
    for (const prefix of keyPrefixes) {
      for (const pattern of [grantKeyPattern(prefix), agencySlotKeyPattern(prefix), auditKeyPattern(prefix)]) {
        for await (const keys of cleaner.scanIterator({ MATCH: pattern, COUNT: 100 })) if (keys.length > 0) await cleaner.del(keys);
      }
    }
    await cleaner.quit();
    await Promise.allSettled(redisClients.filter((c) => c.isOpen).map((c) => c.quit()));
  });

  it("enforce one agency's connection limit together; a slot released on one is free on the other", async () => {
    const { first, second, slots } = await replicas({ maxConnectionsPerAgency: 2 });
    const office = await token('vpubnd-h41-motcua');
    const onFirst = await open(first.wsUrl);
    await onFirst.init(office);
    const onSecond = await open(second.wsUrl);
    await onSecond.init(office);
    assert.equal(await slots.count('connections', OFFICE), 2);

    for (const url of [second.wsUrl, first.wsUrl]) {
      const over = await open(url);
      over.send({ type: 'connection_init', payload: { authorization: `Bearer ${office}` } });
      const refused = await over.closed;
      assert.equal(refused.code, 1013, 'the same close code as a single gateway');
      assert.equal(refused.reason, 'Too many connections for agency 000.00.01.H41 (limit 2)');
    }
    const finance = await open(second.wsUrl);
    await finance.init(await token('sotaichinh-h41-dkkd')); // another agency has its own budget

    await onFirst.close();
    await until(async () => (await slots.count('connections', OFFICE)) === 1);
    const again = await open(second.wsUrl);
    await again.init(office);
    assert.equal(await slots.count('connections', OFFICE), 2);
    await Promise.all([onSecond.close(), again.close(), finance.close()]);
    await until(async () => (await slots.count('connections', OFFICE)) === 0);
  });

  it('hands the slots of a replica that stops refreshing back after the TTL; that replica keeps serving on its own count', async () => {
    const { first, second, slots } = await replicas({ maxConnectionsPerAgency: 1 });
    const office = await token('vpubnd-h41-motcua');
    const held = await open(first.wsUrl);
    await held.init(office);
    await new Promise((resolve) => setTimeout(resolve, 3 * timing.limitLeaseTtlMs)); // refreshed all along
    const refused = await open(second.wsUrl);
    refused.send({ type: 'connection_init', payload: { authorization: `Bearer ${office}` } });
    assert.equal((await refused.closed).code, 1013);

    // The first replica loses Redis for good, as one that died would: no refresh, no release reaches Redis.
    first.redis.destroy();
    await until(async () => (await slots.count('connections', OFFICE)) === 0);
    const taken = await open(second.wsUrl);
    await taken.init(office);

    // Without Redis the first replica fails open: another agency still connects, counted on that replica only.
    const finance = await open(first.wsUrl);
    await finance.init(await token('sotaichinh-h41-dkkd'));
    assert.ok((await metric(first.registry, 'lgsp_gateway_ws_limit_store_failures_total')) >= 1);
    const overLocally = await open(first.wsUrl);
    overLocally.send({ type: 'connection_init', payload: { authorization: `Bearer ${office}` } });
    assert.equal((await overLocally.closed).code, 1013, 'its own count still holds the limit');
    await Promise.all([held.close(), taken.close(), finance.close()]);
  });

  it("enforce one agency's subscription limit together, with LIMIT_EXCEEDED as on one gateway", async () => {
    const { first, second, slots } = await replicas({ maxSubscriptionsPerAgency: 2 });
    const office = await token('vpubnd-h41-motcua');
    const onFirst = await open(first.wsUrl);
    const onSecond = await open(second.wsUrl);
    await onFirst.init(office);
    await onSecond.init(office);
    const activeBefore = feed.probe.active;
    onFirst.subscribe('a1', PACKETS);
    onSecond.subscribe('b1', PACKETS);
    await until(() => feed.probe.active === activeBefore + 2); // one upstream stream per gateway
    for (const [client, id] of [
      [onSecond, 'b2'],
      [onFirst, 'a2'],
    ] as const) {
      client.subscribe(id, PACKETS);
      const refused = await client.forId(id);
      assert.equal(refused.type, 'error');
      assert.equal(refused.payload[0].extensions.code, 'LIMIT_EXCEEDED');
      assert.equal(refused.payload[0].message, 'Too many subscriptions for agency 000.00.01.H41 (limit 2)');
    }

    onFirst.send({ id: 'a1', type: 'complete' });
    await until(async () => (await slots.count('subscriptions', OFFICE)) === 1);
    onSecond.subscribe('b2', PACKETS); // the slot released on the first gateway
    await until(async () => (await metric(second.registry, 'lgsp_gateway_ws_subscriptions')) === 2);
    const published = feed.publish(OFFICE, 'p-8');
    const event = await onSecond.forId('b2');
    assert.equal(event.type, 'next');
    assert.equal(event.payload.data.packetAvailable.eventId, published.eventId);
    await Promise.all([onFirst.close(), onSecond.close()]);
    await until(() => feed.probe.active === activeBefore);
    await until(async () => (await slots.count('subscriptions', OFFICE)) === 0);
  });
});

describe('shutdown', () => {
  it('closes client connections with 1001 and the upstream streams', async () => {
    const running = await startTestGateway();
    const client = await open(running.wsUrl);
    await client.init(await token('vpubnd-h41-motcua'));
    client.subscribe('s', PACKETS);
    await until(() => feed.probe.active >= 1);
    const activeBefore = feed.probe.active;
    await running.gateway.close();
    assert.equal((await client.closed).code, 1001);
    await until(() => feed.probe.active === activeBefore - 1);
  });
});
