/**
 * Quotas through real gateways: two replicas on one Redis (each with its own Redis connection and its own grant store
 * on it), in front of real subgraphs, with real access tokens from the development issuer. Over HTTP and graphql-ws:
 * the shared count, 429 with Retry-After and the RateLimit headers, Retry-After being right, grants without a quota,
 * another agency, anonymous callers, GATEWAY_QUOTAS=off, the metric, and no error-level log line.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { connectRedis, createInternalTokenIssuer, createLogger, createMetricsRegistry, type InternalTokenIssuer, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { developmentClientToken } from '../../../keycloak/src/dev-clients.ts';
import type { Grant } from '@lgsp/access';
import { gatewayConfig } from '../config.ts';
import { grantKeyPattern } from '@lgsp/access';
import { auditKeyPattern } from '@lgsp/audit';
import { quotaKeyPattern } from '../redis-keys.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { startEventFeed, startPacketsSubgraph, type EventFeed } from '../subscriptions/testing/event-subgraphs.ts';
import { composeSupergraph, startPeopleSubgraph, startPlacesSubgraph, supergraphFileWith, type TestSubgraph } from '../testing/fixtures.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = testKeyPrefix();

/** The development systems this test calls as, and their agencies. */
const SYSTEMS = {
  finance: { clientId: 'sotaichinh-h41-dkkd', agency: '000.00.03.H41' }, // people-data: 3 per 60 s
  police: { clientId: 'congan-h41-dancu', agency: '000.00.02.H41' }, // people-data: 100 per 60 s, places: 50 per 60 s
  justice: { clientId: 'sotuphap-h41-hotich', agency: '000.00.04.H41' }, // places: 2 per 3 s
  office: { clientId: 'vpubnd-h41-motcua', agency: '000.00.01.H41' }, // events: 2 per 60 s
  commune: { clientId: 'ubnd-truongvinh-motcua', agency: '000.00.20.H41' }, // people-data, no quota
} as const;
type System = keyof typeof SYSTEMS;

function grant(id: string, consumer: string, service: string, quota?: Grant['quota']): Grant {
  return {
    id,
    provider: '000.00.09.H41',
    consumer,
    service,
    fieldSets: [`${service}.basic`],
    purposes: ['*'],
    validFrom: '2020-01-01T00:00:00Z',
    ...(quota === undefined ? {} : { quota }),
  };
}

const GRANTS: Grant[] = [
  grant('quota.finance.people', SYSTEMS.finance.agency, 'people-data', { requests: 3, perSeconds: 60 }),
  // A smaller quota on another grant for the same service: the largest one applies.
  grant('quota.finance.people.small', SYSTEMS.finance.agency, 'people-data', { requests: 1, perSeconds: 60 }),
  grant('quota.police.people', SYSTEMS.police.agency, 'people-data', { requests: 100, perSeconds: 60 }),
  grant('quota.justice.places', SYSTEMS.justice.agency, 'places', { requests: 2, perSeconds: 3 }),
  grant('quota.office.events', SYSTEMS.office.agency, 'events', { requests: 2, perSeconds: 60 }),
  grant('quota.police.places', SYSTEMS.police.agency, 'places', { requests: 50, perSeconds: 60 }),
  grant('quota.commune.people', SYSTEMS.commune.agency, 'people-data'),
];

let lgsp: RunningDevIssuer;
let issuer: InternalTokenIssuer;
let people: TestSubgraph;
let places: TestSubgraph;
let feed: EventFeed;
let packets: Awaited<ReturnType<typeof startPacketsSubgraph>>;
let supergraph: Awaited<ReturnType<typeof supergraphFileWith>>;
const redisClients: RedisClient[] = [];
const gateways: RunningGateway[] = [];
let replicaA: RunningGateway;
let replicaB: RunningGateway;
const tokens = {} as Record<System, string>;
const logLines: Array<{ level: number; msg: string }> = [];

async function startReplica(quotas: boolean): Promise<RunningGateway> {
  const redis = await connectRedis(REDIS_URL, { name: 'quotas-test' });
  redisClients.push(redis);
  const base = gatewayConfig();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') logLines.push(JSON.parse(line));
      done();
    },
  });
  const gateway = await startGateway(
    {
      ...base,
      port: 0,
      host: '127.0.0.1',
      supergraphFile: supergraph.path,
      watchSupergraph: false,
      redisUrl: REDIS_URL,
      authentication: { ...base.authentication, realmUrl: lgsp.issuer, required: false },
      authorization: { ...base.authorization, grantsFile: undefined, redisKeyPrefix: keyPrefix },
      subscriptions: { ...base.subscriptions, keepAliveMs: 0 },
      quotas: { enabled: quotas },
    },
    { issuer, redis, metrics: createMetricsRegistry('gateway'), logger: createLogger('gateway', 'info', sink) },
  );
  gateways.push(gateway);
  return gateway;
}

before(async () => {
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  people = await startPeopleSubgraph(issuer);
  places = await startPlacesSubgraph(issuer);
  feed = await startEventFeed(issuer);
  packets = await startPacketsSubgraph(issuer);
  supergraph = await supergraphFileWith(composeSupergraph([people, places, feed, packets]));
  replicaA = await startReplica(true);
  replicaB = await startReplica(true);
  // Written once through replica A's store: both replicas read grants from the same Redis.
  for (const g of GRANTS) await replicaA.grants.put(g);
  for (const [name, system] of Object.entries(SYSTEMS)) tokens[name as System] = await developmentClientToken(lgsp.issuer, system.clientId, lgsp.realm);
});

after(async () => {
  await Promise.allSettled(gateways.map((g) => g.close()));
  const [first] = redisClients;
  if (first !== undefined) {
    for (const pattern of [grantKeyPattern(keyPrefix), quotaKeyPattern(keyPrefix), auditKeyPattern(keyPrefix)])
      for await (const keys of first.scanIterator({ MATCH: pattern, COUNT: 100 })) if (keys.length > 0) await first.del(keys);
  }
  await Promise.allSettled(redisClients.map((c) => c.quit()));
  await Promise.allSettled([people?.close(), places?.close(), feed?.close(), packets?.close(), lgsp?.close()]);
  await supergraph?.cleanup();
});

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function post(gateway: RunningGateway, query: string, system?: System, accept = 'application/graphql-response+json'): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (system !== undefined) headers.authorization = `Bearer ${tokens[system]}`;
  const response = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const PERSON = '{ person(id: "7") { name } }';
const WARD = '{ ward(code: "00004") { name } }';

/** `RateLimit: "svc";r=R;t=T` → { r, t } of that service. */
function remaining(headers: Headers, service: string): { r: number; t: number } | undefined {
  const value = headers.get('ratelimit') ?? '';
  const match = new RegExp(`"${service}";r=(\\d+);t=(\\d+)`).exec(value);
  return match === null ? undefined : { r: Number(match[1]), t: Number(match[2]) };
}

async function metric(gateway: RunningGateway, agency: string, service: string, outcome: string): Promise<number> {
  const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('lgsp_gateway_quota_requests_total{') &&
        l.includes(`agency="${agency}"`) &&
        l.includes(`service="${service}"`) &&
        l.includes(`outcome="${outcome}"`),
    );
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('over HTTP, two replicas on one Redis', () => {
  it('share the count: the 4th request of a 3-per-minute quota is refused with 429 on whichever replica gets it', async () => {
    const errorLinesBefore = logLines.filter((l) => l.level >= 50).length;
    const first = await post(replicaA, PERSON, 'finance');
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { data: { person: { name: 'Nguyễn Văn 7' } } });
    // The largest quota of the agency's grants for the service (3 per 60 s), not the smaller one (1 per 60 s).
    assert.equal(first.headers.get('ratelimit-policy'), '"people-data";q=3;w=60');
    assert.deepEqual(remaining(first.headers, 'people-data')?.r, 2);
    assert.equal(first.headers.get('retry-after'), null);
    assert.equal(remaining((await post(replicaB, PERSON, 'finance')).headers, 'people-data')?.r, 1);
    assert.equal(remaining((await post(replicaA, PERSON, 'finance')).headers, 'people-data')?.r, 0);

    const calls = people.probe.calls.length;
    const refused = await post(replicaB, PERSON, 'finance');
    assert.equal(refused.status, 429);
    assert.equal(people.probe.calls.length, calls, 'nothing was sent to the subgraph');
    assert.equal(refused.body.data, undefined);
    const [error] = refused.body.errors ?? [];
    assert.equal(error?.extensions?.code, 'RATE_LIMITED');
    assert.equal(error?.extensions?.service, 'people-data');
    assert.deepEqual(error?.extensions?.quota, { requests: 3, perSeconds: 60 });
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(error?.extensions?.retryAfterSeconds, retryAfter);
    assert.equal(refused.headers.get('ratelimit-policy'), '"people-data";q=3;w=60');
    assert.deepEqual(remaining(refused.headers, 'people-data'), { r: 0, t: retryAfter });
    // Legacy application/json gets the same 429: rate limiting is the HTTP layer's answer.
    assert.equal((await post(replicaA, PERSON, 'finance', 'application/json')).status, 429);

    assert.equal(await metric(replicaB, SYSTEMS.finance.agency, 'people-data', 'limited'), 1);
    assert.equal(await metric(replicaA, SYSTEMS.finance.agency, 'people-data', 'allowed'), 2);
    assert.equal(logLines.filter((l) => l.level >= 50).length, errorLinesBefore, 'no error-level log line for a used-up quota');
  });

  it('another agency is unaffected, and a service without a quota is not counted', async () => {
    const police = await post(replicaA, PERSON, 'police');
    assert.equal(police.status, 200);
    assert.equal(police.headers.get('ratelimit-policy'), '"people-data";q=100;w=60');
    // The finance office is limited on people-data only: the places subgraph alone is not counted.
    const ward = await post(replicaB, WARD, 'finance');
    assert.deepEqual({ status: ward.status, policy: ward.headers.get('ratelimit-policy') }, { status: 200, policy: null });
    assert.deepEqual(ward.body, { data: { ward: { name: 'Phường Ba Đình' } } });
  });

  it('an operation touching two services counts once against each quota (places through an entity fetch)', async () => {
    const before = remaining((await post(replicaA, PERSON, 'police')).headers, 'people-data')!.r;
    const placesBefore = remaining((await post(replicaA, WARD, 'police')).headers, 'places')!.r;
    const both = await post(replicaB, '{ person(id: "8") { name ward { name } } }', 'police');
    assert.equal(both.status, 200);
    assert.equal(both.headers.get('ratelimit-policy'), '"people-data";q=100;w=60, "places";q=50;w=60');
    assert.equal(remaining(both.headers, 'people-data')?.r, before - 1);
    assert.equal(remaining(both.headers, 'places')?.r, placesBefore - 1);
  });

  it('what authorization removed is not counted: an operation of which nothing is left touches no service', async () => {
    const denied = await post(replicaA, '{ person(id: "1") { phone } }', 'police');
    assert.equal(denied.status, 200);
    assert.deepEqual(
      denied.body.errors?.map((e) => e.extensions?.code),
      ['UNAUTHORIZED_FIELD_OR_TYPE'],
    );
    assert.equal(denied.headers.get('ratelimit'), null);
  });

  it('grants without a quota are unlimited; anonymous callers are not counted', async () => {
    for (let i = 0; i < 12; i += 1) {
      const commune = await post(i % 2 === 0 ? replicaA : replicaB, PERSON, 'commune');
      assert.equal(commune.status, 200);
      assert.equal(commune.headers.get('ratelimit'), null);
      const anonymous = await post(i % 2 === 0 ? replicaA : replicaB, PERSON);
      assert.equal(anonymous.status, 200);
      assert.equal(anonymous.headers.get('ratelimit'), null);
    }
  });

  it('Retry-After is right: refused until then, served once it has passed', async () => {
    assert.equal((await post(replicaA, WARD, 'justice')).status, 200);
    assert.equal((await post(replicaB, WARD, 'justice')).status, 200);
    const sentAt = Date.now();
    const refused = await post(replicaA, WARD, 'justice');
    const receivedAt = Date.now();
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 3, `Retry-After ${retryAfter}`);
    // The window ends more than Retry-After − 1 s after the refusal was counted (seconds are rounded up): a request
    // counted before then is refused too, on the other replica.
    const early = await post(replicaB, WARD, 'justice');
    if (Date.now() < sentAt + (retryAfter - 1) * 1000) assert.equal(early.status, 429);
    // And it ends at most Retry-After s after it: then the caller is served.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, receivedAt + retryAfter * 1000 - Date.now()) + 20));
    const again = await post(replicaB, WARD, 'justice');
    assert.equal(again.status, 200, `served after Retry-After: ${JSON.stringify(again.body)}`);
    assert.equal(remaining(again.headers, 'places')?.r, 1);
  });

  it('GATEWAY_QUOTAS=off: a replica that does not check quotas serves beyond them, without RateLimit headers', async () => {
    const unchecked = await startReplica(false);
    const answer = await post(unchecked, PERSON, 'finance');
    assert.deepEqual({ status: answer.status, ratelimit: answer.headers.get('ratelimit') }, { status: 200, ratelimit: null });
    assert.equal((await post(replicaA, PERSON, 'finance')).status, 429, 'still refused where quotas are on');
  });
});

describe('over graphql-ws', () => {
  function wsClient(gateway: RunningGateway, system: System) {
    return createClient({
      url: gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${tokens[system]}` },
      retryAttempts: 0,
      lazyCloseTimeout: 60_000,
    });
  }

  it('a subscription counts once when subscribed; over the quota the subscribe gets an error message, on either replica', async () => {
    const a = wsClient(replicaA, 'office');
    const b = wsClient(replicaB, 'office');
    try {
      const SUBSCRIPTION = 'subscription { packetAvailable { eventId packet { id title } } }';
      // Sent over HTTP, a subscription is refused (400) before it could start, and not counted.
      const overHttp = await post(replicaA, SUBSCRIPTION, 'office');
      assert.deepEqual({ status: overHttp.status, ratelimit: overHttp.headers.get('ratelimit') }, { status: 400, ratelimit: null });
      const active = feed.probe.active;
      const events: unknown[] = [];
      const errors: unknown[] = [];
      const first = a.subscribe({ query: SUBSCRIPTION }, { next: (e) => events.push(e), error: (e) => errors.push(e), complete: () => undefined });
      while (feed.probe.active !== active + 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const second = b.subscribe({ query: SUBSCRIPTION }, { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined });
      while (feed.probe.active !== active + 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const refusal = await new Promise<Array<{ message: string; extensions?: Record<string, unknown> }>>((resolve) =>
        b.subscribe({ query: SUBSCRIPTION }, { next: () => resolve([]), error: (e) => resolve(e as never), complete: () => resolve([]) }),
      );
      assert.equal(refusal.length, 1, JSON.stringify(refusal));
      assert.equal(refusal[0]?.extensions?.code, 'RATE_LIMITED');
      assert.equal(refusal[0]?.extensions?.service, 'events');
      assert.ok(Number(refusal[0]?.extensions?.retryAfterSeconds) >= 1);
      assert.equal(feed.probe.active, active + 2, 'the refused subscription never reached the feed');
      // The subscription that was within the quota keeps receiving events: events are not counted.
      feed.publish(SYSTEMS.office.agency, 'p-1');
      feed.publish(SYSTEMS.office.agency, 'p-2');
      while (events.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(errors, []);
      first();
      second();
      assert.equal(await metric(replicaB, SYSTEMS.office.agency, 'events', 'limited'), 1);
      const rejections = await (await fetch(replicaB.url.replace('/graphql', '/metrics'))).text();
      assert.match(rejections, /^lgsp_gateway_ws_rejections_total\{[^}]*reason="rate_limited"[^}]*\} 1$/m, 'the WebSocket rejections name the quota');
    } finally {
      await Promise.allSettled([a.dispose(), b.dispose()]);
    }
  });

  it('a query over graphql-ws counts against the same quota as over HTTP', async () => {
    const police = wsClient(replicaB, 'police');
    try {
      const before = remaining((await post(replicaA, PERSON, 'police')).headers, 'people-data')!.r;
      const answer = await new Promise((resolve, reject) => police.subscribe({ query: PERSON }, { next: resolve, error: reject, complete: () => undefined }));
      assert.deepEqual(JSON.parse(JSON.stringify(answer)), { data: { person: { name: 'Nguyễn Văn 7' } } });
      assert.equal(remaining((await post(replicaA, PERSON, 'police')).headers, 'people-data')?.r, before - 2);
    } finally {
      await police.dispose();
    }
  });
});
