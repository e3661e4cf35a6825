/**
 * The audit log in Redis (deployment): one stream of canonical record JSON with ids `<seq>-0`, the head, daily rollups
 * and indexes (../keys.ts). Any number of processes append: each chains a batch in Node after the head it knows and
 * commits it with one Lua script that checks that head is still the head (seq and hash) and writes the stream entries,
 * the new head, the indexes and the rollups together; when another process got there first, the script answers the
 * real head and the batch is chained again (bounded retries). A batch that may have been committed by a call that
 * failed (a lost connection) is recognised by its batch id when the caller appends the same array again, and never
 * stored twice.
 *
 * `query` reads an index (a subject's sorted set, or the agency's, counterpart's or whole day's sets of the period's
 * days), newest first, and fetches the records it names: it never scans the stream. A page looks at most
 * `scanBudget` index entries: a selective filter over a long period may answer fewer records than `limit` with a
 * `next` cursor to continue.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisScript, type RedisClient } from '@lgsp/kit';
import type { AuditLog, AuditPage } from '../audit-log.ts';
import { chainEntries } from '../chain.ts';
import type { Checkpoint } from '../checkpoint.ts';
import {
  checkSeq,
  daysBetween,
  encodeCursor,
  parseAuditEntries,
  parseAuditQuery,
  parseCheckpoint,
  parseStatisticsQuery,
  type ParsedAuditQuery,
} from '../entry-schema.ts';
import { auditKeys, seqOfMember, type AuditKeys } from '../keys.ts';
import { isPastCursor, MAX_RANGE_COUNT, recordMatches, statisticsOrder } from '../query.ts';
import { blankEntry, GENESIS_HASH, type AuditEntry, type AuditRecord, type ChainHead } from '../record.ts';
import { STATISTIC_METRICS, vietnamDay, type StatisticMetric, type StatisticsRow } from '../statistics.ts';
import { indexKeysOf, recordWrites, streamId } from './record-writes.ts';

/**
 * KEYS: head, log, batch marker, then every index and stats key the ops name by position.
 * ARGV: expected seq, expected hash, new seq, new hash, batch marker TTL (s), batch marker value, then ops:
 * `X id json` (XADD), `Z keyIndex score member` (ZADD), `H keyIndex field by` (HINCRBY).
 * Answers {1} committed, {0, seq, hash} another head, {2, "first:count"} this batch was committed before,
 * {3, message} the stream refused the first entry (nothing written).
 */
const APPEND = redisScript(`
local seq = redis.call('HGET', KEYS[1], 'seq') or '0'
local hash = redis.call('HGET', KEYS[1], 'hash') or '${GENESIS_HASH}'
local done = redis.call('GET', KEYS[3])
if done then return {2, done} end
if seq ~= ARGV[1] or hash ~= ARGV[2] then return {0, seq, hash} end
local i = 7
local first = true
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'X' then
    if first then
      local ok = redis.pcall('XADD', KEYS[2], ARGV[i + 1], 'record', ARGV[i + 2])
      if type(ok) == 'table' and ok.err then return {3, ok.err} end
      first = false
    else
      redis.call('XADD', KEYS[2], ARGV[i + 1], 'record', ARGV[i + 2])
    end
    i = i + 3
  elseif op == 'Z' then
    redis.call('ZADD', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'H' then
    redis.call('HINCRBY', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  else
    return redis.error_reply('audit append: unknown op ' .. tostring(op))
  end
end
redis.call('HSET', KEYS[1], 'seq', ARGV[3], 'hash', ARGV[4])
redis.call('SET', KEYS[3], ARGV[6], 'EX', ARGV[5])
return {1}
`);

export interface RedisAuditLogOptions {
  keyPrefix: string;
  /** How many times an append is chained again when other processes moved the head meanwhile (default 100). */
  maxRetries?: number;
  /** Most index entries one query page looks at (default 20,000). */
  scanBudget?: number;
}

/** How long a committed batch is remembered, so that a retry of an append that failed after committing is not stored twice. */
const BATCH_MEMORY_SECONDS = 3_600;
const QUERY_BATCH = 500;

/** The record of a stream entry that is not a record's JSON (tampering): verification reports it as edited. */
function unreadableRecord(seq: number, reason: string): AuditRecord {
  return { ...blankEntry({ kind: 'operation', source: 'unreadable', outcome: 'error', details: { unreadable: reason } }), seq, prevHash: '', hash: '' };
}

type StreamEntry = [id: string, fields: string[]];

function parseEntry([id, fields]: StreamEntry): AuditRecord {
  const seq = Number(id.split('-')[0]);
  const at = fields.indexOf('record');
  if (at < 0 || at % 2 !== 0) return unreadableRecord(seq, 'the stream entry has no record field');
  try {
    const record = JSON.parse(fields[at + 1]!) as AuditRecord;
    if (record === null || typeof record !== 'object' || typeof record.seq !== 'number') return unreadableRecord(seq, 'the stream entry is not a record');
    return record;
  } catch (error) {
    return unreadableRecord(seq, `the stream entry is not JSON (${(error as Error).message})`);
  }
}

export function createRedisAuditLog(redis: RedisClient, options: RedisAuditLogOptions): AuditLog {
  const keys: AuditKeys = auditKeys(options.keyPrefix);
  const maxRetries = options.maxRetries ?? 100;
  const scanBudget = options.scanBudget ?? 20_000;
  /** The batch id of each entries array this process tried to append (a retry passes the same array). */
  const batchIds = new WeakMap<readonly unknown[], string>();
  let knownHead: ChainHead | null | undefined;
  /** Appends of this process, one after the other (they would only race each other for the head). */
  let appending: Promise<unknown> = Promise.resolve();

  const readHead = async (): Promise<ChainHead | null> => {
    const [seq, hash] = (await redis.sendCommand(['HMGET', keys.head, 'seq', 'hash'])) as [string | null, string | null];
    return seq === null || hash === null ? null : { seq: Number(seq), hash };
  };
  const xrange = async (start: string, end: string, count: number): Promise<AuditRecord[]> =>
    ((await redis.sendCommand(['XRANGE', keys.log, start, end, 'COUNT', String(count)])) as StreamEntry[]).map(parseEntry);

  const commit = async (entries: AuditEntry[], batchId: string): Promise<AuditRecord[]> => {
    for (let attempt = 0; ; attempt += 1) {
      if (knownHead === undefined) knownHead = await readHead();
      const chained = chainEntries(entries, knownHead);
      const keyList = [keys.head, keys.log, keys.batch(batchId)];
      const keyIndex = new Map<string, number>();
      const position = (key: string) => {
        let index = keyIndex.get(key);
        if (index === undefined) {
          keyList.push(key);
          index = keyList.length;
          keyIndex.set(key, index);
        }
        return String(index);
      };
      const xadds: string[] = [];
      const others: string[] = [];
      for (const record of chained) {
        for (const write of recordWrites(keys, record)) {
          if (write.op === 'xadd') xadds.push('X', write.id, write.json);
          else if (write.op === 'zadd') others.push('Z', position(write.key), String(write.score), write.member);
          else others.push('H', position(write.key), write.field, String(write.by));
        }
      }
      const last = chained.at(-1)!;
      const args = [
        String(knownHead?.seq ?? 0),
        knownHead?.hash ?? GENESIS_HASH,
        String(last.seq),
        last.hash,
        String(BATCH_MEMORY_SECONDS),
        `${chained[0]!.seq}:${chained.length}`,
        ...xadds,
        ...others,
      ];
      const answer = (await APPEND.run(redis, keyList, args)) as [number, string?, string?];
      if (answer[0] === 1) {
        knownHead = { seq: last.seq, hash: last.hash };
        return chained;
      }
      if (answer[0] === 2) {
        // Committed by an earlier call that failed on its way back: answer what was stored.
        const [first, count] = answer[1]!.split(':').map(Number) as [number, number];
        knownHead = undefined;
        return xrange(streamId(first), streamId(first + count - 1), count);
      }
      if (answer[0] === 3) throw new Error(`audit append refused by the stream ${keys.log}: ${answer[1]} (was the log tampered with?)`);
      knownHead = { seq: Number(answer[1]), hash: answer[2]! };
      if (knownHead.seq === 0) knownHead = null;
      if (attempt >= maxRetries) throw new Error(`audit append: the head kept moving under ${maxRetries} attempts (too many concurrent writers?)`);
      if (attempt >= 3) await sleep(Math.random() * Math.min(50, 2 * attempt));
    }
  };

  /** The index keys a query reads, newest first. */
  const sourcesOf = (query: ParsedAuditQuery): string[] => {
    if (query.subject !== undefined) return [keys.subjectIndex(query.subject)];
    const upper = query.after === null ? query.toMs - 1 : Math.min(query.toMs - 1, query.after.atMs);
    if (upper < query.fromMs) return [];
    const days = daysBetween(vietnamDay(new Date(query.fromMs).toISOString()), vietnamDay(new Date(upper).toISOString())).reverse();
    if (query.agency !== undefined) return days.map((day) => keys.agencyIndex(day, query.agency!));
    if (query.counterpartAgency !== undefined) return days.map((day) => keys.counterpartIndex(day, query.counterpartAgency!));
    return days.map((day) => keys.dayIndex(day));
  };

  return {
    async append(input) {
      const entries = parseAuditEntries(input);
      if (entries.length === 0) return [];
      let batchId = batchIds.get(input);
      if (batchId === undefined) {
        batchId = randomUUID();
        batchIds.set(input, batchId);
      }
      const id = batchId;
      const run = appending.then(() =>
        commit(entries, id).catch((error: unknown) => {
          knownHead = undefined; // read it again next time
          throw error;
        }),
      );
      appending = run.catch(() => undefined);
      return run;
    },
    head: readHead,
    async range(fromSeq, count) {
      checkSeq('fromSeq', fromSeq, 0);
      checkSeq('count', count, 1);
      return xrange(streamId(Math.max(fromSeq, 0)), '+', Math.min(count, MAX_RANGE_COUNT));
    },
    async firstSeq() {
      const [first] = await xrange('-', '+', 1);
      return first === undefined ? null : first.seq;
    },
    async query(input): Promise<AuditPage> {
      const query = parseAuditQuery(input);
      const found: Array<{ record: AuditRecord; atMs: number; seq: number }> = [];
      const seen = new Set<number>();
      let scanned = 0;
      let lastLooked: { atMs: number; seq: number } | null = null;
      const max = query.after === null ? `(${query.toMs}` : String(Math.min(query.toMs - 1, query.after.atMs));
      for (const key of sourcesOf(query)) {
        for (let offset = 0; ; offset += QUERY_BATCH) {
          const reply = (await redis.sendCommand([
            'ZRANGE',
            key,
            max,
            String(query.fromMs),
            'BYSCORE',
            'REV',
            'LIMIT',
            String(offset),
            String(QUERY_BATCH),
            'WITHSCORES',
          ])) as string[];
          const positions: Array<{ atMs: number; seq: number }> = [];
          for (let i = 0; i < reply.length; i += 2) {
            const position = { seq: seqOfMember(reply[i]!), atMs: Number(reply[i + 1]) };
            if (isPastCursor(position.atMs, position.seq, query.after) && !seen.has(position.seq)) positions.push(position);
          }
          // Fetch in order, in slices of about what the page still needs (a subject's busy index is not read whole),
          // within the budget, and stop at the first match past the page.
          const take = positions.slice(0, Math.max(0, scanBudget - scanned));
          for (let at = 0; at < take.length;) {
            const slice = take.slice(at, at + Math.max(32, query.pageLimit + 1 - found.length));
            at += slice.length;
            const records = await Promise.all(slice.map((p) => xrange(streamId(p.seq), streamId(p.seq), 1)));
            for (let i = 0; i < slice.length; i += 1) {
              const position = slice[i]!;
              seen.add(position.seq);
              scanned += 1;
              const record = records[i]![0];
              if (record !== undefined && record.seq === position.seq && recordMatches(record, query)) {
                if (found.length === query.pageLimit) return { records: found.map((f) => f.record), next: encodeCursor(found.at(-1)!) };
                found.push({ record, ...position });
              }
              lastLooked = position;
            }
          }
          if (scanned >= scanBudget && lastLooked !== null) {
            const looked: { atMs: number; seq: number } = lastLooked;
            return { records: found.map((f) => f.record), next: encodeCursor(found.length === query.pageLimit ? found.at(-1)! : looked) };
          }
          if (reply.length < QUERY_BATCH * 2) break;
        }
      }
      return { records: found.map((f) => f.record), next: null };
    },
    async statistics(input) {
      const query = parseStatisticsQuery(input);
      const days = daysBetween(query.fromDay, query.toDay);
      const hashes = await Promise.all(days.map((day) => redis.sendCommand(['HGETALL', keys.stats(day)]) as Promise<string[]>));
      const rows = new Map<string, StatisticsRow>();
      hashes.forEach((flat, d) => {
        for (let i = 0; i < flat.length; i += 2) {
          const [environment, agency, system, service, metric] = JSON.parse(flat[i]!) as [
            StatisticsRow['environment'],
            string,
            string,
            string,
            StatisticMetric,
          ];
          if (query.agency !== undefined && agency !== query.agency) continue;
          if (query.environment !== undefined && environment !== query.environment) continue;
          const key = JSON.stringify([days[d], agency, system, service, environment]);
          let row = rows.get(key);
          if (row === undefined) {
            row = {
              day: days[d]!,
              agency,
              system,
              service,
              environment,
              counts: Object.fromEntries(STATISTIC_METRICS.map((m) => [m, 0])) as StatisticsRow['counts'],
            };
            rows.set(key, row);
          }
          if (metric in row.counts) row.counts[metric] += Number(flat[i + 1]);
        }
      });
      return [...rows.values()].sort(statisticsOrder);
    },
    async putCheckpoint(input) {
      const checkpoint = parseCheckpoint(input);
      await redis.sendCommand(['RPUSH', keys.checkpoints, JSON.stringify(checkpoint)]);
    },
    async checkpoints() {
      const list = (await redis.sendCommand(['LRANGE', keys.checkpoints, '0', '-1'])) as string[];
      return list.map((json) => JSON.parse(json) as Checkpoint);
    },
    async trim(throughSeq) {
      checkSeq('throughSeq', throughSeq, 0);
      let removed = 0;
      for (;;) {
        const batch = (await xrange('-', streamId(throughSeq), 1_000)).filter((r) => r.seq <= throughSeq);
        if (batch.length === 0) return removed;
        const commands: Array<Promise<unknown>> = [];
        for (const record of batch) {
          if (record.hash !== '') for (const key of indexKeysOf(keys, record)) commands.push(redis.sendCommand(['ZREM', key, String(1e14 + record.seq)]));
        }
        await Promise.all(commands);
        // XDEL by the stream ids read (an unreadable entry has its seq from its id).
        removed += Number(await redis.sendCommand(['XDEL', keys.log, ...batch.map((r) => streamId(r.seq))]));
        if (batch.length < 1_000) return removed;
      }
    },
    async close() {
      await appending;
    },
  };
}
