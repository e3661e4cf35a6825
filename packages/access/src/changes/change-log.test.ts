/** Runs the ChangeLog contract against memory, real Redis (two connections) and HTTP (a real server). */
import { changeLogKeyPattern } from '../keys.ts';
import { adaptersOnRedis, adaptersOverHttp } from '../testing.ts';
import { describeChangeLogContract } from './change-log.contract.ts';
import { createHttpChangeLog } from './http-change-log.ts';
import { createMemoryChangeLog } from './memory-change-log.ts';
import { createRedisChangeLog } from './redis-change-log.ts';

describeChangeLogContract('memory', async () => {
  const log = createMemoryChangeLog();
  return { log, peer: log, cleanup: () => log.close() };
});

describeChangeLogContract('redis', async () => {
  const { store, peer, cleanup } = await adaptersOnRedis(createRedisChangeLog, changeLogKeyPattern);
  return { log: store, peer, cleanup };
});

describeChangeLogContract('http', async () => {
  const { store, peer, cleanup } = await adaptersOverHttp(createHttpChangeLog);
  return { log: store, peer, cleanup };
});
