/**
 * The change log in Redis: one stream, `<prefix>registry:changes` (named in ../keys.ts), one entry per change with
 * field `record` = the record's JSON without its id; the entry id is the record id. Never trimmed: the log is the
 * audit trail (the next issue chains it). `list` reads newest first (XREVRANGE) in pages until it has `limit` records.
 */
import type { RedisClient } from '@lgsp/kit';
import { changeLogKey } from '../keys.ts';
import { checkChangeQuery, changeMatches, parseChangeInput, type ChangeLog, type ChangeRecord } from './change-log.ts';

const PAGE = 200;

export function createRedisChangeLog(redis: RedisClient, options: { keyPrefix: string }): ChangeLog {
  const key = changeLogKey(options.keyPrefix);
  return {
    async append(input) {
      const { at, actor, entity, entityId, action, before, after } = parseChangeInput(input);
      const stored = { at, actor, entity, entityId, action, before, after };
      const id = await redis.xAdd(key, '*', { record: JSON.stringify(stored) });
      return { id, ...(JSON.parse(JSON.stringify(stored)) as Omit<ChangeRecord, 'id'>) };
    },
    async list(query) {
      checkChangeQuery(query);
      const found: ChangeRecord[] = [];
      // `(` makes the end exclusive: only records older than `before`.
      let end = query.before === undefined ? '+' : `(${query.before}`;
      for (;;) {
        const page = await redis.xRevRange(key, end, '-', { COUNT: PAGE });
        for (const entry of page) {
          const record = { id: entry.id, ...(JSON.parse(entry.message.record ?? '{}') as Omit<ChangeRecord, 'id'>) };
          if (changeMatches(record, query)) found.push(record);
          if (found.length === query.limit) return found;
        }
        if (page.length < PAGE) return found;
        end = `(${page[page.length - 1]!.id}`;
      }
    },
    async close() {},
  };
}
