/**
 * In-memory DeliveryQueue with the semantics of Redis Streams consumer groups (embedded mode, tests). Per lane,
 * entries never read wait in arrival order and entries read but not acknowledged are kept by id, so reading,
 * acknowledging and taking ready packets cost the same with ten entries waiting or ten thousand.
 */
import type { Priority } from '../domain/types.ts';
import { LANES, readyScore, type DeliveryQueue, type QueueEntry } from './delivery-queue.ts';

interface Item {
  entry: QueueEntry;
  /** The time of the last read or reclaim (read items only). */
  deliveredAt: number;
}

interface Lane {
  /** Entries never read, oldest first; `head` is the next one (the array is compacted from time to time). */
  unread: QueueEntry[];
  head: number;
  /** Ids acknowledged before anyone read them: skipped when their turn comes. */
  droppedUnread: Set<string>;
  /** Read and not acknowledged, in the order they were (re)read. */
  pending: Map<string, Item>;
}

/** One destination's ready list: packet ids by score (lane, then sequence), kept sorted. */
interface ReadyList {
  sorted: Array<{ score: number; packetId: string }>;
  scores: Map<string, number>;
}

/** First index whose score is ≥ `score` (binary search). */
function lowerBound(list: Array<{ score: number }>, score: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]!.score < score) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function createMemoryDeliveryQueue(now: () => number = Date.now): DeliveryQueue {
  const lanes = new Map<string, Map<Priority, Lane>>();
  let counter = 0;
  const readyLists = new Map<string, ReadyList>();

  const laneOf = (destination: string, priority: Priority): Lane => {
    let byPriority = lanes.get(destination);
    if (byPriority === undefined) {
      byPriority = new Map(LANES.map((p) => [p, { unread: [], head: 0, droppedUnread: new Set<string>(), pending: new Map<string, Item>() }]));
      lanes.set(destination, byPriority);
    }
    return byPriority.get(priority)!;
  };
  const readyOf = (destination: string): ReadyList => {
    let list = readyLists.get(destination);
    if (list === undefined) {
      list = { sorted: [], scores: new Map() };
      readyLists.set(destination, list);
    }
    return list;
  };
  const removeReady = (list: ReadyList, packetId: string) => {
    const score = list.scores.get(packetId);
    if (score === undefined) return;
    list.scores.delete(packetId);
    for (let i = lowerBound(list.sorted, score); i < list.sorted.length && list.sorted[i]!.score === score; i += 1) {
      if (list.sorted[i]!.packetId === packetId) {
        list.sorted.splice(i, 1);
        return;
      }
    }
  };
  /** The next never-read entry of a lane, taken off it; undefined when there is none. */
  const nextUnread = (lane: Lane): QueueEntry | undefined => {
    while (lane.head < lane.unread.length) {
      const entry = lane.unread[lane.head]!;
      lane.head += 1;
      if (lane.head > 1024 && lane.head * 2 > lane.unread.length) {
        lane.unread = lane.unread.slice(lane.head);
        lane.head = 0;
      }
      if (lane.droppedUnread.delete(entry.id)) continue;
      return entry;
    }
    return undefined;
  };

  return {
    async enqueue(destination, priority, packetId) {
      counter += 1;
      const entry = { id: `${now()}-${counter}`, priority, packetId };
      laneOf(destination, priority).unread.push(entry);
      return { ...entry };
    },
    async readNew(destination, _consumer, count) {
      const out: QueueEntry[] = [];
      for (const priority of LANES) {
        const lane = laneOf(destination, priority);
        while (out.length < count) {
          const entry = nextUnread(lane);
          if (entry === undefined) break;
          lane.pending.set(entry.id, { entry, deliveredAt: now() });
          out.push({ ...entry });
        }
      }
      return out;
    },
    async reclaim(destination, _consumer, minIdleMs, count) {
      const out: QueueEntry[] = [];
      const at = now();
      for (const priority of LANES) {
        const lane = laneOf(destination, priority);
        // Pending entries by id order, as XAUTOCLAIM walks them; a reclaimed entry keeps its place.
        for (const item of [...lane.pending.values()].sort((a, b) => compareIds(a.entry.id, b.entry.id))) {
          if (out.length >= count) return out;
          if (at - item.deliveredAt >= minIdleMs) {
            item.deliveredAt = at;
            out.push({ ...item.entry });
          }
        }
      }
      return out;
    },
    async touch(destination, entry) {
      const item = laneOf(destination, entry.priority).pending.get(entry.id);
      if (item !== undefined) item.deliveredAt = now();
    },
    async ack(destination, entry) {
      const lane = laneOf(destination, entry.priority);
      if (lane.pending.delete(entry.id)) return;
      // Not read yet: dropped when its turn comes (only if it is really waiting there).
      if (lane.unread.some((e, i) => i >= lane.head && e.id === entry.id)) lane.droppedUnread.add(entry.id);
    },
    async ready(destination, priority, packetId, sequence) {
      const list = readyOf(destination);
      removeReady(list, packetId);
      const score = readyScore(priority, sequence);
      const at = lowerBound(list.sorted, score + 0.5);
      list.sorted.splice(at, 0, { score, packetId });
      list.scores.set(packetId, score);
    },
    async takeReady(destination, count) {
      const list = readyOf(destination);
      const taken = list.sorted.splice(0, Math.max(0, count)).map((r) => r.packetId);
      for (const id of taken) list.scores.delete(id);
      return taken;
    },
    async notReady(destination, packetId) {
      removeReady(readyOf(destination), packetId);
    },
    async destinations() {
      return [...lanes.keys()];
    },
    async depth(destination) {
      return LANES.reduce((sum, p) => {
        const lane = laneOf(destination, p);
        return sum + (lane.unread.length - lane.head - lane.droppedUnread.size) + lane.pending.size;
      }, 0);
    },
  };
}

/** Orders `<ms>-<n>` ids as Redis orders stream ids. */
function compareIds(a: string, b: string): number {
  const [am, an] = a.split('-').map(Number) as [number, number];
  const [bm, bn] = b.split('-').map(Number) as [number, number];
  return am - bm || an - bn;
}
