/** Runs the CredentialRevocations contract against the memory adapter and against real Redis (two connections = two replicas). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { revocationKeyPattern, revocationKeys } from '../../redis-keys.ts';
import { describeCredentialRevocationsContract } from './credential-revocations.contract.ts';
import { createMemoryCredentialRevocations } from './memory-credential-revocations.ts';
import { createRedisCredentialRevocations } from './redis-credential-revocations.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function removeKeys(redis: RedisClient, prefix: string): Promise<void> {
  for await (const keys of redis.scanIterator({ MATCH: revocationKeyPattern(prefix), COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
}

describeCredentialRevocationsContract('memory', async () => {
  const store = createMemoryCredentialRevocations();
  return { store, peer: store, cleanup: () => store.close() };
});

describeCredentialRevocationsContract('redis', async () => {
  const keyPrefix = testKeyPrefix();
  const a = await connectRedis(redisUrl);
  const b = await connectRedis(redisUrl);
  const store = createRedisCredentialRevocations(a, { keyPrefix });
  const peer = createRedisCredentialRevocations(b, { keyPrefix });
  return {
    store,
    peer,
    async cleanup() {
      await store.close();
      await peer.close();
      await removeKeys(a, keyPrefix);
      await a.quit();
      await b.quit();
    },
  };
});

describe('Redis revocations: an entry that does not read as a revocation', () => {
  it('still revokes its client (never lets a credential back in) and is reported', async () => {
    const keyPrefix = testKeyPrefix();
    const redis = await connectRedis(redisUrl);
    const reported: string[] = [];
    const store = createRedisCredentialRevocations(redis, { keyPrefix, onUnreadable: (clientId) => reported.push(clientId) });
    try {
      await redis.hSet(revocationKeys(keyPrefix).items, 'garbled-client', '{"at": ');
      assert.equal(await store.isRevoked('garbled-client'), true);
      assert.deepEqual(
        (await store.list()).map((r) => r.clientId),
        ['garbled-client'],
      );
      assert.deepEqual(reported, ['garbled-client']);
    } finally {
      await store.close();
      await removeKeys(redis, keyPrefix);
      await redis.quit();
    }
  });
});
