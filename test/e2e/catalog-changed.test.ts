/**
 * Catalogs → subscriptions across two real parts: the `catalog-changed` event the catalogs subgraph's publisher writes
 * when a version is published (the import command's adapter, on Redis) reaches a real subscriptions service on the
 * same Redis and prefix, followed over graphql-ws as the gateway does, as `catalogChanged`. (That the import command
 * writes exactly this event is subgraphs/catalogs/src/import.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventKeyPattern, readTopicStream, redisEventPublisher, topics } from '@lgsp/events';
import { connectRedis, createInternalTokenIssuer, createInternalTokenVerifier, createLogger, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { configSchema as subscriptionsConfigSchema, startSubscriptions, type RunningSubscriptions } from '@lgsp/subscriptions';
import { createTopicCatalogEvents } from '../../subgraphs/catalogs/src/store/catalog-change-events.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = testKeyPrefix();

async function waitUntil(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('catalogs → subscriptions: a published catalog version is delivered as catalogChanged', () => {
  let redis: RedisClient;
  let subscriptions: RunningSubscriptions;
  let client: Client;
  const delivered: Array<{ data?: { catalogChanged?: Record<string, unknown> } | null; errors?: unknown }> = [];

  before(async () => {
    redis = await connectRedis(redisUrl);
    const issuer = await createInternalTokenIssuer({ ttlSeconds: 300 });
    const config = subscriptionsConfigSchema.parse({
      PORT: '0',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      SUBSCRIPTIONS_BLOCK_MS: '1000',
      LOG_LEVEL: 'silent',
    });
    subscriptions = await startSubscriptions(config, {
      verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
      logger: createLogger('catalog-changed-test', 'silent'),
    });
    const token = await issuer.tokenFor({ kind: 'system', agencyCode: '000.00.03.H41', systemId: 'system-h41', roles: [], scopes: [] });
    client = createClient({ url: subscriptions.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    client.subscribe(
      { query: 'subscription { catalogChanged(catalog: ADMINISTRATIVE_UNITS) { eventId occurredAt catalog version } }' },
      { next: (value) => void delivered.push(value as never), error: (error) => void delivered.push({ errors: error }), complete: () => undefined },
    );
    await waitUntil(() => subscriptions.stream.stats().subscriptions === 1, 'the catalogChanged subscription is open');
  });

  after(async () => {
    await client?.dispose();
    await subscriptions?.close();
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: eventKeyPattern(keyPrefix), COUNT: 100 })) keys.push(...batch);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  it('delivers the version the catalogs publisher announced, with its event id and publishedAt; other catalogs are filtered out', async () => {
    const events = createTopicCatalogEvents(redisEventPublisher(redis, { keyPrefix, retention: 100 }));
    const publishedAt = '2026-04-30T00:00:00.000Z';
    await events.versionPublished({ catalog: 'ETHNIC_GROUPS', version: 3, publishedAt, source: 'test', itemCount: 54, label: null });
    const eventId = await events.versionPublished({
      catalog: 'ADMINISTRATIVE_UNITS',
      version: 2,
      publishedAt,
      source: 'test',
      itemCount: 3_321,
      label: 'vn-units-2026-07-25',
    });
    assert.equal((await readTopicStream(redis, keyPrefix, topics.catalogChanged())).at(-1)?.id, eventId);
    await waitUntil(() => delivered.length > 0, 'catalogChanged is delivered');
    assert.deepEqual(delivered, [{ data: { catalogChanged: { eventId, occurredAt: publishedAt, catalog: 'ADMINISTRATIVE_UNITS', version: 2 } } }]);
  });
});
