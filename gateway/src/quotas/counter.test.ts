/** The counters: in memory (one process) and on Redis (replicas share the count; memory when Redis is gone). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { quotaKeyPattern, quotaKeys } from '../redis-keys.ts';
import { createQuotaCounter } from './counter.ts';

test('memory: allows `requests` per window per key, then refuses until the window ends', async () => {
  const counter = createQuotaCounter({ keyPrefix: 'quotas' });
  const quota = { requests: 2, perSeconds: 1 };
  const first = await counter.consume('production:000.00.03.H41:places', quota);
  assert.deepEqual({ allowed: first.allowed, remaining: first.remaining }, { allowed: true, remaining: 1 });
  assert.ok(first.msBeforeReset > 0 && first.msBeforeReset <= 1000);
  assert.equal((await counter.consume('production:000.00.03.H41:places', quota)).allowed, true);
  const refused = await counter.consume('production:000.00.03.H41:places', quota);
  assert.deepEqual({ allowed: refused.allowed, remaining: refused.remaining }, { allowed: false, remaining: 0 });
  // Another key (agency, environment or service) has its own count.
  assert.equal((await counter.consume('test:000.00.03.H41:places', quota)).allowed, true);
  await new Promise((resolve) => setTimeout(resolve, refused.msBeforeReset + 20));
  assert.equal((await counter.consume('production:000.00.03.H41:places', quota)).allowed, true);
});

test('Redis: two counters on two connections (two replicas) share one count; keys under the prefix, removed after', async () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = testKeyPrefix();
  const [one, two] = [await connectRedis(url), await connectRedis(url)];
  try {
    const keys = quotaKeys(prefix);
    const a = createQuotaCounter({ redis: one, keyPrefix: keys.limiterPrefix });
    const b = createQuotaCounter({ redis: two, keyPrefix: keys.limiterPrefix });
    const quota = { requests: 3, perSeconds: 60 };
    const key = keys.counter('production', '000.00.03.H41', 'places');
    assert.equal((await a.consume(key, quota)).remaining, 2);
    assert.equal((await b.consume(key, quota)).remaining, 1);
    assert.equal((await a.consume(key, quota)).remaining, 0);
    const refused = await b.consume(key, quota);
    assert.equal(refused.allowed, false);
    assert.ok(refused.msBeforeReset > 58_000 && refused.msBeforeReset <= 60_000, String(refused.msBeforeReset));
    const stored = await one.keys(quotaKeyPattern(prefix));
    assert.deepEqual(stored, [`${prefix}quotas:production:000.00.03.H41:places`]);
    assert.ok((await one.pTTL(stored[0]!)) > 58_000);

    // A replica whose Redis connection is gone counts in its own memory instead of failing or hanging.
    await two.quit();
    const alone = await b.consume(keys.counter('production', '000.00.04.H41', 'places'), quota);
    assert.deepEqual({ allowed: alone.allowed, remaining: alone.remaining }, { allowed: true, remaining: 2 });
  } finally {
    for await (const found of one.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (found.length > 0) await one.del(found);
    await one.quit();
    if (two.isOpen) await two.quit();
  }
});
