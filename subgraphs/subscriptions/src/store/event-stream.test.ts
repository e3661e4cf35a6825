import { createEventStream } from './event-stream.ts';
import { describeEventStreamContract } from './event-stream.contract.ts';
import { createMemoryEventLog } from './memory-event-log.ts';
import { createRedisEventLog } from './redis-event-log.ts';
import { testRedis } from '../testing.ts';

describeEventStreamContract('memory', async (options) => ({
  stream: createEventStream(createMemoryEventLog({ retention: options.retention }), options),
  cleanup: async () => {},
}));

describeEventStreamContract('redis', async (options) => {
  const r = await testRedis();
  return {
    stream: createEventStream(createRedisEventLog(r.redis, { keyPrefix: r.keyPrefix, retention: options.retention }), options),
    cleanup: r.cleanup,
  };
});
