/** Runs the CredentialRevocations contract against memory, real Redis (two connections) and HTTP (a real server). */
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { revocationKeyPattern, revocationKeys } from '../keys.ts';
import { adaptersOnRedis, adaptersOverHttp } from '../testing.ts';
import { describeCredentialRevocationsContract, sampleRevocation } from './credential-revocations.contract.ts';
import { createHttpCredentialRevocations } from './http-credential-revocations.ts';
import { createMemoryCredentialRevocations } from './memory-credential-revocations.ts';
import { createRedisCredentialRevocations } from './redis-credential-revocations.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeCredentialRevocationsContract('memory', async () => {
  const store = createMemoryCredentialRevocations();
  return { store, peer: store, cleanup: () => store.close() };
});

describeCredentialRevocationsContract('redis', () => adaptersOnRedis(createRedisCredentialRevocations, revocationKeyPattern));

describeCredentialRevocationsContract('http', () => adaptersOverHttp(createHttpCredentialRevocations));

describe('Redis credential revocations: an entry that does not read as a revocation', () => {
  it('still revokes (deny when in doubt), is listed as unreadable and reported', async () => {
    const keyPrefix = testKeyPrefix();
    const redis = await connectRedis(redisUrl);
    const reported: string[] = [];
    const store = createRedisCredentialRevocations(redis, { keyPrefix, onUnreadable: (clientId) => reported.push(clientId) });
    try {
      await store.revoke('good', sampleRevocation());
      await redis.hSet(revocationKeys(keyPrefix).items, 'by-hand', 'yes');
      assert.equal(await store.isRevoked('by-hand'), true);
      const listed = await store.list();
      assert.deepEqual(
        listed.map((r) => r.clientId),
        ['by-hand', 'good'],
      );
      assert.match(listed[0]!.reason, /^unreadable: /);
      assert.deepEqual(reported, ['by-hand']);
    } finally {
      await store.close();
      for await (const keys of redis.scanIterator({ MATCH: revocationKeyPattern(keyPrefix), COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    }
  });
});
