/** In-memory PacketStore (embedded mode, tests). Records are copied in and out, as Redis would serialise them. */
import type { Packet, StatusEvent } from '../domain/types.ts';
import { retentionOf, type InboxPage, type PacketStore } from './packet-store.ts';

const copy = <T>(value: T): T => structuredClone(value);

export function createMemoryPacketStore(): PacketStore {
  let sequence = 0;
  const packets = new Map<string, Packet>();
  const histories = new Map<string, StatusEvent[]>();
  const inboxes = new Map<string, Map<string, number>>();
  const active = new Map<string, number>();
  const documents = new Map<string, string>();
  const expiries = new Map<string, ReturnType<typeof setTimeout>>();

  function retain(packetId: string, retentionMs: number): void {
    clearTimeout(expiries.get(packetId));
    const timer = setTimeout(() => {
      packets.delete(packetId);
      histories.delete(packetId);
      expiries.delete(packetId);
    }, Math.min(retentionMs, 2_147_483_647));
    timer.unref();
    expiries.set(packetId, timer);
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
    async inbox(agency, first, afterSequence): Promise<InboxPage> {
      const all = [...(inboxes.get(agency) ?? new Map<string, number>()).entries()]
        .filter(([, seq]) => afterSequence === null || seq < afterSequence)
        .sort((a, b) => b[1] - a[1]);
      const page = all.slice(0, first);
      return { ids: page.map(([id]) => id), lastSequence: page.length > 0 ? page[page.length - 1]![1] : null, hasNextPage: all.length > first };
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
