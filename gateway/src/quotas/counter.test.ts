/** The in-memory counter (no Redis): a fixed window of `perSeconds`, counted per key; the Redis one is in quotas.test.ts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
