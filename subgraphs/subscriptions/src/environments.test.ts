/**
 * Issue 16, test and production environments: a subscriber whose principal is of the test environment follows the
 * test namespace's topics and never production's, and the reverse — on Redis (the streams under `<prefix>test:`, where
 * the relay's test namespace writes, `namespaceKeyPrefix`) and in embedded mode (posts to `/internal/events` that
 * name their environment). Real Redis, real graphql-ws clients, real signed internal tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { httpEventPublisher, namespaceKeyPrefix, redisEventPublisher, TopicFamily, topics, type EventPublisher } from '@lgsp/events';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, type Environment, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startSubscriptions, type RunningSubscriptions } from './service.ts';
import { eventually, follow, redisUrl, testRedis } from './testing.ts';

const A = '000.00.03.H41';
const B = '000.00.04.H41';
const silent = createLogger('subscriptions-environments-test', 'silent');
/** A system of agency A, with test credentials or production ones (absent environment = production). */
const systemOfA = (environment?: Environment): Principal => ({
  kind: 'system',
  agencyCode: A,
  systemId: `${A}:vpdt`,
  roles: [],
  scopes: [],
  ...(environment === undefined ? {} : { environment }),
});

/**
 * Runs the same checks over a service and the two publishers its namespaces are fed by: each subscriber sees its own
 * environment's events, in order, and none of the other's (a foreign event published between two of its own would be
 * the next item if it leaked).
 */
function namespaceChecks(
  setup: () => { service: RunningSubscriptions; connect(principal: Principal): Promise<Client>; production: EventPublisher; test: EventPublisher },
) {
  const open = (service: RunningSubscriptions, environment: Environment, count: number) =>
    eventually(
      () => (environment === 'test' ? service.testStream : service.stream).stats().subscriptions === count,
      `${count} ${environment} subscriptions are open`,
    );

  it("a test-environment subscriber gets the test namespace's packetAvailable events and none of production's", async () => {
    const { service, connect, production, test } = setup();
    const inbox = follow(await connect(systemOfA('test')), 'subscription { packetAvailable { packet { id } source { code } } }');
    await open(service, 'test', 1);
    await production.publish(TopicFamily.packetAvailable, A, { packetId: 'production-1', sourceAgency: B });
    await test.publish(TopicFamily.packetAvailable, A, { packetId: 'test-1', sourceAgency: B });
    await production.publish(TopicFamily.packetAvailable, A, { packetId: 'production-2', sourceAgency: B });
    await test.publish(TopicFamily.packetAvailable, A, { packetId: 'test-2', sourceAgency: B });
    assert.deepEqual(await inbox.data('packetAvailable'), { packet: { id: 'test-1' }, source: { code: B } });
    assert.deepEqual(await inbox.data('packetAvailable'), { packet: { id: 'test-2' }, source: { code: B } });
    assert.equal(inbox.pending(), 0);
    assert.equal(service.stream.stats().subscriptions, 0, 'no production topic was followed for the test subscriber');
    inbox.dispose();
    await open(service, 'test', 0);
  });

  it("a production subscriber (no environment, or production) gets production's events and none of the test namespace's", async () => {
    const { service, connect, production, test } = setup();
    const unnamed = follow(await connect(systemOfA()), 'subscription { packetAvailable { packet { id } } }');
    const named = follow(await connect(systemOfA('production')), 'subscription { packetAvailable { packet { id } } }');
    await open(service, 'production', 2);
    await test.publish(TopicFamily.packetAvailable, A, { packetId: 'test-3', sourceAgency: B });
    await production.publish(TopicFamily.packetAvailable, A, { packetId: 'production-3', sourceAgency: B });
    await test.publish(TopicFamily.packetAvailable, A, { packetId: 'test-4', sourceAgency: B });
    await production.publish(TopicFamily.packetAvailable, A, { packetId: 'production-4', sourceAgency: B });
    for (const inbox of [unnamed, named]) {
      assert.deepEqual(await inbox.data('packetAvailable'), { packet: { id: 'production-3' } });
      assert.deepEqual(await inbox.data('packetAvailable'), { packet: { id: 'production-4' } });
      assert.equal(inbox.pending(), 0);
      inbox.dispose();
    }
    assert.equal(service.testStream.stats().subscriptions, 0);
    await open(service, 'production', 0);
  });

  it("packetStatusChanged follows the subscriber's namespace too, and after replays within it", async () => {
    const { service, connect, production, test } = setup();
    const first = await test.publish(TopicFamily.packetStatus, A, { packetId: 'pk-test', recipient: B, status: 'CLAIMED' });
    await production.publish(TopicFamily.packetStatus, A, { packetId: 'pk-production', recipient: B, status: 'DELIVERED' });
    const second = await test.publish(TopicFamily.packetStatus, A, { packetId: 'pk-test', recipient: B, status: 'DELIVERED' });
    const statuses = follow(
      await connect(systemOfA('test')),
      'subscription ($after: ID) { packetStatusChanged(after: $after) { eventId packet { id } status } }',
      {
        after: first,
      },
    );
    assert.deepEqual(await statuses.data('packetStatusChanged'), { eventId: second, packet: { id: 'pk-test' }, status: 'DELIVERED' });
    await open(service, 'test', 1);
    await production.publish(TopicFamily.packetStatus, A, { packetId: 'pk-production', recipient: B, status: 'REJECTED' });
    const third = await test.publish(TopicFamily.packetStatus, A, { packetId: 'pk-test', recipient: B, status: 'REJECTED' });
    assert.deepEqual(await statuses.data('packetStatusChanged'), { eventId: third, packet: { id: 'pk-test' }, status: 'REJECTED' });
    assert.equal(statuses.pending(), 0);
    statuses.dispose();
    await open(service, 'test', 0);
  });
}

describe('test and production namespaces on Redis', () => {
  let issuer: InternalTokenIssuer;
  let service: RunningSubscriptions;
  let r: Awaited<ReturnType<typeof testRedis>>;
  let production: EventPublisher;
  let test: EventPublisher;
  const clients: Client[] = [];
  const connect = async (principal: Principal) => {
    const token = await issuer.tokenFor(principal);
    const client = createClient({ url: service.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(client);
    return client;
  };

  before(async () => {
    r = await testRedis();
    // The relay's two publishers on Redis: production's under the prefix, the test namespace's under `<prefix>test:`.
    production = redisEventPublisher(r.redis, { keyPrefix: r.keyPrefix, retention: 1_000 });
    test = redisEventPublisher(r.redis, { keyPrefix: namespaceKeyPrefix(r.keyPrefix, 'test'), retention: 1_000 });
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const config = configSchema.parse({ PORT: '0', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: r.keyPrefix, SUBSCRIPTIONS_BLOCK_MS: '1000', LOG_LEVEL: 'silent' });
    service = await startSubscriptions(config, { verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }), logger: silent });
  });
  after(async () => {
    for (const client of clients) await client.dispose();
    await service.close();
    await r.cleanup();
  });

  namespaceChecks(() => ({ service, connect, production, test }));

  it('keeps the test namespace in its own streams: `<prefix>test:events:<topic>`', async () => {
    await test.publish(TopicFamily.packetAvailable, B, { packetId: 'where', sourceAgency: A });
    assert.equal(await r.redis.exists(`${r.keyPrefix}test:events:${topics.packetAvailable(B)}`), 1);
    assert.equal(await r.redis.exists(`${r.keyPrefix}events:${topics.packetAvailable(B)}`), 0);
  });
});

describe('test and production namespaces in embedded mode (no Redis): posts name their environment', () => {
  const token = 'environments-publish-token-0123456789abcdef';
  let issuer: InternalTokenIssuer;
  let service: RunningSubscriptions;
  let production: EventPublisher;
  let test: EventPublisher;
  const clients: Client[] = [];
  const connect = async (principal: Principal) => {
    const bearer = await issuer.tokenFor(principal);
    const client = createClient({ url: service.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${bearer}` } });
    clients.push(client);
    return client;
  };
  const post = (body: unknown) =>
    fetch(`${service.origin}/internal/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  before(async () => {
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const config = configSchema.parse({ PORT: '0', EVENTS_PUBLISH_TOKEN: token, SUBSCRIPTIONS_BLOCK_MS: '1000', LOG_LEVEL: 'silent' });
    service = await startSubscriptions(config, { verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }), logger: silent });
    // The relay's two publishers without Redis: production's posts name no environment, the test namespace's `test`.
    production = httpEventPublisher({ baseUrl: service.origin, token });
    test = httpEventPublisher({ baseUrl: service.origin, token, environment: 'test' });
  });
  after(async () => {
    for (const client of clients) await client.dispose();
    await service.close();
  });

  namespaceChecks(() => ({ service, connect, production, test }));

  it('stores a post in the topics of the environment it names, single or batch; "production" is production', async () => {
    const topic = topics.packetAvailable(B);
    const single = await post({ environment: 'test', topic, fields: { packetId: 'single', sourceAgency: A } });
    assert.equal(single.status, 201);
    const batch = await post({ environment: 'production', events: [{ topic, fields: { packetId: 'batch', sourceAgency: A } }] });
    assert.equal(batch.status, 201);
    const ids = async (stream: RunningSubscriptions['stream']) => {
      const subscription = await stream.subscribe(topic, { after: '0-0' });
      const seen: string[] = [];
      for (;;) {
        const next = await Promise.race([subscription.next(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 200))]);
        if (next === null || next.done === true) break;
        seen.push(next.value.fields.packetId!);
      }
      await subscription.return();
      return seen;
    };
    assert.deepEqual(await ids(service.testStream), ['single']);
    assert.deepEqual(await ids(service.stream), ['batch']);
  });

  it('refuses an unknown environment (400 BAD_USER_INPUT) and stores nothing', async () => {
    const topic = topics.packetAvailable('000.00.09.H41');
    for (const body of [
      { environment: 'staging', topic, fields: { packetId: 'x', sourceAgency: A } },
      { environment: 'TEST', events: [{ topic, fields: { packetId: 'x', sourceAgency: A } }] },
      { environment: null, events: [{ topic, fields: { packetId: 'x', sourceAgency: A } }] },
      { environment: 'test', other: 1, events: [{ topic, fields: { packetId: 'x', sourceAgency: A } }] },
    ]) {
      const answer = await post(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      const { errors } = (await answer.json()) as { errors: Array<{ extensions: { code: string } }> };
      assert.equal(errors[0]!.extensions.code, 'BAD_USER_INPUT');
    }
    for (const stream of [service.stream, service.testStream]) {
      const subscription = await stream.subscribe(topic, { after: '0-0' });
      const next = await Promise.race([subscription.next(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 200))]);
      assert.equal(next, null, 'nothing was stored');
      await subscription.return();
    }
  });
});
