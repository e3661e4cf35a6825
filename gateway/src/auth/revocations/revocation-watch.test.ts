/**
 * The gateway's copy of the revoked credentials over real Redis: it follows notifications, keeps the last copy when
 * the store cannot be read (counted), recovers, tells listeners who was newly revoked, and refuses to start blind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectRedis, createLogger, createMetricsRegistry, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { revocationKeys } from '@lgsp/access';
import { createRedisCredentialRevocations } from '@lgsp/access';
import { watchRevocations } from './revocation-watch.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const details = { at: '2026-12-06T08:00:00Z', reason: 'access request suspended', by: 'operator.h41' };
const logger = createLogger('gateway', 'silent');

let redis: RedisClient;
let keyPrefix: string;

before(async () => {
  redis = await connectRedis(redisUrl);
  keyPrefix = testKeyPrefix();
});

after(async () => {
  for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
  await redis.quit();
});

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > 5_000) assert.fail(`${what}: not within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('revocation watch', () => {
  it('follows changes, keeps the last copy while the store cannot be read, and recovers', async () => {
    const store = createRedisCredentialRevocations(redis, { keyPrefix });
    const metrics = createMetricsRegistry('gateway');
    await store.revoke('client-a', details);
    const watch = await watchRevocations(store, { pollMs: 100, logger, metrics });
    const revoked: string[][] = [];
    watch.onRevoked((clientIds) => revoked.push([...clientIds]));
    try {
      assert.equal(watch.isRevoked('client-a'), true, 'read at start');
      assert.equal(watch.isRevoked('client-b'), false);

      // The store breaks (the hash is replaced by a string: every read fails) and its version moves.
      const keys = revocationKeys(keyPrefix);
      await redis.del(keys.items);
      await redis.set(keys.items, 'not a hash');
      await redis.incr(keys.version);
      const failures = async () => (await metrics.getSingleMetric('lgsp_gateway_revocation_refresh_failures_total')!.get()).values[0]?.value ?? 0;
      await until(async () => (await failures()) >= 2, 'failed reads counted');
      assert.equal(watch.isRevoked('client-a'), true, 'the last copy stays in force');

      // Repaired: the next change is heard at once.
      await redis.del(keys.items);
      await store.revoke('client-b', details);
      await until(() => watch.isRevoked('client-b'), 'client-b revoked');
      assert.equal(watch.isRevoked('client-a'), false);
      assert.deepEqual(revoked, [['client-b']], 'listeners hear of the newly revoked only');
      const gauge = await metrics.getSingleMetric('lgsp_gateway_revoked_credentials')!.get();
      assert.equal(gauge.values[0]?.value, 1);
    } finally {
      await watch.close();
      await store.close();
    }
  });

  it('does not start when the store cannot be read (the gateway never serves without knowing who is revoked)', async () => {
    const prefix = `${keyPrefix}broken:`;
    await redis.set(revocationKeys(prefix).items, 'not a hash');
    await redis.set(revocationKeys(prefix).version, '1');
    const store = createRedisCredentialRevocations(redis, { keyPrefix: prefix });
    await assert.rejects(watchRevocations(store, { pollMs: 100, logger }), /WRONGTYPE/);
    await store.close();
    await redis.del([revocationKeys(prefix).items, revocationKeys(prefix).version]);
  });
});
