/** In-memory DeliveryQueue with the semantics of Redis Streams consumer groups (embedded mode, tests). */
import type { Priority } from '../domain/types.ts';
import { LANES, readyScore, type DeliveryQueue, type QueueEntry } from './delivery-queue.ts';

interface Item {
  entry: QueueEntry;
  /** Null while never read; the time of the last read or reclaim otherwise. */
  deliveredAt: number | null;
}

export function createMemoryDeliveryQueue(now: () => number = Date.now): DeliveryQueue {
  const lanes = new Map<string, Map<Priority, Item[]>>();
  let counter = 0;
  /** Per destination: packet id → ready score. */
  const readyLists = new Map<string, Map<string, number>>();
  const readyOf = (destination: string): Map<string, number> => {
    let list = readyLists.get(destination);
    if (list === undefined) {
      list = new Map();
      readyLists.set(destination, list);
    }
    return list;
  };
  const laneOf = (destination: string, priority: Priority): Item[] => {
    let byPriority = lanes.get(destination);
    if (byPriority === undefined) {
      byPriority = new Map(LANES.map((p) => [p, [] as Item[]]));
      lanes.set(destination, byPriority);
    }
    return byPriority.get(priority)!;
  };
  return {
    async enqueue(destination, priority, packetId) {
      counter += 1;
      const entry = { id: `${now()}-${counter}`, priority, packetId };
      laneOf(destination, priority).push({ entry, deliveredAt: null });
      return { ...entry };
    },
    async readNew(destination, _consumer, count) {
      const out: QueueEntry[] = [];
      for (const priority of LANES) {
        for (const item of laneOf(destination, priority)) {
          if (out.length >= count) return out;
          if (item.deliveredAt === null) {
            item.deliveredAt = now();
            out.push({ ...item.entry });
          }
        }
      }
      return out;
    },
    async reclaim(destination, _consumer, minIdleMs, count) {
      const out: QueueEntry[] = [];
      const at = now();
      for (const priority of LANES) {
        for (const item of laneOf(destination, priority)) {
          if (out.length >= count) return out;
          if (item.deliveredAt !== null && at - item.deliveredAt >= minIdleMs) {
            item.deliveredAt = at;
            out.push({ ...item.entry });
          }
        }
      }
      return out;
    },
    async touch(destination, entry) {
      const item = laneOf(destination, entry.priority).find((i) => i.entry.id === entry.id);
      if (item !== undefined && item.deliveredAt !== null) item.deliveredAt = now();
    },
    async ack(destination, entry) {
      const lane = laneOf(destination, entry.priority);
      const index = lane.findIndex((item) => item.entry.id === entry.id);
      if (index >= 0) lane.splice(index, 1);
    },
    async ready(destination, priority, packetId, sequence) {
      readyOf(destination).set(packetId, readyScore(priority, sequence));
    },
    async takeReady(destination, count) {
      const list = readyOf(destination);
      const taken = [...list.entries()]
        .sort((a, b) => a[1] - b[1])
        .slice(0, count)
        .map(([id]) => id);
      for (const id of taken) list.delete(id);
      return taken;
    },
    async notReady(destination, packetId) {
      readyOf(destination).delete(packetId);
    },
    async destinations() {
      return [...lanes.keys()];
    },
    async depth(destination) {
      return LANES.reduce((sum, p) => sum + laneOf(destination, p).length, 0);
    },
  };
}
