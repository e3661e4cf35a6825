/**
 * Redis Streams DeliveryQueue: one stream per destination and priority, one consumer group `relay-delivery`
 * shared by every relay replica. XREADGROUP hands out new entries, XAUTOCLAIM redelivers entries pending too
 * long (a replica died, or the recipient never acknowledged), XACK + XDEL remove finished ones.
 */
import { redisScript, type RedisClient } from '@lgsp/kit';
import type { Priority } from '../domain/types.ts';
import { LANES, readyScore, type DeliveryQueue, type QueueEntry } from './delivery-queue.ts';
import { relayKeys } from './keys.ts';

const GROUP = 'relay-delivery';

// KEYS: the stream. ARGV: group, entry id. Done with an entry: acknowledged and deleted, in one command.
const ACK_AND_DELETE = redisScript(`
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1`);

// Reads new entries lane by lane (KEYS: HIGH, NORMAL, LOW streams) up to a total, in one round trip: a lane is read
// only for what the lanes before it left, so no entry is taken that the caller will not offer.
// ARGV: group, consumer, count. Answers a flat list: lane index (0-2), entry id, packet id, ….
const READ_NEW = redisScript(`
local out = {}
local left = tonumber(ARGV[3])
for lane = 1, #KEYS do
  if left <= 0 then break end
  local reply = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left, 'STREAMS', KEYS[lane], '>')
  if reply then
    for _, entry in ipairs(reply[1][2]) do
      local fields = entry[2]
      local packetId = ''
      for i = 1, #fields, 2 do
        if fields[i] == 'packetId' then packetId = fields[i + 1] end
      end
      table.insert(out, lane - 1)
      table.insert(out, entry[1])
      table.insert(out, packetId)
      left = left - 1
    end
  end
end
return out`);

interface StreamMessage {
  id: string;
  message: Record<string, string>;
}

export function createRedisDeliveryQueue(redis: RedisClient, options: { keyPrefix: string }): DeliveryQueue {
  const keys = relayKeys(options.keyPrefix);
  const groupsMade = new Set<string>();
  // Destinations this process has listed in queueDestinations already (the set only grows).
  const destinationsListed = new Set<string>();

  async function ensureGroup(stream: string): Promise<void> {
    if (groupsMade.has(stream)) return;
    try {
      await redis.xGroupCreate(stream, GROUP, '0', { MKSTREAM: true });
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) throw error;
    }
    groupsMade.add(stream);
  }

  const toEntry = (priority: Priority, m: StreamMessage): QueueEntry => ({ id: m.id, priority, packetId: m.message.packetId ?? '' });

  return {
    async enqueue(destination, priority, packetId) {
      const stream = keys.queue(destination, priority);
      await ensureGroup(stream);
      if (!destinationsListed.has(destination)) {
        await redis.sAdd(keys.queueDestinations, destination);
        destinationsListed.add(destination);
      }
      const id = await redis.xAdd(stream, '*', { packetId });
      return { id, priority, packetId };
    },
    async readNew(destination, consumer, count) {
      const streams = LANES.map((priority) => keys.queue(destination, priority));
      for (const stream of streams) await ensureGroup(stream);
      const flat = (await READ_NEW.run(redis, streams, [GROUP, consumer, String(count)])) as Array<number | string>;
      const out: QueueEntry[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) out.push({ priority: LANES[Number(flat[i])]!, id: String(flat[i + 1]), packetId: String(flat[i + 2]) });
      return out;
    },
    async reclaim(destination, consumer, minIdleMs, count) {
      const out: QueueEntry[] = [];
      for (const priority of LANES) {
        const stream = keys.queue(destination, priority);
        await ensureGroup(stream);
        let start = '0-0';
        do {
          if (out.length >= count) return out;
          const reply = await redis.xAutoClaim(stream, GROUP, consumer, minIdleMs, start, { COUNT: count - out.length });
          for (const m of reply.messages) if (m !== null) out.push(toEntry(priority, m as unknown as StreamMessage));
          start = reply.nextId;
        } while (start !== '0-0');
      }
      return out;
    },
    async touch(destination, entry, consumer) {
      // XCLAIM with min-idle 0 resets the idle time; JUSTID keeps the delivery count as it is.
      await redis.xClaimJustId(keys.queue(destination, entry.priority), GROUP, consumer, 0, entry.id);
    },
    async ack(destination, entry) {
      const stream = keys.queue(destination, entry.priority);
      await ACK_AND_DELETE.run(redis, [stream], [GROUP, entry.id]);
    },
    async ready(destination, priority, packetId, sequence) {
      await redis.zAdd(keys.ready(destination), { score: readyScore(priority, sequence), value: packetId });
    },
    async takeReady(destination, count) {
      if (count <= 0) return [];
      // ZPOPMIN is atomic: two systems of one agency draining at once never take the same packet.
      return (await redis.zPopMinCount(keys.ready(destination), count)).map((m) => m.value);
    },
    async notReady(destination, packetId) {
      await redis.zRem(keys.ready(destination), packetId);
    },
    async destinations() {
      return redis.sMembers(keys.queueDestinations);
    },
    async depth(destination) {
      let total = 0;
      for (const priority of LANES) total += await redis.xLen(keys.queue(destination, priority));
      return total;
    },
  };
}
