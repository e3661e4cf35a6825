/**
 * Redis Streams EventLog: XADD with `MAXLEN ~ retention` (bounded), XRANGE for replay, XREAD BLOCK on a connection
 * of its own per reader (a blocking read holds its connection). The streams' keys and the XADD are `@lgsp/events`'s,
 * shared with the publishers.
 */
import { appendToStream, eventStreamKey } from '@lgsp/events';
import type { RedisClient } from '@lgsp/kit';
import { compareEventIds, previousEventId, type RawEvent } from '../domain/topics.ts';
import type { BlockingReader, EventLog, TopicPosition } from './event-log.ts';

export interface RedisEventLogOptions {
  keyPrefix: string;
  /** Events kept per topic, approximately (MAXLEN ~). */
  retention: number;
}

type Entry = { id: string; message: Record<string, string> };
const toEvent = (e: Entry): RawEvent => ({ id: e.id, fields: { ...e.message } });

export function createRedisEventLog(redis: RedisClient, options: RedisEventLogOptions): EventLog {
  const key = (topic: string) => eventStreamKey(options.keyPrefix, topic);
  const readers = new Set<RedisClient>();
  return {
    append: (topic, fields) => appendToStream(redis, options, topic, fields),

    async position(topic) {
      let info;
      try {
        info = (await redis.xInfoStream(key(topic))) as unknown as Record<string, unknown>;
      } catch (error) {
        if (/no such key/i.test((error as Error).message)) return { last: '0-0', earliestResumable: '0-0' } satisfies TopicPosition;
        throw error;
      }
      const last = String(info['last-generated-id'] ?? '0-0');
      const length = Number(info.length ?? 0);
      const added = Number(info['entries-added'] ?? length);
      const maxDeleted = String(info['max-deleted-entry-id'] ?? '0-0');
      const first = (info['first-entry'] as Entry | null | undefined)?.id;
      let earliest = maxDeleted;
      if (added > length) {
        // Entries were trimmed from the head: only ids from just before the oldest one kept can resume completely.
        // (Conservative: a client whose last event was exactly the last one trimmed is told it may have missed some.)
        const trimmed = first === undefined ? last : previousEventId(first);
        if (compareEventIds(trimmed, earliest) > 0) earliest = trimmed;
      }
      return { last, earliestResumable: earliest };
    },

    async range(topic, after, count) {
      const rows = (await redis.xRange(key(topic), `(${after}`, '+', { COUNT: count })) as unknown as Entry[];
      return rows.map(toEvent);
    },

    async openReader() {
      const connection = redis.duplicate() as RedisClient;
      connection.on('error', () => {
        /* reported through the failing XREAD, which the hub retries */
      });
      await connection.connect();
      readers.add(connection);
      let closed = false;
      return {
        async read(topic, after, count, blockMs) {
          const reply = (await connection.xRead({ key: key(topic), id: after }, { BLOCK: blockMs, COUNT: count })) as unknown as Array<{
            messages: Entry[];
          }> | null;
          return reply === null ? [] : (reply[0]?.messages ?? []).map(toEvent);
        },
        async close() {
          if (closed) return;
          closed = true;
          readers.delete(connection);
          // destroy, not close: a pending XREAD BLOCK must end now, not after its timeout.
          connection.destroy();
        },
      } satisfies BlockingReader;
    },

    async close() {
      for (const connection of readers) connection.destroy();
      readers.clear();
    },
  };
}
