/**
 * Deprecation notices end to end with real parts: a real HTTP server plays the registry's `/internal/v1/notices`
 * (bearer secret, ETag, 304), a real gateway in front of real subgraphs reads it, and real tokens from the
 * development issuer call it. The schema served marks the coordinates `@deprecated(reason:)`; HTTP answers that
 * selected one carry Deprecation (RFC 9745), Sunset (RFC 8594) and Link rel="deprecation"; graphql-ws answers and
 * subscription events carry the same facts in `extensions.deprecation`.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createInternalTokenIssuer, createLogger, createMetricsRegistry } from '@lgsp/kit';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import WebSocket from 'ws';
import { developmentClientToken } from '../../../keycloak/src/dev-clients.ts';
import { gatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { createMemoryCredentialRevocations, createMemoryGrantStore } from '@lgsp/access';
import { startEventFeed, startPacketsSubgraph, type EventFeed } from '../subscriptions/testing/event-subgraphs.ts';
import { composeSupergraph, startPeopleSubgraph, supergraphFileWith, type TestSubgraph } from '../testing/fixtures.ts';
import { applyDeprecations } from './deprecated-schema.ts';
import { NOTICES_PATH } from './registry-notices.ts';
import type { DeprecationNotice } from './notices.ts';

const REGISTRY_TOKEN = 'registry-internal-token-for-tests-0123456789';
const OFFICE = '000.00.01.H41'; // vpubnd-h41-motcua

const wardNotice: DeprecationNotice = {
  id: 'notice-1',
  serviceCode: 'people-data',
  version: '2',
  coordinate: 'Person.ward',
  reason: 'Use Person.residence (people-data v3); ward goes away at the sunset',
  deprecatedAt: '2026-12-01T00:00:00.000Z',
  sunsetAt: '2027-06-01T00:00:00.000Z',
};
const eventIdNotice: DeprecationNotice = {
  id: 'notice-2',
  serviceCode: 'events',
  version: '1',
  coordinate: 'PacketEvent.eventId',
  reason: 'Use PacketEvent.cursor',
  deprecatedAt: '2026-11-15T07:30:00.000Z',
  sunsetAt: '2027-02-15T00:00:00.000Z',
};
const nameNotice: DeprecationNotice = {
  id: 'notice-3',
  serviceCode: 'people-data',
  version: '2',
  coordinate: 'Person.name',
  reason: 'Use Person.fullName',
  deprecatedAt: '2026-12-06T00:00:00.000Z',
  sunsetAt: '2027-03-01T00:00:00.000Z',
};

/** The registry's notices endpoint, as the registry serves it. */
const registry = {
  version: 1,
  items: [wardNotice, eventIdNotice] as DeprecationNotice[],
  failing: false,
  requests: [] as Array<{ authorization: string | undefined; ifNoneMatch: string | undefined; status: number }>,
};
let registryServer: Server;
let lgsp: RunningDevIssuer;
let feed: EventFeed;
let packets: Awaited<ReturnType<typeof startPacketsSubgraph>>;
let people: TestSubgraph;
let supergraph: Awaited<ReturnType<typeof supergraphFileWith>>;
let gateway: RunningGateway;
let token: string;

function answerNotices(req: IncomingMessage): { status: number; headers: Record<string, string>; body: string } {
  if (req.url !== NOTICES_PATH) return { status: 404, headers: {}, body: '' };
  if (req.headers.authorization !== `Bearer ${REGISTRY_TOKEN}`) {
    return { status: 401, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"message":"no","extensions":{"code":"UNAUTHENTICATED"}}]}' };
  }
  if (registry.failing) return { status: 503, headers: {}, body: '' };
  const etag = `"${registry.version}"`;
  if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag }, body: '' };
  return { status: 200, headers: { etag, 'content-type': 'application/json' }, body: JSON.stringify({ version: registry.version, items: registry.items }) };
}

before(async () => {
  registryServer = createServer((req, res) => {
    const answer = answerNotices(req);
    registry.requests.push({ authorization: req.headers.authorization, ifNoneMatch: req.headers['if-none-match'], status: answer.status });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  registryServer.listen(0, '127.0.0.1');
  await once(registryServer, 'listening');
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  feed = await startEventFeed(issuer);
  packets = await startPacketsSubgraph(issuer);
  people = await startPeopleSubgraph(issuer);
  supergraph = await supergraphFileWith(composeSupergraph([feed, packets, people]));
  const base = gatewayConfig();
  gateway = await startGateway(
    {
      ...base,
      port: 0,
      host: '127.0.0.1',
      supergraphFile: supergraph.path,
      watchSupergraph: false,
      authentication: { ...base.authentication, realmUrl: lgsp.issuer, required: false },
      subscriptions: { ...base.subscriptions, keepAliveMs: 0 },
      deprecation: {
        ...base.deprecation,
        registryUrl: `http://127.0.0.1:${(registryServer.address() as AddressInfo).port}`,
        registryToken: REGISTRY_TOKEN,
        pollMs: 100,
      },
    },
    {
      issuer,
      metrics: createMetricsRegistry('gateway'),
      logger: createLogger('gateway', 'silent'),
      // This stand-in registry serves notices only; grants and revocations are the gateway's own (no Redis here).
      grants: createMemoryGrantStore(),
      revocations: createMemoryCredentialRevocations(),
    },
  );
  token = await developmentClientToken(lgsp.issuer, 'vpubnd-h41-motcua', lgsp.realm);
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([feed?.close(), packets?.close(), people?.close(), lgsp?.close()]);
  await supergraph?.cleanup();
  registryServer?.close();
});

async function post(query: string): Promise<{ status: number; headers: Headers; body: { data?: Record<string, unknown>; errors?: unknown[] } }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}

async function personFields(): Promise<Record<string, { isDeprecated: boolean; deprecationReason: string | null }>> {
  const { body } = await post('{ __type(name: "Person") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }');
  const fields = (body.data?.__type as { fields: Array<{ name: string; isDeprecated: boolean; deprecationReason: string | null }> }).fields;
  return Object.fromEntries(fields.map((f) => [f.name, { isDeprecated: f.isDeprecated, deprecationReason: f.deprecationReason }]));
}

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > 5_000) assert.fail(`${what}: not within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A graphql-transport-ws connection spoken by hand, so the exact payloads can be asserted. */
async function wsConnection() {
  const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: Array<{ type: string; id?: string; payload?: { data?: unknown; extensions?: Record<string, unknown> } }> = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await until(() => messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  return { socket, messages };
}

const wardFacts = {
  deprecation: '@1796083200', // 2026-12-01T00:00:00Z
  sunset: 'Tue, 01 Jun 2027 00:00:00 GMT',
  links: ['/deprecations#notice-1'],
  notices: [
    {
      id: 'notice-1',
      coordinate: 'Person.ward',
      reason: wardNotice.reason,
      deprecatedAt: wardNotice.deprecatedAt,
      sunsetAt: wardNotice.sunsetAt,
      serviceCode: 'people-data',
      version: '2',
    },
  ],
};

describe('deprecation notices from the registry', () => {
  it('are read with the bearer secret, and marked @deprecated(reason:) in the schema served (introspection)', async () => {
    assert.ok(registry.requests.length > 0 && registry.requests.every((r) => r.authorization === `Bearer ${REGISTRY_TOKEN}`));
    const fields = await personFields();
    assert.deepEqual(fields.ward, { isDeprecated: true, deprecationReason: wardNotice.reason });
    assert.deepEqual(fields.name, { isDeprecated: false, deprecationReason: null });
    // Deprecated fields stay selectable: they answer as before.
    const { body } = await post('{ person(id: "1") { name ward { code } } }');
    assert.deepEqual(body, { data: { person: { name: 'Nguyễn Văn 1', ward: { code: '00008' } } } });
  });

  it('HTTP: an operation that selects a deprecated field gets Deprecation, Sunset and Link; one that does not gets none', async () => {
    const selected = await post('{ person(id: "1") { name ward { code } } }');
    assert.equal(selected.status, 200);
    assert.equal(selected.headers.get('deprecation'), '@1796083200');
    assert.equal(selected.headers.get('sunset'), 'Tue, 01 Jun 2027 00:00:00 GMT');
    assert.equal(selected.headers.get('link'), '</deprecations#notice-1>; rel="deprecation"; type="text/html"');
    assert.equal(selected.body.errors, undefined);

    const through = await post('query { person(id: "2") { ...Where } } fragment Where on Person { ward { code } }');
    assert.equal(through.headers.get('deprecation'), '@1796083200', 'selected through a fragment');

    const untouched = await post('{ person(id: "1") { name } }');
    assert.equal(untouched.status, 200);
    assert.equal(untouched.headers.get('deprecation'), null);
    assert.equal(untouched.headers.get('sunset'), null);
    assert.equal(untouched.headers.get('link'), null);
  });

  it('the Link target lists the notices, human-readable, each under its id (and as JSON)', async () => {
    const base = gateway.url.replace(/\/graphql$/, '');
    const page = await fetch(`${base}/deprecations`, { headers: { accept: 'text/html' } });
    assert.match(String(page.headers.get('content-type')), /^text\/html/);
    const html = await page.text();
    assert.match(html, /<tr id="notice-1"><td><code>Person\.ward<\/code>/);
    assert.match(html, /<tr id="notice-2"><td><code>PacketEvent\.eventId<\/code>/);
    const json = (await (await fetch(`${base}/deprecations`, { headers: { accept: 'application/json' } })).json()) as { items: DeprecationNotice[] };
    assert.deepEqual(
      json.items.map((n) => n.id),
      ['notice-2', 'notice-1'],
    );
  });

  it('graphql-ws: the answer carries the same facts in extensions.deprecation; so does every subscription event', async () => {
    const { socket, messages } = await wsConnection();
    try {
      socket.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: '{ person(id: "1") { name ward { code } } }' } }));
      socket.send(JSON.stringify({ id: 'plain', type: 'subscribe', payload: { query: '{ person(id: "1") { name } }' } }));
      await until(() => messages.some((m) => m.type === 'next' && m.id === 'q') && messages.some((m) => m.type === 'next' && m.id === 'plain'), 'answers');
      const answer = messages.find((m) => m.type === 'next' && m.id === 'q')!.payload!;
      assert.deepEqual(answer.data, { person: { name: 'Nguyễn Văn 1', ward: { code: '00008' } } });
      assert.deepEqual(answer.extensions?.deprecation, wardFacts);
      assert.equal(messages.find((m) => m.type === 'next' && m.id === 'plain')!.payload!.extensions?.deprecation, undefined);

      const active = feed.probe.active;
      socket.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: 'subscription { packetAvailable { eventId packet { id } } }' } }));
      await until(() => feed.probe.active === active + 1, 'subscription started');
      feed.publish(OFFICE, 'p-4');
      await until(() => messages.some((m) => m.type === 'next' && m.id === 's'), 'event');
      const event = messages.find((m) => m.type === 'next' && m.id === 's')!.payload!;
      assert.deepEqual((event.data as { packetAvailable: { packet: unknown } }).packetAvailable.packet, { id: 'p-4' });
      assert.deepEqual(event.extensions?.deprecation, {
        deprecation: '@1794727800', // 2026-11-15T07:30:00Z
        sunset: 'Mon, 15 Feb 2027 00:00:00 GMT',
        links: ['/deprecations#notice-2'],
        notices: [
          {
            id: 'notice-2',
            coordinate: 'PacketEvent.eventId',
            reason: 'Use PacketEvent.cursor',
            deprecatedAt: eventIdNotice.deprecatedAt,
            sunsetAt: eventIdNotice.sunsetAt,
            serviceCode: 'events',
            version: '1',
          },
        ],
      });
    } finally {
      socket.close();
    }
  });

  it('a new notice at the registry reaches the schema and the headers at the next poll; unchanged polls get 304', async () => {
    registry.requests.length = 0;
    await until(() => registry.requests.some((r) => r.status === 304), 'a 304');
    assert.ok(registry.requests.every((r) => r.status !== 304 || r.ifNoneMatch === '"1"'));

    registry.items = [wardNotice, eventIdNotice, nameNotice];
    registry.version = 2;
    await until(async () => (await personFields()).name?.isDeprecated === true, 'Person.name deprecated');
    assert.equal((await personFields()).name?.deprecationReason, 'Use Person.fullName');
    const both = await post('{ person(id: "1") { name ward { code } } }');
    // The earliest deprecation and sunset of the two notices; one link per notice, in the registry's order.
    assert.equal(both.headers.get('deprecation'), '@1796083200');
    assert.equal(both.headers.get('sunset'), 'Mon, 01 Mar 2027 00:00:00 GMT');
    assert.equal(
      both.headers.get('link'),
      '</deprecations#notice-1>; rel="deprecation"; type="text/html", </deprecations#notice-3>; rel="deprecation"; type="text/html"',
    );
  });

  it('when the registry fails, the notices already read stay in force; a withdrawn notice is lifted once it answers', async () => {
    registry.failing = true;
    registry.requests.length = 0;
    await until(() => registry.requests.filter((r) => r.status === 503).length >= 3, 'three failed polls');
    assert.equal((await post('{ person(id: "1") { ward { code } } }')).headers.get('deprecation'), '@1796083200');
    registry.failing = false;
    registry.items = [eventIdNotice];
    registry.version = 3;
    await until(async () => (await personFields()).ward?.isDeprecated === false, 'Person.ward no longer deprecated');
    assert.equal((await post('{ person(id: "1") { name ward { code } } }')).headers.get('deprecation'), null);
  });
});

describe('applyDeprecations', () => {
  const sdl = 'type Query { a: Int b: Int @deprecated(reason: "old") } enum Color { RED GREEN } interface Node { id: ID }';
  it('marks object and interface fields and enum values, replacing an earlier reason; unknown coordinates are reported', () => {
    const notice = (coordinate: string, reason: string): DeprecationNotice => ({ ...wardNotice, id: coordinate, coordinate, reason });
    const { sdl: marked, unmatched } = applyDeprecations(sdl, [
      notice('Query.a', 'use c'),
      notice('Query.b', 'use d'),
      notice('Color.RED', 'use GREEN'),
      notice('Node.id', 'use key'),
      notice('Query.nope', 'x'),
    ]);
    assert.match(marked, /a: Int @deprecated\(reason: "use c"\)/);
    assert.match(marked, /b: Int @deprecated\(reason: "use d"\)/);
    assert.doesNotMatch(marked, /"old"/);
    assert.match(marked, /RED @deprecated\(reason: "use GREEN"\)/);
    assert.match(marked, /id: ID @deprecated\(reason: "use key"\)/);
    assert.deepEqual(unmatched, ['Query.nope']);
  });
  it('answers the SDL unchanged when no notice names anything in it', () => {
    assert.equal(applyDeprecations(sdl, []).sdl, sdl);
    assert.equal(applyDeprecations(sdl, [{ ...wardNotice, coordinate: 'Query.nope' }]).sdl, sdl);
  });
});
