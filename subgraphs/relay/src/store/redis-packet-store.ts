/**
 * Redis PacketStore: the record is a hash {json, rev} changed only by a compare-and-set script, so replicas may
 * change the same packet at the same moment without losing an update.
 */
import type { RedisClient } from '@lgsp/kit';
import type { Packet, StatusEvent } from '../domain/types.ts';
import { relayKeys } from './keys.ts';
import type { InboxPage, PacketStore } from './packet-store.ts';

const COMPARE_AND_SET = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if rev ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'rev', ARGV[3])
return 1`;

export function createRedisPacketStore(redis: RedisClient, options: { keyPrefix: string }): PacketStore {
  const keys = relayKeys(options.keyPrefix);

  async function read(id: string): Promise<{ packet: Packet; rev: string } | null> {
    const [json, rev] = await redis.hmGet(keys.packet(id), ['json', 'rev']);
    if (json === null || json === undefined || rev === null || rev === undefined) return null;
    return { packet: JSON.parse(json) as Packet, rev };
  }

  return {
    async nextSequence() {
      return Number(await redis.incr(keys.sequence));
    },
    async create(packet, history) {
      const multi = redis.multi().hSet(keys.packet(packet.id), { json: JSON.stringify(packet), rev: '1' });
      if (history.length > 0) multi.rPush(keys.history(packet.id), history.map((e) => JSON.stringify(e)));
      await multi.exec();
    },
    async get(id) {
      return (await read(id))?.packet ?? null;
    },
    async update(id, change) {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const current = await read(id);
        if (current === null) return null;
        const next = change(structuredClone(current.packet));
        if (next === null) return { packet: current.packet, changed: false };
        const ok = await redis.eval(COMPARE_AND_SET, { keys: [keys.packet(id)], arguments: [current.rev, JSON.stringify(next), String(Number(current.rev) + 1)] });
        if (Number(ok) === 1) return { packet: next, changed: true };
      }
      throw new Error(`packet ${id}: too many concurrent changes`);
    },
    async appendHistory(id, events) {
      if (events.length > 0) await redis.rPush(keys.history(id), events.map((e) => JSON.stringify(e)));
    },
    async history(id) {
      return (await redis.lRange(keys.history(id), 0, -1)).map((line) => JSON.parse(line) as StatusEvent);
    },
    async addToInbox(agency, packetId, sequence) {
      await redis.zAdd(keys.inbox(agency), { score: sequence, value: packetId });
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
    async setActive(packetId, dueMs) {
      await redis.zAdd(keys.active, { score: dueMs, value: packetId });
    },
    async removeActive(packetId) {
      await redis.zRem(keys.active, packetId);
    },
    async activeIds(limit) {
      return redis.zRange(keys.active, 0, limit - 1);
    },
    async indexDocument(sourceAgency, documentId, packetId) {
      await redis.hSet(keys.documents, `${sourceAgency} ${documentId}`, packetId);
    },
    async findDocument(sourceAgency, documentId) {
      return (await redis.hGet(keys.documents, `${sourceAgency} ${documentId}`)) ?? null;
    },
    async retain(packetId, retentionMs) {
      await redis.multi().pExpire(keys.packet(packetId), retentionMs).pExpire(keys.history(packetId), retentionMs).exec();
    },
  };
}
