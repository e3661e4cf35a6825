/**
 * In-memory EventLog: for embedded mode (no REDIS_URL) and tests. It lives in one process, so publishers must be
 * in the same process or post to this service's `/internal/events` endpoint (see README "Embedded mode").
 * Ids are `<ms>-<seq>` like Redis stream ids; each topic keeps its newest `retention` events.
 */
import { compareEventIds, type RawEvent } from '../domain/topics.ts';
import type { BlockingReader, EventLog, TopicPosition } from './event-log.ts';

interface Topic {
  entries: RawEvent[];
  lastMs: number;
  lastSeq: number;
  /** Id of the newest event dropped by retention. */
  trimmedThrough: string;
  waiters: Set<() => void>;
}

export function createMemoryEventLog(options: { retention: number }): EventLog {
  const topics = new Map<string, Topic>();
  const readers = new Set<() => void>();
  const topicOf = (name: string): Topic => {
    let topic = topics.get(name);
    if (topic === undefined) {
      topic = { entries: [], lastMs: 0, lastSeq: -1, trimmedThrough: '0-0', waiters: new Set() };
      topics.set(name, topic);
    }
    return topic;
  };
  const after = (name: string, id: string, count: number): RawEvent[] => {
    const entries = topics.get(name)?.entries ?? [];
    // Binary search for the first entry with an id greater than `id`.
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareEventIds(entries[mid]!.id, id) <= 0) low = mid + 1;
      else high = mid;
    }
    return entries.slice(low, low + count).map((e) => ({ id: e.id, fields: { ...e.fields } }));
  };

  return {
    async append(name, fields) {
      const topic = topicOf(name);
      const now = Date.now();
      if (now > topic.lastMs) {
        topic.lastMs = now;
        topic.lastSeq = 0;
      } else {
        topic.lastSeq += 1;
      }
      const id = `${topic.lastMs}-${topic.lastSeq}`;
      topic.entries.push({ id, fields: { ...fields } });
      if (topic.entries.length > options.retention) {
        const dropped = topic.entries.splice(0, topic.entries.length - options.retention);
        topic.trimmedThrough = dropped[dropped.length - 1]!.id;
      }
      const waiters = [...topic.waiters];
      topic.waiters.clear();
      for (const wake of waiters) wake();
      return id;
    },
    async position(name) {
      const topic = topics.get(name);
      if (topic === undefined || topic.lastSeq < 0) return { last: '0-0', earliestResumable: '0-0' } satisfies TopicPosition;
      return { last: `${topic.lastMs}-${topic.lastSeq}`, earliestResumable: topic.trimmedThrough };
    },
    async range(name, id, count) {
      return after(name, id, count);
    },
    async openReader(): Promise<BlockingReader> {
      let closed = false;
      let pending: (() => void) | null = null;
      const reader: BlockingReader = {
        async read(name, id, count, blockMs) {
          if (closed) throw new Error('reader closed');
          const ready = after(name, id, count);
          if (ready.length > 0) return ready;
          const topic = topicOf(name);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, blockMs);
            function done() {
              clearTimeout(timer);
              topic.waiters.delete(done);
              readers.delete(done);
              pending = null;
              resolve();
            }
            topic.waiters.add(done);
            readers.add(done);
            pending = done;
          });
          return closed ? [] : after(name, id, count);
        },
        async close() {
          closed = true;
          pending?.();
        },
      };
      return reader;
    },
    async close() {
      for (const wake of [...readers]) wake();
      topics.clear();
    },
  };
}
