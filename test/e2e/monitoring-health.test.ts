/**
 * Monitoring with the real registry, simulator and relay presence store: a system registered with health endpoints
 * in the registry is found through `GET /internal/v1/systems` (ETag, 304 when unchanged) and pulled until ONLINE; it
 * stops answering and turns OFFLINE; the agency's relay activity (the relay's Redis presence store) shows beside it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { createRedisPresenceStore } from '../../subgraphs/relay/src/store/redis-presence-store.ts';
import { adminOf, JUSTICE, startRegistryHarness, type RegistryHarness } from '../../subgraphs/registry/src/testing.ts';
import { createRegistryClient } from '../../subgraphs/monitoring/src/registry-client.ts';
import { eventually, OPERATOR, startMonitoringHarness, type MonitoringHarness } from '../../subgraphs/monitoring/src/testing.ts';
import type { HealthModuleState } from '../../subgraphs/monitoring/src/health/index.ts';

const SLUG = 'cong-dich-vu-cong';
const SYSTEM = `${JUSTICE}:${SLUG}`;

describe('monitoring with the registry, the simulator and the relay presence', () => {
  let registry: RegistryHarness;
  let sim: RunningSimulator;
  let monitoring: MonitoringHarness | undefined;

  before(async () => {
    sim = await startSimulator({
      PORT: 0,
      LOG_LEVEL: 'silent',
      SIMULATOR_CITIZENS: 20,
      SIMULATOR_ENTERPRISES: 20,
      SIMULATOR_TEST_CITIZENS: 20,
      SIMULATOR_TEST_ENTERPRISES: 20,
    });
    registry = await startRegistryHarness();
  });
  after(async () => {
    await monitoring?.close();
    await registry?.close();
    await sim?.close();
  });

  it('reads the systems with their health endpoints, with an ETag', async () => {
    const endpoints = sim.agencySystemEndpoints(SYSTEM);
    const registered = await registry.gql(adminOf(JUSTICE), 'mutation($input: RegisterSystemInput!) { registerInformationSystem(input: $input) { id } }', {
      input: {
        agencyCode: JUSTICE,
        slug: SLUG,
        name: 'Cổng dịch vụ công',
        purpose: 'monitoring e2e',
        contacts: [],
        environments: ['PRODUCTION'],
        healthEndpoints: [
          { level: 1, url: endpoints.live, intervalSeconds: 1 },
          { level: 2, url: endpoints.ready, intervalSeconds: 1 },
        ],
      },
    });
    assert.equal(registered.errors, undefined, JSON.stringify(registered.errors));
    const first = await registry.internal('GET', '/internal/v1/systems');
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag')!;
    const body = (await first.json()) as { items: Array<{ id: string; agencyCode: string; healthEndpoints: unknown[] }> };
    const item = body.items.find((s) => s.id === SYSTEM);
    assert.deepEqual(item?.healthEndpoints, [
      { level: 1, url: endpoints.live, intervalSeconds: 1 },
      { level: 2, url: endpoints.ready, intervalSeconds: 1 },
    ]);
    assert.equal((await registry.internal('GET', '/internal/v1/systems', { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await registry.internal('GET', '/internal/v1/systems', { token: null })).status, 401);
  });

  it('pulls the registered system until ONLINE, then OFFLINE when it stops answering; the relay presence beside it', async () => {
    await createRedisPresenceStore(registry.redis, { keyPrefix: registry.keyPrefix }).markActive(JUSTICE, `${JUSTICE}:ho-tich-dien-tu`, Date.now() - 5_000);
    monitoring = await startMonitoringHarness(
      {
        HEALTH_POLL: 'true',
        HEALTH_MIN_INTERVAL_SECONDS: '1',
        HEALTH_TIMEOUT_MS: '400',
        HEALTH_FAILURES_OFFLINE: '2',
        HEALTH_PRESENCE: 'redis',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: registry.keyPrefix,
      },
      { registry: createRegistryClient({ baseUrl: registry.running.origin, token: registry.token }), log: undefined },
    );
    const health = monitoring!.running.modules.health as HealthModuleState;
    const status = async () => (await health.store.state(SYSTEM))?.status;
    await eventually('the registered system online', async () => (await status()) === 'ONLINE');
    sim.setAgencySystem(SYSTEM, 'HANG');
    await eventually('the registered system offline', async () => (await status()) === 'OFFLINE');
    const answer = await monitoring!.gql(
      OPERATOR,
      `{ systemsHealth(agency: "${JUSTICE}") { systems { systemId status consecutiveFailures } relayLastSeenAt relaySystems { systemId lastSeenAt } } }`,
    );
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const agency = answer.data!.systemsHealth;
    assert.equal(agency.systems.find((s: { systemId: string }) => s.systemId === SYSTEM).status, 'OFFLINE');
    assert.equal(agency.relaySystems[0].systemId, `${JUSTICE}:ho-tich-dien-tu`);
    assert.ok(Date.parse(agency.relayLastSeenAt) <= Date.now() - 4_000);
    await monitoring.close();
    monitoring = undefined;
    // The monitoring's keys live under the registry harness's prefix: its close() deletes only its own families.
    const keys: string[] = [];
    for (const pattern of [`${registry.keyPrefix}monitoring:*`, `${registry.keyPrefix}audit:*`, `${registry.keyPrefix}relay:*`])
      for await (const batch of registry.redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
    if (keys.length > 0) await registry.redis.del(keys);
  });
});
