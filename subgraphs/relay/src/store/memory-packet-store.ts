/**
 * In-memory PacketStore (embedded mode, tests). Records are copied in and out, as Redis would serialise them.
 *
 * Finished packets are kept for their retention as in Redis, but at most `maxFinished` of them (the oldest finished
 * go first, with their history and inbox entries): one process's memory, unlike Redis, is not sized for 90 days of
 * traffic, and a long-running `npm start` must not grow without bound.
 */
import type { Packet, StatusEvent } from '../domain/types.ts';
import { OUTBOX_SEQUENCE_SLOTS, outboxScore, retentionOf, type InboxPage, type OutboxPage, type PacketStore } from './packet-store.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** Finished packets the in-memory store keeps at most (their records and histories, about 3 KB each). */
export const MEMORY_MAX_FINISHED_PACKETS = 10_000;

/** Longest a Node timer waits (about 24.8 days): a longer retention is waited out in steps. */
const MAX_TIMER_MS = 2_147_483_647;

export function createMemoryPacketStore(options: { maxFinished?: number } = {}): PacketStore {
  const maxFinished = options.maxFinished ?? MEMORY_MAX_FINISHED_PACKETS;
  let sequence = 0;
  const packets = new Map<string, Packet>();
  const histories = new Map<string, StatusEvent[]>();
  const inboxes = new Map<string, Map<string, number>>();
  // Per source agency: packet id → outbox score.
  const outboxes = new Map<string, Map<string, number>>();
  const active = new Map<string, number>();
  const documents = new Map<string, string>();
  // Finished packets in the order they finished, each with its expiry timer.
  const expiries = new Map<string, ReturnType<typeof setTimeout>>();

  /** Forgets a finished packet: record, history, and its place in its recipients' inboxes. */
  function drop(packetId: string): void {
    clearTimeout(expiries.get(packetId));
    expiries.delete(packetId);
    const packet = packets.get(packetId);
    for (const delivery of packet?.deliveries ?? []) inboxes.get(delivery.agencyCode)?.delete(packetId);
    if (packet !== undefined) outboxes.get(packet.sourceAgency)?.delete(packetId);
    packets.delete(packetId);
    histories.delete(packetId);
  }

  function retain(packetId: string, retentionMs: number): void {
    clearTimeout(expiries.get(packetId));
    expiries.delete(packetId);
    const expiresAt = Date.now() + retentionMs;
    const wait = () => {
      const left = expiresAt - Date.now();
      const timer = setTimeout(() => (left > MAX_TIMER_MS ? wait() : drop(packetId)), Math.min(Math.max(left, 0), MAX_TIMER_MS));
      timer.unref();
      expiries.set(packetId, timer);
    };
    wait();
    while (expiries.size > maxFinished) drop(expiries.keys().next().value!);
  }

  const read = async (id: string): Promise<Packet | null> => {
    const packet = packets.get(id);
    return packet === undefined ? null : copy(packet);
  };

  return {
    async nextSequence(count = 1) {
      sequence += count;
      return sequence - count + 1;
    },
    async create(packet, history, activeDueMs) {
      packets.set(packet.id, copy(packet));
      histories.set(packet.id, copy(history));
      active.set(packet.id, activeDueMs);
      const outbox = outboxes.get(packet.sourceAgency) ?? new Map<string, number>();
      outbox.set(packet.id, outboxScore(packet));
      outboxes.set(packet.sourceAgency, outbox);
    },
    get: read,
    // One process holds the records: what it last saw is the current record.
    peek: read,
    async update(id, change, effects) {
      const current = packets.get(id);
      if (current === undefined) return null;
      const next = change(copy(current));
      if (next === null) return { packet: copy(current), changed: false };
      packets.set(id, copy(next));
      const events = effects?.history?.(copy(next)) ?? [];
      if (events.length > 0) histories.set(id, [...(histories.get(id) ?? []), ...copy(events)]);
      const retainMs = retentionOf(effects, next);
      if (retainMs !== null) retain(id, retainMs);
      return { packet: copy(next), changed: true };
    },
    async appendHistory(id, events) {
      const list = histories.get(id) ?? [];
      list.push(...copy(events));
      histories.set(id, list);
    },
    async history(id) {
      return copy(histories.get(id) ?? []);
    },
    async addToInbox(agency, packetId, seq) {
      const inbox = inboxes.get(agency) ?? new Map<string, number>();
      inbox.set(packetId, seq);
      inboxes.set(agency, inbox);
    },
    async removeFromInbox(agency, packetIds) {
      for (const id of packetIds) inboxes.get(agency)?.delete(id);
    },
    async inbox(agency, first, afterSequence): Promise<InboxPage> {
      const all = [...(inboxes.get(agency) ?? new Map<string, number>()).entries()]
        .filter(([, seq]) => afterSequence === null || seq < afterSequence)
        .sort((a, b) => b[1] - a[1]);
      const page = all.slice(0, first);
      return { ids: page.map(([id]) => id), lastSequence: page.length > 0 ? page[page.length - 1]![1] : null, hasNextPage: all.length > first };
    },
    async outbox(agency, first, range): Promise<OutboxPage> {
      const min = range.fromMs === null ? -Infinity : range.fromMs * OUTBOX_SEQUENCE_SLOTS;
      const max = range.toMs === null ? Infinity : range.toMs * OUTBOX_SEQUENCE_SLOTS;
      const all = [...(outboxes.get(agency) ?? new Map<string, number>()).entries()]
        .filter(([, score]) => score >= min && score < max && (range.beforeScore === null || score < range.beforeScore))
        .sort((a, b) => b[1] - a[1]);
      const page = all.slice(0, first);
      return { ids: page.map(([id]) => id), lastScore: page.length > 0 ? page[page.length - 1]![1] : null, hasNextPage: all.length > first };
    },
    async removeFromOutbox(agency, packetIds) {
      for (const id of packetIds) outboxes.get(agency)?.delete(id);
    },
    async setActive(packetId, dueMs) {
      active.set(packetId, dueMs);
    },
    async removeActive(packetId) {
      active.delete(packetId);
    },
    async activeIds(limit, dueByMs) {
      return [...active.entries()]
        .filter(([, due]) => due <= dueByMs)
        .sort((a, b) => a[1] - b[1])
        .slice(0, limit)
        .map(([id]) => id);
    },
    async indexDocument(sourceAgency, documentId, packetId) {
      documents.set(`${sourceAgency} ${documentId}`, packetId);
    },
    async findDocument(sourceAgency, documentId) {
      return documents.get(`${sourceAgency} ${documentId}`) ?? null;
    },
    async retain(packetId, retentionMs) {
      retain(packetId, retentionMs);
    },
  };
}
