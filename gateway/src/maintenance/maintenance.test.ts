/**
 * Maintenance windows through a real gateway in front of real subgraphs, with real access tokens and a clock the test
 * moves: `extensions.maintenance` within the notice period (HTTP and graphql-ws), 503 + Retry-After + UNDER_MAINTENANCE
 * during a window with nothing sent to the subgraphs, health/metrics/JWKS still answering, new WebSockets closed 1013,
 * a window naming a service blocking only the operations that touch its subgraph, operators let through, and normal
 * service after the window.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createInternalTokenIssuer, createLogger, createMetricsRegistry, Role, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { createClient } from 'graphql-ws';
import { parse } from 'graphql';
import WebSocket from 'ws';
import { developmentClientToken } from '../../../keycloak/src/dev-clients.ts';
import { gatewayConfig } from '../config.ts';
import type { GatewayContext } from '../context.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { composeSupergraph, startPeopleSubgraph, startPlacesSubgraph, supergraphFileWith, type TestSubgraph } from '../testing/fixtures.ts';
import { MAINTENANCE_CLOSE_CODE, maintenanceStep, watchWindowStarts } from './maintenance-step.ts';
import { fixedSchedule, type ScheduledWindow } from './schedule.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-07T02:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();

let lgsp: RunningDevIssuer;
let issuer: InternalTokenIssuer;
let people: TestSubgraph;
let places: TestSubgraph;
let supergraph: Awaited<ReturnType<typeof supergraphFileWith>>;
let gateway: RunningGateway;
let token: string;
let clock = T0;
const schedule = fixedSchedule();

const WHOLE: ScheduledWindow = {
  id: 'mw-whole',
  startsAt: at(T0 + 72 * HOUR),
  endsAt: at(T0 + 74 * HOUR),
  summary: 'Nâng cấp nền tảng',
  emergency: false,
  affectedServices: [],
  affectedSubgraphs: [],
};
const PLACES_ONLY: ScheduledWindow = {
  id: 'mw-places',
  startsAt: at(T0 + 100 * HOUR),
  endsAt: at(T0 + 101 * HOUR),
  summary: 'Bảo trì danh mục',
  emergency: true,
  affectedServices: ['places-catalog'],
  affectedSubgraphs: ['places'],
};

before(async () => {
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  people = await startPeopleSubgraph(issuer);
  places = await startPlacesSubgraph(issuer);
  supergraph = await supergraphFileWith(composeSupergraph([people, places]));
  const base = gatewayConfig();
  gateway = await startGateway(
    {
      ...base,
      port: 0,
      host: '127.0.0.1',
      supergraphFile: supergraph.path,
      watchSupergraph: false,
      authentication: { ...base.authentication, realmUrl: lgsp.issuer, required: false },
      authorization: { ...base.authorization, mode: 'dry-run' },
      subscriptions: { ...base.subscriptions, keepAliveMs: 0 },
      quotas: { enabled: false },
    },
    {
      issuer,
      metrics: createMetricsRegistry('gateway'),
      logger: createLogger('gateway', 'silent'),
      maintenance: { schedule, now: () => clock, watchEveryMs: 50 },
    },
  );
  token = await developmentClientToken(lgsp.issuer, 'congan-h41-dancu', lgsp.realm);
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([people?.close(), places?.close(), lgsp?.close()]);
  await supergraph?.cleanup();
});

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }>; extensions?: Record<string, any> };
}

async function post(query: string, accept = 'application/graphql-response+json'): Promise<Answer> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}`, 'x-lgsp-purpose': 'residence-management:HS-1' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

/** One operation over graphql-ws: its result, or how the connection ended. */
async function overWebSocket(query: string): Promise<{ result?: Answer['body']; closed?: { code: number; reason: string } }> {
  return new Promise((resolve) => {
    const client = createClient({
      url: gateway.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}`, 'x-lgsp-purpose': 'residence-management:HS-1' },
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          if (code !== 1000) resolve({ closed: { code, reason } });
        },
      },
    });
    client.subscribe(
      { query },
      {
        next: (value) => {
          resolve({ result: value as Answer['body'] });
          void client.dispose();
        },
        error: (error) => {
          if (Array.isArray(error)) resolve({ result: { errors: error as Answer['body']['errors'] } });
          void client.dispose();
        },
        complete: () => undefined,
      },
    );
  });
}

const PERSON = '{ person(id: "7") { name } }';
const WARD = '{ ward(code: "00004") { name } }';

describe('maintenance windows at the gateway', () => {
  it('adds no notice while no window is near', async () => {
    schedule.replace([{ ...WHOLE, startsAt: at(T0 + 10 * 24 * HOUR), endsAt: at(T0 + 10 * 24 * HOUR + HOUR) }]);
    const answer = await post(PERSON);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.extensions?.maintenance, undefined, 'a window 10 days ahead is outside the 7-day notice');
  });

  it('tells every response about a window within the notice period, over HTTP and graphql-ws', async () => {
    schedule.replace([WHOLE, PLACES_ONLY]);
    const answer = await post(PERSON);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.data, { person: { name: 'Nguyễn Văn 7' } });
    const notice = {
      id: 'mw-whole',
      startsAt: WHOLE.startsAt,
      endsAt: WHOLE.endsAt,
      summary: 'Nâng cấp nền tảng',
      emergency: false,
      affectedServices: [],
      inProgress: false,
    };
    assert.deepEqual(answer.body.extensions?.maintenance, notice);
    const ws = await overWebSocket(PERSON);
    assert.deepEqual(ws.result?.extensions?.maintenance, notice);
    // Errors too: a caller's mistake still learns of the window.
    assert.deepEqual((await post('{ person(id: "7") { nope } }')).body.extensions?.maintenance, notice);
  });

  it('answers 503 with Retry-After and UNDER_MAINTENANCE during the window, sending nothing upstream; health, metrics and JWKS answer', async () => {
    clock = Date.parse(WHOLE.startsAt) + 30 * 60_000; // 90 minutes before the end
    const calls = people.probe.calls.length;
    const refused = await post(PERSON);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), String(90 * 60));
    assert.equal(refused.body.data, undefined);
    const [error] = refused.body.errors ?? [];
    assert.equal(error?.extensions?.code, 'UNDER_MAINTENANCE');
    assert.equal(error?.extensions?.retryAfterSeconds, 90 * 60);
    assert.equal(error?.extensions?.endsAt, WHOLE.endsAt);
    assert.match(error!.message, /under maintenance until 2026-12-10T04:00:00.000Z/);
    assert.equal(error?.extensions?.http, undefined);
    assert.equal((await post(PERSON, 'application/json')).status, 503);
    assert.equal(people.probe.calls.length, calls, 'nothing was sent to the subgraph');
    const origin = gateway.url.replace('/graphql', '');
    for (const path of ['/health/live', '/health/ready', '/metrics', '/.well-known/jwks.json']) {
      assert.equal((await fetch(`${origin}${path}`)).status, 200, path);
    }
    const ws = await overWebSocket(PERSON);
    assert.equal(ws.closed?.code, MAINTENANCE_CLOSE_CODE);
    assert.equal(ws.closed?.reason, `UNDER_MAINTENANCE: retry after ${90 * 60} s`);
  });

  it('blocks only the operations touching the subgraph of a window that names services', async () => {
    clock = Date.parse(PLACES_ONLY.startsAt) + 15 * 60_000;
    const person = await post(PERSON);
    assert.equal(person.status, 200);
    assert.equal(person.body.extensions?.maintenance?.id, 'mw-places');
    assert.equal(person.body.extensions?.maintenance?.inProgress, true);
    const ward = await post(WARD);
    assert.equal(ward.status, 503);
    assert.equal(ward.headers.get('retry-after'), String(45 * 60));
    assert.equal(ward.body.errors?.[0]?.extensions?.code, 'UNDER_MAINTENANCE');
    assert.deepEqual(ward.body.errors?.[0]?.extensions?.affectedServices, ['places-catalog']);
    assert.equal((await post('{ person(id: "7") { name ward { name } } }')).status, 503, 'a person with its ward touches places');
    // graphql-ws: the connection opens (the window does not block everything); the operation is refused.
    const ws = await overWebSocket(WARD);
    assert.equal(ws.result?.errors?.[0]?.extensions?.code, 'UNDER_MAINTENANCE');
  });

  it('serves normally after the window', async () => {
    clock = Date.parse(PLACES_ONLY.endsAt) + 1;
    const answer = await post(WARD);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.extensions?.maintenance, undefined);
    assert.ok((await overWebSocket(PERSON)).result?.data);
  });

  it('closes the WebSocket connections open when a window blocking the whole gateway starts, with 1013', async () => {
    const LATER: ScheduledWindow = { ...WHOLE, id: 'mw-later', startsAt: at(clock + HOUR), endsAt: at(clock + 2 * HOUR) };
    schedule.replace([LATER]);
    const socket = new WebSocket(gateway.url.replace('http', 'ws'), 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}`, 'x-lgsp-purpose': 'residence-management:HS-1' } })),
      );
      socket.on('message', (data) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') resolve();
      });
      socket.once('error', reject);
    });
    // Before the start the connection stays open.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(socket.readyState, WebSocket.OPEN);
    clock = Date.parse(LATER.startsAt) + 1_000;
    const { code, reason } = await closed;
    assert.equal(code, MAINTENANCE_CLOSE_CODE);
    assert.match(reason, /^UNDER_MAINTENANCE: retry after 3599 s$/);
    clock = Date.parse(LATER.endsAt) + 1;
    schedule.replace([]);
  });

  it('tells of each whole-gateway window once, at its start, and again at a moved start', async () => {
    let now = T0;
    const windows = fixedSchedule([WHOLE, PLACES_ONLY]);
    const started: string[][] = [];
    const watch = watchWindowStarts({ schedule: windows, now: () => now, everyMs: 10, onStart: (ws) => started.push(ws.map((w) => w.id)) });
    const tick = () => new Promise((resolve) => setTimeout(resolve, 40));
    await tick();
    now = Date.parse(PLACES_ONLY.startsAt) + 1; // names a service: connections stay
    await tick();
    assert.deepEqual(started, []);
    now = Date.parse(WHOLE.startsAt) + 1;
    await tick();
    await tick();
    assert.deepEqual(started, [['mw-whole']]);
    windows.replace([{ ...WHOLE, startsAt: at(now + HOUR), endsAt: at(now + 2 * HOUR) }]);
    await tick();
    now += HOUR + 1;
    await tick();
    assert.deepEqual(started, [['mw-whole'], ['mw-whole']]);
    watch.close();
  });

  it('lets operators through a window (they check the platform before it ends)', async () => {
    const step = maintenanceStep({ schedule: fixedSchedule([WHOLE]), noticeMs: 0, touched: () => [], now: () => Date.parse(WHOLE.startsAt) + 1 });
    const run = async (principal: Principal) => {
      const executed: string[] = [];
      const executor = step.executorStage!(async () => {
        executed.push('ran');
        return { data: {} };
      });
      const result = await executor({
        context: { principal, logger: createLogger('test', 'silent') } as unknown as GatewayContext,
        document: parse('{ a }'),
        request: {},
        queryHash: 'h',
      } as never);
      return { executed: executed.length, code: result.errors?.[0]?.extensions?.code };
    };
    assert.deepEqual(await run({ kind: 'user', userId: 'op', roles: [Role.operator], scopes: [] }), { executed: 1, code: undefined });
    assert.deepEqual(await run({ kind: 'system', agencyCode: '000.00.02.H41', roles: [Role.agencySystem], scopes: [] }), {
      executed: 0,
      code: 'UNDER_MAINTENANCE',
    });
  });
});
