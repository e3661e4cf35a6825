/**
 * A maintenance window end to end with real parts: the registry (real Redis, its clock moved by the test), the
 * subscriptions service on the same Redis, and a gateway in front of both that reads the windows from the registry's
 * `/internal/v1/maintenance` (its maintenance clock moved with the registry's). The operator announces a window through
 * the gateway with a real token; a subscriber hears of it on `maintenanceAnnounced`; responses carry
 * `extensions.maintenance` before it, the gateway answers 503 with Retry-After during it while its health endpoints
 * answer 200 and the operator is let through, and it serves normally once the operator ends the window.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createMemoryChangeLog } from '@lgsp/access';
import { connectRedis, createInternalTokenIssuer, createInternalTokenVerifier, createLogger, type InternalTokenIssuer, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { configSchema as subscriptionsConfigSchema, startSubscriptions, type RunningSubscriptions } from '@lgsp/subscriptions';
import { developmentClientToken, developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { developmentPassword, loadRealmExport } from '../../keycloak/src/realm.ts';
import { gatewayConfig } from '../../gateway/src/config.ts';
import { startGateway, type RunningGateway } from '../../gateway/src/server.ts';
import { supergraphFileWith } from '../../gateway/src/testing/fixtures.ts';
import { composeSupergraph } from '../../schema/src/composition.ts';
import { loadRegistryConfig } from '../../subgraphs/registry/src/config.ts';
import { readDevelopmentSeed } from '../../subgraphs/registry/src/data/seed.ts';
import { createMemoryCredentialIssuer, createMemoryCredentialRevocations } from '../../subgraphs/registry/src/ports/credentials.ts';
import { createMemoryGrantStore } from '../../subgraphs/registry/src/ports/grants.ts';
import { startRegistry, type RunningRegistry } from '../../subgraphs/registry/src/service.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = testKeyPrefix();
const REGISTRY_TOKEN = 'registry-internal-token-for-the-maintenance-test';
const HOUR = 3_600_000;
const PURPOSE = 'residence-management:HS-2026-000123';

let clock = Date.now();
let redis: RedisClient;
let lgsp: RunningDevIssuer;
let issuer: InternalTokenIssuer;
let registry: RunningRegistry;
let subscriptions: RunningSubscriptions;
let gateway: RunningGateway;
let supergraph: Awaited<ReturnType<typeof supergraphFileWith>>;
let operatorToken: string;
let systemToken: string;
let client: Client;
const announced: Array<Record<string, unknown>> = [];

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }>; extensions?: Record<string, any> };
}

async function post(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}`, 'x-lgsp-purpose': PURPOSE },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

before(async () => {
  redis = await connectRedis(REDIS_URL);
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  issuer = await createInternalTokenIssuer({ ttlSeconds: 300 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  registry = await startRegistry(
    loadRegistryConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      REGISTRY_INTERNAL_TOKEN: REGISTRY_TOKEN,
      REGISTRY_SWEEP_MS: '0',
      REGISTRY_SEED: 'development',
    }),
    {
      seed: { ...readDevelopmentSeed(), relayParticipants: { systems: [] } },
      verifier,
      logger: createLogger('registry', 'silent'),
      grants: createMemoryGrantStore(),
      issuer: createMemoryCredentialIssuer(),
      revocations: createMemoryCredentialRevocations(),
      changes: createMemoryChangeLog(),
      now: () => new Date(clock),
    },
  );
  subscriptions = await startSubscriptions(
    subscriptionsConfigSchema.parse({ PORT: '0', REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, SUBSCRIPTIONS_BLOCK_MS: '500', LOG_LEVEL: 'silent' }),
    { verifier, logger: createLogger('subscriptions', 'silent') },
  );
  supergraph = await supergraphFileWith(
    await composeSupergraph([
      { name: 'registry', url: registry.url, schemaFile: 'subgraphs/registry/src/schema.graphql' },
      { name: 'subscriptions', url: `http://127.0.0.1:${subscriptions.port}/graphql`, schemaFile: 'subgraphs/subscriptions/src/schema.graphql' },
    ]),
  );
  const base = gatewayConfig();
  gateway = await startGateway(
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
      deprecation: { ...base.deprecation, registryUrl: registry.origin, registryToken: REGISTRY_TOKEN },
      maintenance: { ...base.maintenance, pollMs: 100 },
    },
    { issuer, logger: createLogger('gateway', 'silent'), maintenance: { now: () => clock } },
  );
  const realm = await loadRealmExport();
  const operator = realm.users.find((u) => u.username === 'lan.nguyen')!;
  operatorToken = (await developmentPortalLogin(lgsp.issuer, operator.username, developmentPassword(operator) ?? '')).accessToken;
  systemToken = await developmentClientToken(lgsp.issuer, 'sotuphap-h41-hotich', realm);
  client = createClient({
    url: gateway.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${systemToken}`, 'x-lgsp-purpose': PURPOSE },
  });
  client.subscribe(
    { query: 'subscription { maintenanceAnnounced { kind id change emergency startsAt endsAt summary } }' },
    {
      next: (value) => void announced.push(value as Record<string, unknown>),
      error: (error) => void announced.push({ error }),
      complete: () => undefined,
    },
  );
  await waitUntil('the maintenanceAnnounced subscription is open', async () => (subscriptions.stream.stats().subscriptions === 1 ? true : undefined));
});

after(async () => {
  await client?.dispose();
  await gateway?.close();
  await subscriptions?.close();
  await registry?.close();
  await lgsp?.close();
  await supergraph?.cleanup();
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) keys.push(...batch);
  if (keys.length > 0) await redis.del(keys);
  await redis.quit();
});

describe('a maintenance window through the registry, the gateway and the subscriptions service', () => {
  let windowId = '';
  let startsAt = 0;

  const announcedChange = (change: string) =>
    waitUntil(`maintenanceAnnounced delivers ${change}`, async () =>
      announced.map((a) => (a as { data?: { maintenanceAnnounced?: Record<string, unknown> } }).data?.maintenanceAnnounced).find((e) => e?.change === change),
    );

  it('the operator announces a window through the gateway; an agency system hears of it and sees extensions.maintenance', async () => {
    startsAt = clock + 48 * HOUR;
    const input = {
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 2 * HOUR).toISOString(),
      summary: 'Nâng cấp nền tảng',
      reason: 'Phiên bản mới',
    };
    const mutation = 'mutation($input: AnnounceMaintenanceInput!) { announceMaintenance(input: $input) { id status emergency } }';
    const refused = await post(systemToken, mutation, { input });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const tooSoon = await post(operatorToken, mutation, { input: { ...input, startsAt: new Date(clock + HOUR).toISOString() } });
    assert.equal(tooSoon.body.errors?.[0]?.extensions?.code, 'INVALID_MAINTENANCE_WINDOW');
    const done = await post(operatorToken, mutation, { input });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    windowId = done.body.data.announceMaintenance.id;
    assert.deepEqual(done.body.data.announceMaintenance, { id: windowId, status: 'SCHEDULED', emergency: false });

    const event = await announcedChange('ANNOUNCED');
    assert.deepEqual(event, {
      kind: 'MAINTENANCE',
      id: windowId,
      change: 'ANNOUNCED',
      emergency: false,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      summary: input.summary,
    });
    const notice = await waitUntil('the gateway read the window from the registry', async () => {
      const answer = await post(systemToken, '{ maintenanceWindows { id status } }');
      return answer.body.extensions?.maintenance as Record<string, unknown> | undefined;
    });
    assert.deepEqual(notice, {
      id: windowId,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      summary: input.summary,
      emergency: false,
      affectedServices: [],
      inProgress: false,
    });
  });

  it('answers 503 with Retry-After during the window; health answers 200; the operator is let through', async () => {
    clock = startsAt + 30 * 60_000;
    await registry.sweep();
    assert.deepEqual((await announcedChange('STARTED')).id, windowId);
    // The subscription's events carry the notice too (graphql-ws has no headers).
    const started = announced.find(
      (a) => (a as { data?: { maintenanceAnnounced?: { change?: string } } }).data?.maintenanceAnnounced?.change === 'STARTED',
    ) as {
      extensions?: { maintenance?: { id: string; inProgress: boolean } };
    };
    assert.deepEqual([started.extensions?.maintenance?.id, started.extensions?.maintenance?.inProgress], [windowId, true]);
    const refused = await post(systemToken, '{ maintenanceWindows { id } }');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), String(90 * 60));
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNDER_MAINTENANCE');
    assert.equal(refused.body.errors?.[0]?.extensions?.windowId, windowId);
    const origin = gateway.url.replace('/graphql', '');
    assert.equal((await fetch(`${origin}/health/live`)).status, 200);
    assert.equal((await fetch(`${origin}/health/ready`)).status, 200);
    const operator = await post(operatorToken, '{ maintenanceWindows { id status } }');
    assert.equal(operator.status, 200);
    assert.deepEqual(operator.body.data.maintenanceWindows, [{ id: windowId, status: 'IN_PROGRESS' }]);
    assert.equal(operator.body.extensions?.maintenance?.inProgress, true);
  });

  it('serves normally once the operator ends the window early', async () => {
    clock += 10 * 60_000;
    const ended = await post(operatorToken, `mutation { cancelMaintenance(id: "${windowId}", reason: "Hoàn thành sớm") { status endedEarlyAt } }`);
    assert.equal(ended.body.data?.cancelMaintenance?.status, 'COMPLETED', JSON.stringify(ended.body));
    assert.equal((await announcedChange('ENDED')).id, windowId);
    const served = await waitUntil('the gateway read the end of the window', async () => {
      const answer = await post(systemToken, '{ maintenanceWindows(includePast: true) { id status } }');
      return answer.status === 200 ? answer : undefined;
    });
    assert.deepEqual(served.body.data.maintenanceWindows, [{ id: windowId, status: 'COMPLETED' }]);
    assert.equal(served.body.extensions?.maintenance, undefined);
  });
});
