/** Runs the ChangeLog contract against memory, real Redis (two connections) and HTTP (a real server). */
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { changeLogKeyPattern } from '../keys.ts';
import { startAccessServer, TEST_ACCESS_TOKEN } from '../testing.ts';
import { describeChangeLogContract } from './change-log.contract.ts';
import { createHttpChangeLog } from './http-change-log.ts';
import { createMemoryChangeLog } from './memory-change-log.ts';
import { createRedisChangeLog } from './redis-change-log.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeChangeLogContract('memory', async () => {
  const log = createMemoryChangeLog();
  return { log, peer: log, cleanup: () => log.close() };
});

describeChangeLogContract('redis', async () => {
  const keyPrefix = testKeyPrefix();
  const a = await connectRedis(redisUrl);
  const b = await connectRedis(redisUrl);
  const log = createRedisChangeLog(a, { keyPrefix });
  const peer = createRedisChangeLog(b, { keyPrefix });
  return {
    log,
    peer,
    async cleanup() {
      for await (const keys of a.scanIterator({ MATCH: changeLogKeyPattern(keyPrefix), COUNT: 100 })) if (keys.length > 0) await a.del(keys);
      await a.quit();
      await b.quit();
    },
  };
});

describeChangeLogContract('http', async () => {
  const server = await startAccessServer();
  const log = createHttpChangeLog({ baseUrl: server.url, token: TEST_ACCESS_TOKEN });
  const peer = createHttpChangeLog({ baseUrl: server.url, token: TEST_ACCESS_TOKEN });
  return { log, peer, cleanup: () => server.close() };
});
