/**
 * The subscriptions subgraph end to end over real sockets: a graphql-ws client (as the gateway connects), real
 * Redis streams written by the publisher the relay and catalogs use (`@lgsp/events`), real signed tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { httpEventPublisher, redisEventPublisher, registryEventFields, TopicFamily, topics, type EventPublisher } from '@lgsp/events';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, Role, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startSubscriptions, type RunningSubscriptions } from './service.ts';
import { eventually, follow, redisUrl, testRedis, type Item } from './testing.ts';

const A = '000.00.03.H41';
const B = '000.00.04.H41';
const agency = (code: string): Principal => ({ kind: 'system', agencyCode: code, systemId: `system-${code}`, roles: [], scopes: [] });
const operator: Principal = { kind: 'user', userId: 'op-1', roles: [Role.operator], scopes: [] };
const anonymous: Principal = { kind: 'anonymous', roles: [], scopes: [] };
const silent = createLogger('subscriptions-test', 'silent');

describe('subscriptions subgraph over graphql-ws, on Redis', () => {
  let issuer: InternalTokenIssuer;
  let service: RunningSubscriptions;
  let r: Awaited<ReturnType<typeof testRedis>>;
  const clients: Client[] = [];
  const connect = async (principal: Principal | null, tokenIssuer?: InternalTokenIssuer) => {
    const token = principal === null ? undefined : await (tokenIssuer ?? issuer).tokenFor(principal);
    const closes: number[] = [];
    const client = createClient({
      url: service.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}`, 'x-request-id': 'test-request' },
      on: { closed: (event) => void closes.push((event as { code: number }).code) },
    });
    clients.push(client);
    return { client, closes };
  };
  let events: EventPublisher;
  const subscriptionsOpen = (count: number) => eventually(() => service.stream.stats().subscriptions === count, `${count} subscriptions are open`);

  before(async () => {
    r = await testRedis();
    events = redisEventPublisher(r.redis, { keyPrefix: r.keyPrefix, retention: 1_000 });
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const config = configSchema.parse({ PORT: '0', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: r.keyPrefix, SUBSCRIPTIONS_BLOCK_MS: '1000', LOG_LEVEL: 'silent' });
    service = await startSubscriptions(config, { verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }), logger: silent });
  });
  after(async () => {
    for (const client of clients) await client.dispose();
    await service.close();
    await r.cleanup();
  });

  it("delivers the relay's packet-available events to the recipient only, with entity keys", async () => {
    const { client } = await connect(agency(A));
    const inbox = follow(client, 'subscription { packetAvailable { eventId occurredAt packet { id } source { code } recipient { code } priority } }');
    await subscriptionsOpen(1);
    await events.publish('packet-available', B, { packetId: 'for-b', sourceAgency: A, priority: 'LOW' });
    const eventId = await events.publish('packet-available', A, { packetId: 'for-a', sourceAgency: B, priority: 'HIGH' });
    const event = await inbox.data('packetAvailable');
    assert.deepEqual(event, {
      eventId,
      occurredAt: new Date(Number(eventId.split('-')[0])).toISOString(),
      packet: { id: 'for-a' },
      source: { code: B },
      recipient: { code: A },
      priority: 'HIGH',
    });
    assert.equal(inbox.pending(), 0, "B's packet was not delivered to A");
    inbox.dispose();
    await subscriptionsOpen(0);
  });

  it('resumes with after: exactly the events missed while away, in order, then live ones', async () => {
    const { client } = await connect(agency(A));
    const query = 'subscription ($after: ID) { packetAvailable(after: $after) { eventId packet { id } } }';
    const first = follow(client, query);
    await subscriptionsOpen(1);
    await events.publish(TopicFamily.packetAvailable, A, { packetId: 'p1', sourceAgency: B });
    const seen = await first.data('packetAvailable');
    assert.equal(seen.packet.id, 'p1');
    first.dispose();
    await subscriptionsOpen(0);

    await events.publish(TopicFamily.packetAvailable, A, { packetId: 'p2', sourceAgency: B });
    await events.publish(TopicFamily.packetAvailable, B, { packetId: 'not-mine', sourceAgency: A });
    await events.publish(TopicFamily.packetAvailable, A, { packetId: 'p3', sourceAgency: B });
    const resumed = follow(client, query, { after: seen.eventId });
    assert.equal((await resumed.data('packetAvailable')).packet.id, 'p2');
    assert.equal((await resumed.data('packetAvailable')).packet.id, 'p3');
    await subscriptionsOpen(1);
    await events.publish(TopicFamily.packetAvailable, A, { packetId: 'p4', sourceAgency: B });
    assert.equal((await resumed.data('packetAvailable')).packet.id, 'p4');
    assert.equal(resumed.pending(), 0);
    resumed.dispose();
    await subscriptionsOpen(0);
  });

  it("refuses another agency's inbox (FORBIDDEN); an operator may follow it", async () => {
    const { client } = await connect(agency(A));
    const denied = follow(client, `subscription { packetAvailable(agencyCode: "${B}") { eventId } }`);
    const refusal = await denied.next();
    assert.equal(refusal.kind, 'next');
    assert.equal((refusal as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await denied.next()).kind, 'complete');

    const ops = (await connect(operator)).client;
    const watching = follow(ops, `subscription { packetAvailable(agencyCode: "${B}") { packet { id } recipient { code } } }`);
    await subscriptionsOpen(1);
    await events.publish(TopicFamily.packetAvailable, B, { packetId: 'seen-by-operator', sourceAgency: A });
    assert.deepEqual(await watching.data('packetAvailable'), { packet: { id: 'seen-by-operator' }, recipient: { code: B } });
    watching.dispose();
    await subscriptionsOpen(0);
  });

  it('delivers packet status changes of the followed packet that concern the agency, and nothing else', async () => {
    const { client } = await connect(agency(A));
    const statuses = follow(client, 'subscription { packetStatusChanged(packetId: "pk-1") { packet { id } source { code } recipient { code } status } }');
    await subscriptionsOpen(1);
    await events.publish(TopicFamily.packetStatus, A, { packetId: 'pk-2', recipient: B, status: 'CLAIMED' });
    // Written to A's topic by mistake: neither source nor recipient is A.
    await events.publish(TopicFamily.packetStatus, A, { packetId: 'pk-1', sourceAgency: B, recipient: '000.00.09.H41', status: 'CLAIMED' });
    await events.publish(TopicFamily.packetStatus, A, { packetId: 'pk-1', status: 'NOT_A_STATUS' });
    await events.publish(TopicFamily.packetStatus, A, { packetId: 'pk-1', recipient: B, status: 'DELIVERED' });
    await events.publish(TopicFamily.packetStatus, A, { packetId: 'pk-1', status: 'EXPIRED' });
    assert.deepEqual(await statuses.data('packetStatusChanged'), { packet: { id: 'pk-1' }, source: { code: A }, recipient: { code: B }, status: 'DELIVERED' });
    assert.deepEqual(await statuses.data('packetStatusChanged'), { packet: { id: 'pk-1' }, source: { code: A }, recipient: null, status: 'EXPIRED' });
    statuses.dispose();
    await subscriptionsOpen(0);
  });

  it('serves document status reports and catalog changes; anonymous callers are refused', async () => {
    const { client } = await connect(agency(A));
    const reports = follow(client, 'subscription { documentStatusReported { packet { id } reportedBy { code } statusCode statusPacket { id } } }');
    const catalogs = follow(client, 'subscription { catalogChanged(catalog: ADMINISTRATIVE_UNITS) { catalog version } }');
    await subscriptionsOpen(2);
    await events.publish('document-status', A, { packetId: 'doc-1', statusCode: '03', reportedBy: B, statusPacketId: 'st-1' });
    assert.deepEqual(await reports.data('documentStatusReported'), {
      packet: { id: 'doc-1' },
      reportedBy: { code: B },
      statusCode: '03',
      statusPacket: { id: 'st-1' },
    });
    await events.publish(TopicFamily.catalogChanged, null, { catalog: 'ETHNIC_GROUPS', version: '2' });
    await events.publish(TopicFamily.catalogChanged, null, { catalog: 'ADMINISTRATIVE_UNITS', version: '3' });
    assert.deepEqual(await catalogs.data('catalogChanged'), { catalog: 'ADMINISTRATIVE_UNITS', version: 3 });
    reports.dispose();
    catalogs.dispose();
    await subscriptionsOpen(0);

    const anon = (await connect(anonymous)).client;
    const refused = follow(anon, 'subscription { catalogChanged { version } }');
    const item = await refused.next();
    assert.equal((item as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it("serves the registry's agency-changed topic to any authenticated caller, filtered by code or successor", async () => {
    const { client } = await connect(agency(A));
    const all = follow(client, 'subscription { agencyChanged { agency { code } agencyCode change successors { code } effectiveFrom status version } }');
    const one = follow(client, `subscription { agencyChanged(agencyCode: "${B}") { agencyCode change } }`);
    await subscriptionsOpen(2);
    await events.publish(
      TopicFamily.agencyChanged,
      null,
      registryEventFields.agencyChanged({ code: '000.00.09.H41', change: 'REGISTERED', status: 'ACTIVE', version: 3 }),
    );
    await events.publish(
      TopicFamily.agencyChanged,
      null,
      registryEventFields.agencyChanged({ code: '000.00.08.H41', change: 'MERGED', successorCodes: [B], effectiveFrom: '2026-07-01' }),
    );
    assert.deepEqual(await all.data('agencyChanged'), {
      agency: { code: '000.00.09.H41' },
      agencyCode: '000.00.09.H41',
      change: 'REGISTERED',
      successors: [],
      effectiveFrom: null,
      status: 'ACTIVE',
      version: 3,
    });
    assert.deepEqual((await all.data('agencyChanged')).successors, [{ code: B }]);
    // B's follower sees the merger into B (B is the successor), not the registration of another agency.
    assert.deepEqual(await one.data('agencyChanged'), { agencyCode: '000.00.08.H41', change: 'MERGED' });
    assert.equal(one.pending(), 0);
    all.dispose();
    one.dispose();
    await subscriptionsOpen(0);
    const anon = (await connect(anonymous)).client;
    const refused = await follow(anon, 'subscription { agencyChanged { agencyCode } }').next();
    assert.equal((refused as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('serves service notices to the consumer agency only (an operator may follow any), filtered by service', async () => {
    const { client } = await connect(agency(A));
    const notices = follow(
      client,
      'subscription { serviceNoticeIssued(serviceCode: "citizens") { change serviceCode version noticeId sunsetAt reason coordinate provider { code } consumer { code } } }',
    );
    const denied = await follow(client, `subscription { serviceNoticeIssued(agencyCode: "${B}") { noticeId } }`).next();
    assert.equal((denied as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const ops = (await connect(operator)).client;
    const watching = follow(ops, `subscription { serviceNoticeIssued(agencyCode: "${B}") { noticeId consumer { code } } }`);
    await subscriptionsOpen(2);
    const notice = {
      serviceCode: 'citizens',
      version: 1,
      change: 'DEPRECATED',
      providerAgency: B,
      reason: 'use fullName',
      sunsetAt: '2026-09-01T00:00:00Z',
    } as const;
    await events.publish(TopicFamily.serviceNotice, A, registryEventFields.serviceNotice({ ...notice, noticeId: 'other-service', serviceCode: 'enterprises' }));
    await events.publish(TopicFamily.serviceNotice, A, { ...registryEventFields.serviceNotice({ ...notice, noticeId: 'wrong-topic' }), consumerAgency: B });
    await events.publish(TopicFamily.serviceNotice, B, registryEventFields.serviceNotice({ ...notice, noticeId: 'for-b' }));
    await events.publish(TopicFamily.serviceNotice, A, registryEventFields.serviceNotice({ ...notice, noticeId: 'n-1', coordinate: 'Citizen.name' }));
    assert.deepEqual(await notices.data('serviceNoticeIssued'), {
      change: 'DEPRECATED',
      serviceCode: 'citizens',
      version: '1',
      noticeId: 'n-1',
      sunsetAt: '2026-09-01T00:00:00.000Z',
      reason: 'use fullName',
      coordinate: 'Citizen.name',
      provider: { code: B },
      consumer: { code: A },
    });
    assert.deepEqual(await watching.data('serviceNoticeIssued'), { noticeId: 'for-b', consumer: { code: B } });
    assert.equal(notices.pending(), 0);
    notices.dispose();
    watching.dispose();
    await subscriptionsOpen(0);
  });

  it("serves access-request changes to the request's consumer and provider, including overdue flags", async () => {
    const asConsumer = follow(
      (await connect(agency(A))).client,
      'subscription { accessRequestChanged { accessRequestId state action overdue previousState consumer { code } provider { code } serviceCode dueAt } }',
    );
    const asProvider = follow(
      (await connect(agency(B))).client,
      'subscription { accessRequestChanged(accessRequestId: "ar-1") { accessRequestId state overdue } }',
    );
    await subscriptionsOpen(2);
    const request = { accessRequestId: 'ar-1', consumerAgency: A, providerAgency: B, serviceCode: 'citizens' };
    // The registry publishes each change to both agencies' topics.
    const overdue = registryEventFields.accessRequestChanged({
      ...request,
      state: 'PENDING_APPROVAL',
      action: 'OVERDUE',
      overdue: true,
      dueAt: '2026-02-27T17:00:00.000Z',
    });
    for (const agencyCode of [A, B]) await events.publish(TopicFamily.accessRequestChanged, agencyCode, overdue);
    const notOurs = registryEventFields.accessRequestChanged({
      ...request,
      accessRequestId: 'not-ours',
      consumerAgency: '000.00.09.H41',
      state: 'LIVE',
      action: 'CONFIRM_INTEGRATION',
      overdue: false,
    });
    await events.publish(TopicFamily.accessRequestChanged, A, notOurs);
    await events.publish(
      TopicFamily.accessRequestChanged,
      B,
      registryEventFields.accessRequestChanged({ ...request, accessRequestId: 'ar-2', state: 'TESTING', action: 'APPROVE', overdue: false }),
    );
    const approved = registryEventFields.accessRequestChanged({
      ...request,
      state: 'PROVIDER_APPROVED',
      previousState: 'PENDING_APPROVAL',
      action: 'APPROVE',
      overdue: false,
    });
    for (const agencyCode of [A, B]) await events.publish(TopicFamily.accessRequestChanged, agencyCode, approved);
    assert.deepEqual(await asConsumer.data('accessRequestChanged'), {
      accessRequestId: 'ar-1',
      state: 'PENDING_APPROVAL',
      action: 'OVERDUE',
      overdue: true,
      previousState: null,
      consumer: { code: A },
      provider: { code: B },
      serviceCode: 'citizens',
      dueAt: '2026-02-27T17:00:00.000Z',
    });
    assert.equal((await asConsumer.data('accessRequestChanged')).action, 'APPROVE');
    assert.deepEqual(await asProvider.data('accessRequestChanged'), { accessRequestId: 'ar-1', state: 'PENDING_APPROVAL', overdue: true });
    assert.deepEqual(await asProvider.data('accessRequestChanged'), { accessRequestId: 'ar-1', state: 'PROVIDER_APPROVED', overdue: false });
    assert.equal(asConsumer.pending() + asProvider.pending(), 0);
    asConsumer.dispose();
    asProvider.dispose();
    await subscriptionsOpen(0);
  });

  it("serves system health changes to the system's agency (an operator may follow any), filtered by system", async () => {
    const { client } = await connect(agency(A));
    const health = follow(
      client,
      'subscription { systemHealthChanged { systemId system { id } agency { code } status previousStatus level source at detail } }',
    );
    const denied = await follow(client, `subscription { systemHealthChanged(agencyCode: "${B}") { systemId } }`).next();
    assert.equal((denied as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const ops = (await connect(operator)).client;
    const watching = follow(ops, `subscription { systemHealthChanged(agencyCode: "${B}", systemId: "${B}:mot-cua") { systemId status } }`);
    await subscriptionsOpen(2);
    const offline = { status: 'OFFLINE', previousStatus: 'ONLINE', level: '1', source: 'pull', at: '2026-11-05T01:00:00.000Z', detail: 'ECONNREFUSED' };
    // A publisher writing another agency's system to A's topic is not believed.
    await events.publish(TopicFamily.systemHealthChanged, A, { ...offline, systemId: `${B}:mot-cua` });
    await events.publish(TopicFamily.systemHealthChanged, A, { ...offline, systemId: `${A}:dang-ky` });
    await events.publish(TopicFamily.systemHealthChanged, B, { ...offline, systemId: `${B}:other` });
    await events.publish(TopicFamily.systemHealthChanged, B, {
      ...offline,
      systemId: `${B}:mot-cua`,
      status: 'ONLINE',
      previousStatus: 'OFFLINE',
      source: 'push',
    });
    assert.deepEqual(await health.data('systemHealthChanged'), {
      systemId: `${A}:dang-ky`,
      system: { id: `${A}:dang-ky` },
      agency: { code: A },
      status: 'OFFLINE',
      previousStatus: 'ONLINE',
      level: 1,
      source: 'PULL',
      at: '2026-11-05T01:00:00.000Z',
      detail: 'ECONNREFUSED',
    });
    assert.deepEqual(await watching.data('systemHealthChanged'), { systemId: `${B}:mot-cua`, status: 'ONLINE' });
    assert.equal(health.pending() + watching.pending(), 0);
    health.dispose();
    watching.dispose();
    await subscriptionsOpen(0);
  });

  it('rejects a malformed after and one later than any event', async () => {
    const { client } = await connect(agency(A));
    const malformed = follow(client, 'subscription { packetAvailable(after: "yesterday") { eventId } }');
    const item = await malformed.next();
    assert.equal((item as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const future = follow(client, `subscription { packetAvailable(after: "${Date.now() + 3_600_000}-0") { eventId } }`);
    const item2 = await future.next();
    assert.equal((item2 as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.reason, 'AFTER_UNKNOWN');
    await subscriptionsOpen(0);
  });

  it('closes a connection without a valid gateway token with 4403', async () => {
    for (const [principal, tokenIssuer] of [
      [null, undefined],
      [agency(A), await createInternalTokenIssuer({ ttlSeconds: 60 })],
    ] as const) {
      const { client, closes } = await connect(principal, tokenIssuer);
      const refused = follow(client, 'subscription { catalogChanged { version } }');
      const item = await refused.next();
      assert.equal(item.kind, 'error');
      assert.equal((item as Extract<Item, { kind: 'error' }>).error.code, 4403);
      assert.deepEqual(closes, [4403]);
    }
  });

  it('shares one topic reader between identical subscriptions of two connections, and reports it in metrics', async () => {
    const one = follow((await connect(agency(A))).client, 'subscription { packetAvailable { packet { id } } }');
    const two = follow((await connect(agency(A))).client, 'subscription { packetAvailable { packet { id } } }');
    await subscriptionsOpen(2);
    assert.equal(service.stream.stats().readers, 1);
    const metrics = await (await fetch(`${service.origin}/metrics`)).text();
    assert.match(metrics, /lgsp_subscriptions_active\{kind="readers",service="subscriptions"\} 1/);
    assert.match(metrics, /lgsp_subscriptions_active\{kind="subscriptions",service="subscriptions"\} 2/);
    await events.publish(TopicFamily.packetAvailable, A, { packetId: 'both', sourceAgency: B });
    assert.equal((await one.data('packetAvailable')).packet.id, 'both');
    assert.equal((await two.data('packetAvailable')).packet.id, 'both');
    one.dispose();
    two.dispose();
    await eventually(() => service.stream.stats().readers === 0, 'the reader stopped');
  });

  it('answers GraphQL over HTTP (federation _service, subscriptionTopics) only with the gateway token', async () => {
    const body = JSON.stringify({ query: '{ _service { sdl } subscriptionTopics { name field } }' });
    const refused = await fetch(service.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(refused.status, 401);
    const ok = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(agency(A))}` },
      body,
    });
    const result = (await ok.json()) as { data: { _service: { sdl: string }; subscriptionTopics: Array<{ field: string }> } };
    assert.match(result.data._service.sdl, /type Subscription/);
    assert.deepEqual(
      result.data.subscriptionTopics.map((t) => t.field),
      [
        'packetAvailable',
        'packetStatusChanged',
        'documentStatusReported',
        'catalogChanged',
        'agencyChanged',
        'serviceNoticeIssued',
        'accessRequestChanged',
        'systemHealthChanged',
      ],
    );
  });
});

describe('subscriptions subgraph in embedded mode (no Redis): publishers post to /internal/events', () => {
  const token = 'embedded-publish-token-0123456789abcdef';
  let issuer: InternalTokenIssuer;
  let service: RunningSubscriptions;
  let client: Client;
  before(async () => {
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const config = configSchema.parse({ PORT: '0', EVENTS_PUBLISH_TOKEN: token, LOG_LEVEL: 'silent' });
    service = await startSubscriptions(config, { verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }), logger: silent });
    const bearer = await issuer.tokenFor(agency(A));
    client = createClient({ url: service.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${bearer}` } });
  });
  after(async () => {
    await client.dispose();
    await service.close();
  });

  it('delivers events published over HTTP, and resumes with after', async () => {
    const publisher = httpEventPublisher({ baseUrl: service.origin, token });
    const first = await publisher.publish(TopicFamily.packetAvailable, A, { packetId: 'e1', sourceAgency: B });
    const inbox = follow(client, 'subscription ($after: ID) { packetAvailable(after: $after) { eventId packet { id } } }', { after: first });
    await eventually(() => service.stream.stats().subscriptions === 1, 'the subscription is open');
    const second = await publisher.publish(TopicFamily.packetAvailable, A, { packetId: 'e2', sourceAgency: B });
    assert.deepEqual(await inbox.data('packetAvailable'), { eventId: second, packet: { id: 'e2' } });
    inbox.dispose();
  });

  it('refuses a publisher without the token (401) and unknown topics (400)', async () => {
    const post = (authorization: string, body: unknown) =>
      fetch(`${service.origin}/internal/events`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post('Bearer wrong', { topic: topics.packetAvailable(A), fields: { packetId: 'x' } })).status, 401);
    assert.equal((await post(`Bearer ${token}`, { topic: 'secrets:all', fields: { packetId: 'x' } })).status, 400);
    assert.equal((await post(`Bearer ${token}`, { topic: topics.packetAvailable(A), fields: {} })).status, 400);
    await assert.rejects(
      httpEventPublisher({ baseUrl: service.origin, token: 'x'.repeat(32) }).publish(TopicFamily.catalogChanged, null, { catalog: 'AGENCIES', version: '2' }),
      /HTTP 401/,
    );
  });
});
