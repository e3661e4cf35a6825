/**
 * Encryption at rest, per packet (TQ:7.2 confidentiality; the platform keeps content only until delivery).
 * Each upload gets a fresh 256-bit data key; the key is stored wrapped (AES-256-GCM) by the master key
 * `RELAY_MASTER_KEY`. Chunks are AES-256-GCM with the chunk number as nonce (unique: one key per upload) and
 * `packet/attempt/index/final` as associated data, so chunks cannot be reordered, swapped between packets or
 * the content cut short without the read failing.
 *
 * Rotating the master key: new content is sealed under `RELAY_MASTER_KEY`; content stored under an earlier key
 * stays readable while that key is listed in `RELAY_MASTER_KEY_PREVIOUS` (each stored meta names its key by id).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomFillSync } from 'node:crypto';
import type { ContentMeta, PacketContentStore } from '../store/content-store.ts';

export interface MasterKey {
  key: Buffer;
  /** A fingerprint naming the key in stored metadata (never the key). */
  id: string;
  /** True when generated at start-up because RELAY_MASTER_KEY was unset: content does not survive a restart. */
  development: boolean;
  /** Earlier master keys by id (RELAY_MASTER_KEY_PREVIOUS): what was stored under them stays readable; nothing new is sealed with them. */
  previous: ReadonlyMap<string, Buffer>;
}

/**
 * Reads a 32-byte key given as 64 hex characters or base64 (a development key is generated when absent), and the
 * earlier keys still to be read, comma-separated in the same forms.
 */
export function loadMasterKey(value: string | undefined, previousValues?: string): MasterKey {
  const previous = new Map<string, Buffer>();
  for (const item of (previousValues ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')) {
    const key = parseKey(item, 'RELAY_MASTER_KEY_PREVIOUS');
    previous.set(fingerprint(key), key);
  }
  if (value === undefined) {
    const key = randomBytes(32);
    return { key, id: `dev-${fingerprint(key)}`, development: true, previous };
  }
  const key = parseKey(value, 'RELAY_MASTER_KEY');
  const id = fingerprint(key);
  previous.delete(id);
  return { key, id, development: false, previous };
}

/** The master key content stored under `masterKeyId` was sealed with: the current one or a previous one; undefined when neither. */
export function masterKeyById(master: MasterKey, masterKeyId: string): Buffer | undefined {
  return masterKeyId === master.id ? master.key : master.previous.get(masterKeyId);
}

/** A master key written as 64 hexadecimal characters or base64, decoded; null unless it is 32 bytes. */
export function masterKeyBytes(value: string): Buffer | null {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  return key.length === 32 ? key : null;
}

function parseKey(value: string, variable: string): Buffer {
  const key = masterKeyBytes(value);
  if (key === null) throw new Error(`${variable} must hold 32-byte keys, as 64 hex characters or base64`);
  return key;
}

function fingerprint(key: Buffer): string {
  return createHash('sha256').update('lgsp-relay-master-key').update(key).digest('hex').slice(0, 16);
}

const IV = 12;
const TAG = 16;

// Fresh random bytes for data keys and wrapping IVs, taken from a pool filled 4 KiB at a time: one call into the
// system's generator costs microseconds (about 7 µs here), two per packet. Each piece is copied out and wiped from
// the pool, so no key stays behind in it.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

export function freshRandom(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size);
  if (poolOffset + size > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const piece = Buffer.from(pool.subarray(poolOffset, poolOffset + size));
  pool.fill(0, poolOffset, poolOffset + size);
  poolOffset += size;
  return piece;
}

function seal(key: Buffer, iv: Buffer, aad: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([cipher.getAuthTag(), body]);
}

function open(key: Buffer, iv: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(0, TAG));
  return Buffer.concat([decipher.update(sealed.subarray(TAG)), decipher.final()]);
}

function wrapDataKey(master: MasterKey, dataKey: Buffer, context: string): string {
  const iv = freshRandom(IV);
  return Buffer.concat([iv, seal(master.key, iv, Buffer.from(`wrap:${context}`), dataKey)]).toString('base64');
}

function unwrapDataKey(wrappingKey: Buffer, wrapped: string, context: string): Buffer {
  const raw = Buffer.from(wrapped, 'base64');
  return open(wrappingKey, raw.subarray(0, IV), Buffer.from(`wrap:${context}`), raw.subarray(IV));
}

function chunkIv(index: number): Buffer {
  const iv = Buffer.alloc(IV);
  iv.writeUInt32BE(index, IV - 4);
  return iv;
}

const chunkAad = (packetId: string, attempt: string, index: number, final: boolean) => Buffer.from(`${packetId}/${attempt}/${index}/${final ? 1 : 0}`);

/**
 * Writes plaintext as encrypted chunks of `chunkBytes`. Holds at most one chunk (plus the piece being added) in
 * memory, whatever the content size. The last chunk is only known at `finish`, so one full chunk waits there.
 */
export class EncryptedContentWriter {
  private readonly dataKey = freshRandom(32);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private total = 0;

  constructor(
    private readonly store: PacketContentStore,
    private readonly master: MasterKey,
    private readonly packetId: string,
    private readonly attempt: string,
    private readonly chunkBytes: number,
    private readonly expiresAtMs: number,
  ) {}

  async write(piece: Buffer): Promise<void> {
    this.total += piece.length;
    this.pending.push(piece);
    this.pendingBytes += piece.length;
    // Strictly more than one chunk waiting: the first one is certainly not the last.
    while (this.pendingBytes > this.chunkBytes) {
      const all = Buffer.concat(this.pending);
      await this.flush(all.subarray(0, this.chunkBytes), false);
      const rest = all.subarray(this.chunkBytes);
      this.pending = [Buffer.from(rest)];
      this.pendingBytes = rest.length;
    }
  }

  /** Seals the last chunk and stores it with the meta, in one write: the content is readable from then on. */
  async finish(): Promise<ContentMeta> {
    const last = this.index;
    const sealed = seal(this.dataKey, chunkIv(last), chunkAad(this.packetId, this.attempt, last, true), Buffer.concat(this.pending));
    this.pending = [];
    this.index += 1;
    const meta: ContentMeta = {
      wrappedKey: wrapDataKey(this.master, this.dataKey, `${this.packetId}/${this.attempt}`),
      masterKeyId: this.master.id,
      chunkCount: this.index,
      bytes: this.total,
    };
    await this.store.putLast(this.packetId, this.attempt, last, sealed, meta, this.expiresAtMs);
    return meta;
  }

  private async flush(plain: Buffer, final: boolean): Promise<void> {
    const sealed = seal(this.dataKey, chunkIv(this.index), chunkAad(this.packetId, this.attempt, this.index, final), plain);
    await this.store.putChunk(this.packetId, this.attempt, this.index, sealed, this.expiresAtMs);
    this.index += 1;
  }
}

/**
 * Opens a committed upload for reading: its meta is read and its data key unwrapped now, so that a missing content
 * (ContentGoneError) or a key this relay lacks (MasterKeyUnavailableError) is known before any byte is answered.
 * The plaintext then comes chunk by chunk (memory: one chunk at a time).
 */
export async function openDecryptedContent(
  store: PacketContentStore,
  master: MasterKey,
  packetId: string,
  attempt: string,
  /** `store.getStart` of this attempt when the caller already asked for it. */
  start?: ReturnType<PacketContentStore['getStart']>,
): Promise<AsyncGenerator<Buffer>> {
  const { meta, first } = await (start ?? store.getStart(packetId, attempt));
  if (meta === null) throw new ContentGoneError(packetId);
  const wrappingKey = masterKeyById(master, meta.masterKeyId);
  if (wrappingKey === undefined) throw new MasterKeyUnavailableError(packetId, meta.masterKeyId);
  const dataKey = unwrapDataKey(wrappingKey, meta.wrappedKey, `${packetId}/${attempt}`);
  return decryptChunks(store, packetId, attempt, meta, first, dataKey);
}

async function* decryptChunks(
  store: PacketContentStore,
  packetId: string,
  attempt: string,
  meta: ContentMeta,
  first: Buffer | null,
  dataKey: Buffer,
): AsyncGenerator<Buffer> {
  for (let index = 0; index < meta.chunkCount; index += 1) {
    const sealed = index === 0 ? first : await store.getChunk(packetId, attempt, index);
    if (sealed === null) throw new ContentGoneError(packetId);
    yield open(dataKey, chunkIv(index), chunkAad(packetId, attempt, index, index === meta.chunkCount - 1), sealed);
  }
}

/** The plaintext of a committed upload, chunk by chunk; the errors of openDecryptedContent come with the first. */
export async function* readDecryptedContent(store: PacketContentStore, master: MasterKey, packetId: string, attempt: string): AsyncGenerator<Buffer> {
  yield* await openDecryptedContent(store, master, packetId, attempt);
}

/** The whole plaintext of a committed upload, in memory (small packets and JSON checks only). */
export async function readWholeDecryptedContent(store: PacketContentStore, master: MasterKey, packetId: string, attempt: string): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of readDecryptedContent(store, master, packetId, attempt)) pieces.push(piece);
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/**
 * The content was sealed under a master key that is neither RELAY_MASTER_KEY nor one of RELAY_MASTER_KEY_PREVIOUS
 * (a rotation that dropped the old key too early). The content is still stored: listing the key again reads it.
 */
export class MasterKeyUnavailableError extends Error {
  override name = 'MasterKeyUnavailableError';
  constructor(
    packetId: string,
    readonly masterKeyId: string,
  ) {
    super(`packet ${packetId}: its content was encrypted under master key ${masterKeyId}, which is neither RELAY_MASTER_KEY nor in RELAY_MASTER_KEY_PREVIOUS`);
  }
}

export class ContentGoneError extends Error {
  override name = 'ContentGoneError';
  constructor(packetId: string) {
    super(`packet ${packetId}: its content is no longer stored`);
  }
}
