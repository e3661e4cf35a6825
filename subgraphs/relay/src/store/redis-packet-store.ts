/**
 * Redis PacketStore: the record is a hash {json, rev} changed only by a compare-and-set script, so replicas may
 * change the same packet at the same moment without losing an update. The script appends the change's history
 * events and sets the retention in the same step, so a record and its history never disagree.
 *
 * Each process remembers the last revision it read or wrote of recently used packets: a change starts from it
 * without reading first (one round trip instead of two, the relay's hot path), and the compare-and-set turns a stale
 * memory — another replica changed the packet — into a read and a retry, never into a lost update.
 */
import { redisScript, type RedisClient } from '@lgsp/kit';
import type { Packet, StatusEvent } from '../domain/types.ts';
import { relayKeys } from './keys.ts';
import { OUTBOX_SEQUENCE_SLOTS, outboxScore, retentionOf, type InboxPage, type OutboxPage, type PacketStore } from './packet-store.ts';

// KEYS: record, history. ARGV: expected rev, new json, new rev, retention ms ('' = keep), history events….
// Answers {1} when written, {0, json, rev} with the current record when the revision moved on (the caller retries
// from it without another read), {-1} when there is no record.
const COMPARE_AND_SET = redisScript(`
local current = redis.call('HMGET', KEYS[1], 'json', 'rev')
if not current[2] then return {-1} end
if current[2] ~= ARGV[1] then return {0, current[1], current[2]} end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'rev', ARGV[3])
if #ARGV > 4 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 5)) end
if ARGV[4] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return {1}`);

// KEYS: record, history. ARGV: json, history events…. A new record at revision 1 with its first events.
const CREATE = redisScript(`
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'rev', '1')
if #ARGV > 1 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 2)) end
return 1`);

/** Packets whose last known revision a process remembers (about 2 KB each). */
const REMEMBERED_PACKETS = 5_000;

/**
 * Most entries an agency's inbox (and its outbox) keeps, the newest by sequence: an agency that never pages its inbox does not make it
 * grow for ever (entries of expired records go when a page comes across them). Older packets stay claimable.
 */
export const INBOX_MAX_ENTRIES = 100_000;

/** The inbox is trimmed on one addition in this many (by sequence number), not on every packet. */
const INBOX_TRIM_EVERY = 64;

export function createRedisPacketStore(redis: RedisClient, options: { keyPrefix: string; inboxMaxEntries?: number }): PacketStore {
  const keys = relayKeys(options.keyPrefix);
  const inboxMaxEntries = options.inboxMaxEntries ?? INBOX_MAX_ENTRIES;
  const known = new Map<string, { json: string; rev: string }>();
  const remember = (id: string, json: string, rev: string) => {
    known.delete(id);
    known.set(id, { json, rev });
    if (known.size > REMEMBERED_PACKETS) known.delete(known.keys().next().value!);
  };

  const readConfirmed = async (id: string) => {
    const found = await read(id);
    return found === null ? null : { ...found, confirmed: true };
  };

  /** Enters a new packet in its source agency's outbox, trimmed to the newest `inboxMaxEntries` now and then. */
  async function addToOutbox(packet: Packet): Promise<void> {
    const key = keys.outbox(packet.sourceAgency);
    await redis.zAdd(key, { score: outboxScore(packet), value: packet.id });
    if (packet.sequence % INBOX_TRIM_EVERY === 0) await redis.zRemRangeByRank(key, 0, -(inboxMaxEntries + 1));
  }

  async function read(id: string): Promise<{ packet: Packet; rev: string } | null> {
    const [json, rev] = await redis.hmGet(keys.packet(id), ['json', 'rev']);
    if (json === null || json === undefined || rev === null || rev === undefined) {
      known.delete(id);
      return null;
    }
    remember(id, json, rev);
    return { packet: JSON.parse(json) as Packet, rev };
  }

  return {
    async nextSequence(count = 1) {
      return Number(await redis.incrBy(keys.sequence, count)) - count + 1;
    },
    async create(packet, history, activeDueMs) {
      const json = JSON.stringify(packet);
      // The record and its history share a slot (one script); the active list is another key, in another slot of a
      // cluster, written in the same round trip beside it.
      await Promise.all([
        CREATE.run(redis, [keys.packet(packet.id), keys.history(packet.id)], [json, ...history.map((e) => JSON.stringify(e))]),
        redis.zAdd(keys.active, { score: activeDueMs, value: packet.id }),
        addToOutbox(packet),
      ]);
      remember(packet.id, json, '1');
    },
    async get(id) {
      return (await read(id))?.packet ?? null;
    },
    async peek(id) {
      const remembered = known.get(id);
      return remembered !== undefined ? (JSON.parse(remembered.json) as Packet) : ((await read(id))?.packet ?? null);
    },
    async update(id, change, effects) {
      // Where the change starts: the remembered record (unconfirmed), or one read from Redis (confirmed).
      const remembered = known.get(id);
      let current: { packet: Packet; rev: string; confirmed: boolean } | null =
        remembered !== undefined ? { packet: JSON.parse(remembered.json) as Packet, rev: remembered.rev, confirmed: false } : await readConfirmed(id);
      for (let attempt = 0; attempt < 50 && current !== null; attempt += 1) {
        // A record parsed for this call only: `change` may read it freely (and must not change it in place).
        const next = change(current.packet);
        if (next === null) {
          // Decided on a remembered record: confirm it is the current one before answering "no change".
          if (!current.confirmed) {
            current = await readConfirmed(id);
            continue;
          }
          return { packet: current.packet, changed: false };
        }
        const json = JSON.stringify(next);
        const rev = String(Number(current.rev) + 1);
        const events = effects?.history?.(next).map((e) => JSON.stringify(e)) ?? [];
        const retainMs = retentionOf(effects, next);
        const args = [current.rev, json, rev, retainMs === null ? '' : String(retainMs), ...events];
        const [outcome, currentJson, currentRev] = (await COMPARE_AND_SET.run(redis, [keys.packet(id), keys.history(id)], args)) as [number, string?, string?];
        if (outcome === 1) {
          if (retainMs === null) remember(id, json, rev);
          else known.delete(id);
          return { packet: next, changed: true };
        }
        if (outcome === -1) {
          current = null;
          break;
        }
        // Another change came first (here or on another replica): start again from the record the script answered.
        remember(id, currentJson!, currentRev!);
        current = { packet: JSON.parse(currentJson!) as Packet, rev: currentRev!, confirmed: true };
      }
      if (current === null) {
        known.delete(id);
        return null;
      }
      throw new Error(`packet ${id}: too many concurrent changes`);
    },
    async appendHistory(id, events) {
      if (events.length > 0)
        await redis.rPush(
          keys.history(id),
          events.map((e) => JSON.stringify(e)),
        );
    },
    async history(id) {
      return (await redis.lRange(keys.history(id), 0, -1)).map((line) => JSON.parse(line) as StatusEvent);
    },
    async addToInbox(agency, packetId, sequence) {
      const key = keys.inbox(agency);
      await redis.zAdd(key, { score: sequence, value: packetId });
      if (sequence % INBOX_TRIM_EVERY === 0) await redis.zRemRangeByRank(key, 0, -(inboxMaxEntries + 1));
    },
    async removeFromInbox(agency, packetIds) {
      if (packetIds.length > 0) await redis.zRem(keys.inbox(agency), packetIds);
    },
    async inbox(agency, first, afterSequence): Promise<InboxPage> {
      const max = afterSequence === null ? '+inf' : `(${afterSequence}`;
      const rows = await redis.zRangeWithScores(keys.inbox(agency), max, '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: first + 1 } });
      const page = rows.slice(0, first);
      return {
        ids: page.map((r) => r.value),
        lastSequence: page.length > 0 ? page[page.length - 1]!.score : null,
        hasNextPage: rows.length > first,
      };
    },
    async outbox(agency, first, range): Promise<OutboxPage> {
      const bounds = [range.toMs === null ? Infinity : range.toMs * OUTBOX_SEQUENCE_SLOTS, range.beforeScore ?? Infinity];
      const upper = Math.min(...bounds);
      const max = upper === Infinity ? '+inf' : `(${upper}`;
      const min = range.fromMs === null ? '-inf' : String(range.fromMs * OUTBOX_SEQUENCE_SLOTS);
      const rows = await redis.zRangeWithScores(keys.outbox(agency), max, min, { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: first + 1 } });
      const page = rows.slice(0, first);
      return { ids: page.map((r) => r.value), lastScore: page.length > 0 ? page[page.length - 1]!.score : null, hasNextPage: rows.length > first };
    },
    async removeFromOutbox(agency, packetIds) {
      if (packetIds.length > 0) await redis.zRem(keys.outbox(agency), packetIds);
    },
    async setActive(packetId, dueMs) {
      await redis.zAdd(keys.active, { score: dueMs, value: packetId });
    },
    async removeActive(packetId) {
      await redis.zRem(keys.active, packetId);
    },
    async activeIds(limit, dueByMs) {
      return redis.zRange(keys.active, '-inf', dueByMs, { BY: 'SCORE', LIMIT: { offset: 0, count: limit } });
    },
    async indexDocument(sourceAgency, documentId, packetId) {
      await redis.hSet(keys.documents, `${sourceAgency} ${documentId}`, packetId);
    },
    async findDocument(sourceAgency, documentId) {
      return (await redis.hGet(keys.documents, `${sourceAgency} ${documentId}`)) ?? null;
    },
    async retain(packetId, retentionMs) {
      known.delete(packetId);
      await redis.multi().pExpire(keys.packet(packetId), retentionMs).pExpire(keys.history(packetId), retentionMs).exec();
    },
  };
}
