/** In-memory PacketContentStore (embedded mode, tests). */
import type { ContentMeta, PacketContentStore } from './content-store.ts';

interface Slot {
  chunks: Map<number, Buffer>;
  meta: ContentMeta | null;
  expiresAtMs: number;
}

export interface MemoryContentStore extends PacketContentStore {
  /** Number of attempts holding content (tests prove deletion with it). */
  size(): number;
}

export function createMemoryContentStore(now: () => number = Date.now): MemoryContentStore {
  const slots = new Map<string, Slot>();
  const key = (packetId: string, attempt: string) => `${packetId}/${attempt}`;
  const live = (k: string): Slot | undefined => {
    const slot = slots.get(k);
    if (slot !== undefined && slot.expiresAtMs <= now()) {
      slots.delete(k);
      return undefined;
    }
    return slot;
  };
  return {
    async putChunk(packetId, attempt, index, data, expiresAtMs) {
      const k = key(packetId, attempt);
      const slot = live(k) ?? { chunks: new Map(), meta: null, expiresAtMs };
      slot.chunks.set(index, Buffer.from(data));
      slot.expiresAtMs = expiresAtMs;
      slots.set(k, slot);
    },
    async putMeta(packetId, attempt, meta) {
      const slot = live(key(packetId, attempt));
      if (slot === undefined) throw new Error(`content ${packetId}/${attempt}: no chunk was stored`);
      slot.meta = { ...meta };
    },
    async putLast(packetId, attempt, index, data, meta, expiresAtMs) {
      await this.putChunk(packetId, attempt, index, data, expiresAtMs);
      await this.putMeta(packetId, attempt, meta);
    },
    async getStart(packetId, attempt) {
      return { meta: await this.getMeta(packetId, attempt), first: await this.getChunk(packetId, attempt, 0) };
    },
    async getMeta(packetId, attempt) {
      const meta = live(key(packetId, attempt))?.meta;
      return meta === undefined || meta === null ? null : { ...meta };
    },
    async getChunk(packetId, attempt, index) {
      const chunk = live(key(packetId, attempt))?.chunks.get(index);
      return chunk === undefined ? null : Buffer.from(chunk);
    },
    async delete(packetId, attempt) {
      slots.delete(key(packetId, attempt));
    },
    size() {
      for (const k of [...slots.keys()]) live(k);
      return slots.size;
    },
  };
}
