/**
 * Where packet content lives between upload and delivery: opaque (already encrypted) chunks per upload attempt.
 * The store never sees plaintext; `domain/content-cipher.ts` encrypts before and decrypts after.
 */

/** Everything needed to read the content back, written once the upload is complete. */
export interface ContentMeta {
  /** The per-packet data key, wrapped (encrypted) by the master key, base64. */
  wrappedKey: string;
  /** Which master key wrapped it (a fingerprint, never the key). */
  masterKeyId: string;
  chunkCount: number;
  /** Plaintext bytes. */
  bytes: number;
}

export interface PacketContentStore {
  /** Stores chunk `index` of an attempt; the keys expire at `expiresAtMs` whatever happens to the relay. */
  putChunk(packetId: string, attempt: string, index: number, data: Buffer, expiresAtMs: number): Promise<void>;
  putMeta(packetId: string, attempt: string, meta: ContentMeta): Promise<void>;
  /** The last chunk and the meta in one write (what completes an upload; a small packet's only write). */
  putLast(packetId: string, attempt: string, index: number, data: Buffer, meta: ContentMeta, expiresAtMs: number): Promise<void>;
  getMeta(packetId: string, attempt: string): Promise<ContentMeta | null>;
  /** The meta and chunk 0 in one read (what starts every read; all of a small packet). */
  getStart(packetId: string, attempt: string): Promise<{ meta: ContentMeta | null; first: Buffer | null }>;
  getChunk(packetId: string, attempt: string, index: number): Promise<Buffer | null>;
  /** Deletes everything of the attempt (idempotent). */
  delete(packetId: string, attempt: string): Promise<void>;
}
