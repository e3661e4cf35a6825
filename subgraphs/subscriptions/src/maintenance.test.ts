/**
 * `maintenanceAnnounced` over real graphql-ws on real Redis, fed by the publisher and field builder the registry uses
 * (`@lgsp/events`' maintenanceEventFields): windows reach every signed-in caller, incidents only the agencies they
 * affect and operators, `kind` filters, and malformed entries are skipped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { MAINTENANCE_CHANGES, MAINTENANCE_KINDS, maintenanceEventFields, redisEventPublisher, TopicFamily, type EventPublisher } from '@lgsp/events';
import type { EnumTypeDefinitionNode } from 'graphql';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, Role, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startSubscriptions, typeDefs, type RunningSubscriptions } from './service.ts';
import { eventually, follow, redisUrl, testRedis, type Item } from './testing.ts';

const A = '000.00.03.H41';
const B = '000.00.04.H41';
const agency = (code: string): Principal => ({ kind: 'system', agencyCode: code, systemId: `system-${code}`, roles: [], scopes: [] });
const operator: Principal = { kind: 'user', userId: 'op-1', roles: [Role.operator], scopes: [] };
const anonymous: Principal = { kind: 'anonymous', roles: [], scopes: [] };
const FIELDS = 'kind id change summary startsAt endsAt emergency affectedAgencies { code } affectedServices expectedFixAt';

describe('maintenanceAnnounced', () => {
  let issuer: InternalTokenIssuer;
  let service: RunningSubscriptions;
  let r: Awaited<ReturnType<typeof testRedis>>;
  let events: EventPublisher;
  const clients: Client[] = [];
  const connect = async (principal: Principal) => {
    const client = createClient({
      url: service.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await issuer.tokenFor(principal)}` },
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    r = await testRedis();
    events = redisEventPublisher(r.redis, { keyPrefix: r.keyPrefix, retention: 1_000 });
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const config = configSchema.parse({ PORT: '0', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: r.keyPrefix, SUBSCRIPTIONS_BLOCK_MS: '1000', LOG_LEVEL: 'silent' });
    service = await startSubscriptions(config, { verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }), logger: createLogger('test', 'silent') });
  });
  after(async () => {
    for (const client of clients) await client.dispose();
    await service.close();
    await r.cleanup();
  });

  it('delivers windows to everyone and incidents to the affected agencies and operators', async () => {
    const ofA = follow(await connect(agency(A)), `subscription { maintenanceAnnounced { ${FIELDS} } }`);
    const ofB = follow(await connect(agency(B)), `subscription { maintenanceAnnounced { kind id change } }`);
    const ops = follow(await connect(operator), `subscription { maintenanceAnnounced(kind: INCIDENT) { kind id change } }`);
    await eventually(() => service.stream.stats().subscriptions === 3, 'three subscriptions are open');
    const window = maintenanceEventFields({
      kind: 'MAINTENANCE',
      id: 'mw-1',
      change: 'ANNOUNCED',
      summary: 'Nâng cấp nền tảng',
      startsAt: '2026-12-10T15:00:00.000Z',
      endsAt: '2026-12-10T17:00:00.000Z',
      emergency: true,
      affectedServices: ['national-data-citizen'],
    });
    await events.publish(TopicFamily.maintenanceAnnounced, null, window);
    await events.publish(TopicFamily.maintenanceAnnounced, null, { kind: 'MAINTENANCE', change: 'NOT_A_CHANGE', id: 'x' });
    await events.publish(
      TopicFamily.maintenanceAnnounced,
      null,
      maintenanceEventFields({
        kind: 'INCIDENT',
        id: 'inc-1',
        change: 'RECORDED',
        summary: 'Mất kết nối',
        startsAt: '2026-12-07T01:00:00.000Z',
        affectedAgencies: [B],
        expectedFixAt: '2026-12-07T05:00:00.000Z',
      }),
    );
    assert.deepEqual(await ofA.data('maintenanceAnnounced'), {
      kind: 'MAINTENANCE',
      id: 'mw-1',
      change: 'ANNOUNCED',
      summary: 'Nâng cấp nền tảng',
      startsAt: '2026-12-10T15:00:00.000Z',
      endsAt: '2026-12-10T17:00:00.000Z',
      emergency: true,
      affectedAgencies: [],
      affectedServices: ['national-data-citizen'],
      expectedFixAt: null,
    });
    assert.deepEqual(await ofB.data('maintenanceAnnounced'), { kind: 'MAINTENANCE', id: 'mw-1', change: 'ANNOUNCED' });
    assert.deepEqual(await ofB.data('maintenanceAnnounced'), { kind: 'INCIDENT', id: 'inc-1', change: 'RECORDED' });
    assert.deepEqual(await ops.data('maintenanceAnnounced'), { kind: 'INCIDENT', id: 'inc-1', change: 'RECORDED' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(ofA.pending(), 0, "B's incident is not delivered to A");
    assert.equal(ops.pending(), 0, 'kind: INCIDENT leaves windows out');
  });

  it('declares the kinds and changes @lgsp/events defines for the registry', () => {
    const values = (name: string) =>
      typeDefs.definitions
        .filter((d): d is EnumTypeDefinitionNode => d.kind === 'EnumTypeDefinition' && d.name.value === name)
        .flatMap((d) => (d.values ?? []).map((v) => v.name.value));
    assert.deepEqual(values('MaintenanceKind'), [...MAINTENANCE_KINDS]);
    assert.deepEqual(values('MaintenanceChange'), [...MAINTENANCE_CHANGES]);
  });

  it('refuses anonymous callers', async () => {
    const refused = await follow(await connect(anonymous), 'subscription { maintenanceAnnounced { id } }').next();
    assert.equal((refused as Extract<Item, { kind: 'next' }>).value.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});
