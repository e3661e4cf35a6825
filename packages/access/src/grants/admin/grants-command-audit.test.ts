/**
 * Issue 17: `npm run grants` changes are audit records too (`kind: 'change'`, source `grants`), in the audit stream on
 * the same Redis as the grants and the change log; a dry run records nothing. Real Redis, own key prefix.
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createRedisAuditLog } from '@lgsp/audit';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { createRedisChangeLog } from '../../changes/redis-change-log.ts';
import { sampleGrant } from '../grant-store.contract.ts';
import { createRedisGrantStore } from '../redis-grant-store.ts';
import { runGrantsCommand, type GrantsCommandDeps } from './grants-command.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('grants command: audit records', () => {
  const keyPrefix = testKeyPrefix();
  let redis: RedisClient;
  before(async () => {
    redis = await connectRedis(redisUrl);
  });
  after(async () => {
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) keys.push(...batch);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  const deps: GrantsCommandDeps = {
    config: () => ({ redisUrl, redisKeyPrefix: keyPrefix, supergraphFile: 'unused' }),
    readFieldSets: () => Promise.reject(new Error('not needed by revoke')),
  };
  const run = async (args: string[]) => {
    let stderr = '';
    const sink = (write: (text: string) => void) =>
      new Writable({
        write(chunk, _encoding, done) {
          write(String(chunk));
          done();
        },
      });
    const io = {
      env: { REDIS_URL: redisUrl },
      cwd: process.cwd(),
      stdin: Readable.from([]),
      stdout: sink(() => undefined),
      stderr: sink((t) => (stderr += t)),
    };
    const code = await runGrantsCommand(args, io, deps);
    return { code, stderr };
  };

  it('records a revocation with who made it, and nothing for a dry run', async () => {
    const store = createRedisGrantStore(redis, { keyPrefix });
    const grant = sampleGrant('school-citizen', { consumer: '000.01.06.H41' });
    await store.putAll([grant], await store.version());
    const dry = await run(['revoke', grant.id, '--by', 'nguyen.van.a', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    const log = createRedisAuditLog(redis, { keyPrefix });
    assert.equal(await log.head(), null, 'a dry run writes no audit record');

    const revoked = await run(['revoke', grant.id, '--by', 'nguyen.van.a']);
    assert.equal(revoked.code, 0, revoked.stderr);
    const records = await log.range(1, 100);
    assert.deepEqual(
      records.map((r) => [r.kind, r.source, r.action, r.service, r.entityId, r.user, r.counterpartAgency, r.details.actorKind]),
      [['change', 'grants', 'revoke', 'grant', grant.id, 'nguyen.van.a', '000.01.06.H41', 'operator']],
    );
    const [change] = await createRedisChangeLog(redis, { keyPrefix }).list({ limit: 1 });
    assert.equal(records[0]!.details.changeId, change!.id);
  });
});
