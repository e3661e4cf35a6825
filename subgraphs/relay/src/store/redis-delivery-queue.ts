/**
 * Redis Streams DeliveryQueue: one stream per destination and priority, one consumer group `relay-delivery`
 * shared by every relay replica. XREADGROUP hands out new entries, XAUTOCLAIM redelivers entries pending too
 * long (a replica died, or the recipient never acknowledged), XACK + XDEL remove finished ones.
 */
import type { RedisClient } from '@lgsp/kit';
import type { Priority } from '../domain/types.ts';
import { LANES, type DeliveryQueue, type QueueEntry } from './delivery-queue.ts';
import { relayKeys } from './keys.ts';

const GROUP = 'relay-delivery';

interface StreamMessage {
  id: string;
  message: Record<string, string>;
}

export function createRedisDeliveryQueue(redis: RedisClient, options: { keyPrefix: string }): DeliveryQueue {
  const keys = relayKeys(options.keyPrefix);
  const groupsMade = new Set<string>();

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
      await redis.sAdd(keys.queueDestinations, destination);
      const id = await redis.xAdd(stream, '*', { packetId });
      return { id, priority, packetId };
    },
    async readNew(destination, consumer, count) {
      const out: QueueEntry[] = [];
      for (const priority of LANES) {
        if (out.length >= count) break;
        const stream = keys.queue(destination, priority);
        await ensureGroup(stream);
        const reply = (await redis.xReadGroup(GROUP, consumer, [{ key: stream, id: '>' }], { COUNT: count - out.length })) as Array<{
          messages: StreamMessage[];
        }> | null;
        for (const m of reply?.[0]?.messages ?? []) out.push(toEntry(priority, m));
      }
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
      await redis.multi().xAck(stream, GROUP, entry.id).xDel(stream, entry.id).exec();
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
