import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis, redactUrl, RedisUnavailableError } from './redis.ts';
import { freePortForTest } from './testing.ts';

test('connects to the real Redis', async () => {
  const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  assert.equal(await redis.ping(), 'PONG');
  await redis.quit();
});

test('an unreachable Redis fails fast with a message naming REDIS_URL and how to get one', async () => {
  const port = await freePortForTest();
  await assert.rejects(connectRedis(`redis://user:s3cret@127.0.0.1:${port}`, { connectTimeoutMs: 500 }), (error: unknown) => {
    assert.ok(error instanceof RedisUnavailableError);
    assert.match(error.message, /^REDIS_URL=redis:\/\/user:\*\*\*@127\.0\.0\.1:\d+: cannot reach Redis/);
    assert.match(error.message, /apt-get install redis-server/);
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
});

test('passwords are hidden in Redis URLs', () => {
  assert.equal(redactUrl('redis://:pw@host:6379/0'), 'redis://:***@host:6379/0');
  assert.equal(redactUrl('redis://host:6379'), 'redis://host:6379');
});
