/**
 * The 7-step exchange (REQUIREMENTS R4), as plain TypeScript over the store ports:
 *   1-2 requestExchange → an exchange space;  3 upload (streamed, digest-checked, encrypted at rest);
 *   4 validate/convert, queue per recipient, notify;  5-6 claimPacket → download URL;  7 download + acknowledge,
 *   content deleted, status recorded. Sweeps expire spaces and deadlines, redeliver unacknowledged claims and turn
 *   long-offline destinations UNDELIVERABLE. Every state lives in the stores: any replica can continue any packet.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ErrorCode, LgspError, type Logger } from '@lgsp/kit';
import { EdxmlError, parseEdxmlStream, type EdxmlPacket } from '../edxml/index.ts';
import type { PacketContentStore } from '../store/content-store.ts';
import type { DeliveryQueue, QueueEntry } from '../store/delivery-queue.ts';
import type { EventPublisher } from '../store/event-publisher.ts';
import type { PacketStore } from '../store/packet-store.ts';
import type { PresenceStore } from '../store/presence-store.ts';
import type { AgencyDirectory } from './agency-directory.ts';
import { ContentGoneError, EncryptedContentWriter, masterKeyById, MasterKeyUnavailableError, openDecryptedContent, readDecryptedContent, type MasterKey } from './content-cipher.ts';
import type { JsonSchemaRegistry } from './json-schemas.ts';
import type { RelayMetrics } from './metrics.ts';
import {
  TERMINAL_DELIVERY,
  type DataType,
  type Delivery,
  type DeliveryStatus,
  type EdxmlSummary,
  type Packet,
  type PacketRejection,
  type Priority,
  type StatusEvent,
} from './types.ts';
import type { DownloadGrant, UrlSigner } from './url-token.ts';

/** Who is calling, as the relay needs it (from the gateway's principal). */
export interface Caller {
  agencyCode: string | null;
  systemId: string | null;
  /** Role `lgsp-operator`: reads every packet. */
  operator: boolean;
}

export interface RelaySettings {
  /** Base of the URLs handed out (e.g. the gateway's public origin); `/exchange/…` is appended. */
  publicBaseUrl: () => string;
  maxPacketBytes: number;
  maxRecipients: number;
  spaceTtlMs: number;
  claimTtlMs: number;
  /** A claim not acknowledged within this time is offered again (redelivery). */
  ackTimeoutMs: number;
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
  defaultMaxAttempts: number;
  defaultMaxOfflineMs: number;
  chunkBytes: number;
  /** Finished packets' records and histories are kept this long (R8: at least 3 months), content never. */
  retentionMs: number;
  /** JSON payloads larger than this are not parsed (rejected JSON_TOO_LARGE). */
  jsonMaxBytes: number;
  /** Largest content given inline (RequestExchangeInput.content, PacketClaim.content); 0 = none. */
  inlineMaxBytes: number;
}

export interface RelayDeps {
  packets: PacketStore;
  content: PacketContentStore;
  queue: DeliveryQueue;
  events: EventPublisher;
  presence: PresenceStore;
  directory: AgencyDirectory;
  schemas: JsonSchemaRegistry;
  masterKey: MasterKey;
  urls: UrlSigner;
  logger: Logger;
  metrics: RelayMetrics;
  settings: RelaySettings;
  /** This process's consumer name in the delivery queues' consumer group. */
  consumerName: string;
  now?: () => number;
}

export interface RequestExchangeInput {
  recipients: { agencyCodes?: string[] | null; parentCode?: string | null; search?: string | null };
  title: string;
  priority: Priority;
  dataType: DataType;
  protocol: string;
  schemaId?: string | null;
  policy?: {
    deadline?: string | null;
    maxAttempts?: number | null;
    acknowledgementRequired?: boolean | null;
    notifySourceOnFailure?: boolean | null;
    maxOfflineSeconds?: number | null;
  } | null;
  declaredBytes: number;
  sha256: string;
  /** The content itself, base64, for a packet of at most `inlineMaxBytes`: steps 2 and 3 in one call. */
  content?: string | null;
}

export interface ExchangeSpace {
  id: string;
  uploadUrl: string;
  expiresAt: string;
  maxBytes: number;
  packet: Packet;
}

export interface PacketClaim {
  packetId: string;
  downloadUrl: string;
  expiresAt: string;
  sha256: string;
  bytes: number;
  /**
   * Step 7 inside the claim, for a packet of at most `inlineMaxBytes`: its whole content (null for a larger one,
   * which is downloaded). Reading it counts as a download.
   */
  readContent(): Promise<Buffer | null>;
}

export interface Acknowledgement {
  packet: Packet;
  recipient: string;
  status: DeliveryStatus;
  alreadyAcknowledged: boolean;
}

export interface Download {
  packet: Packet;
  bytes: number;
  sha256: string;
  body: AsyncIterable<Buffer>;
  /** Call once the whole body was sent: completes the delivery when no acknowledgement is required. */
  completed(): Promise<void>;
}

/** Why an upload or download was refused: the HTTP layer turns `reason` into a status code. */
export type ExchangeFailure =
  | 'TOKEN_INVALID'
  | 'SPACE_EXPIRED'
  | 'SPACE_CLOSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'SIZE_MISMATCH'
  | 'DIGEST_MISMATCH'
  | 'DIGEST_FIELD_INVALID'
  | 'CONTENT_GONE'
  | 'NOT_CLAIMED'
  | 'NOT_READY'
  | 'ALREADY_DELIVERED'
  | 'DELIVERY_CLOSED'
  | 'INLINE_TOO_LARGE'
  | 'CONTENT_NOT_BASE64'
  | 'CONTENT_REJECTED'
  /** The content was stored under a master key this relay is not configured with (a key rotation); it is kept. */
  | 'CONTENT_KEY_UNAVAILABLE';

export function exchangeError(code: ErrorCode, reason: ExchangeFailure, message: string, details: Record<string, unknown> = {}): LgspError {
  return new LgspError(code, message, { reason, ...details });
}

const contentGone = (packetId: string) => exchangeError(ErrorCode.NOT_FOUND, 'CONTENT_GONE', `packet ${packetId} holds no content`);

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** Base64 of RFC 4648 §4 with its padding (Buffer.from would skip anything else silently). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Most items one batch call (requestExchanges, claimPackets, acknowledgePackets) takes. */
export const MAX_BATCH = 100;
const PRESENCE_WRITE_INTERVAL_MS = 1_000;
/** From where `claimPacket` (by id) may claim; claiming a CLAIMED packet again voids the earlier URL. */
const CLAIMABLE_AGAIN: ReadonlySet<DeliveryStatus> = new Set(['QUEUED', 'NOTIFIED', 'CLAIMED']);
/** From where `claimPackets` takes: never a packet someone holds a claim on. */
const CLAIMABLE_FRESH: ReadonlySet<DeliveryStatus> = new Set(['QUEUED', 'NOTIFIED']);

function assertBatchSize(size: number, field: string): void {
  if (!Number.isInteger(size) || size < 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, `${field} must be a non-negative integer`, { field });
  if (size > MAX_BATCH) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `${field}: at most ${MAX_BATCH} per call`, { field, limit: MAX_BATCH });
}

/** Each promise's value, or its error; an unexpected error is logged and answered as an internal error. */
async function settleEach<T>(work: Array<Promise<T>>, logger: Logger): Promise<Array<T | LgspError>> {
  return (await Promise.allSettled(work)).map((r) => {
    if (r.status === 'fulfilled') return r.value;
    if (r.reason instanceof LgspError) return r.reason;
    logger.error({ err: r.reason }, 'one item of a batch failed');
    return new LgspError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error; see the service logs');
  });
}

export class Relay {
  private readonly now: () => number;
  /** Per destination: the read of new entries in flight, and the next one that uploads arriving now join. */
  private readonly runningReads = new Map<string, Promise<void>>();
  private readonly nextReads = new Map<string, Promise<void>>();
  /**
   * Queue entries this process added and is recording: their own `enqueue` offers them (or acks them when not
   * needed), so a read of the destination's new entries passes over them instead of trying to offer them too.
   */
  private readonly enqueuing = new Set<string>();
  /** `<agency> <system>` → when this process last wrote its presence. */
  private readonly presenceWritten = new Map<string, number>();
  constructor(private readonly deps: RelayDeps) {
    this.now = deps.now ?? Date.now;
  }

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  // ───────────────────────────── step 2: exchange request ─────────────────────────────

  /** `sequence`: the packet's number when the caller reserved it (a batch reserves one block for all its items). */
  async requestExchange(caller: Caller, input: RequestExchangeInput, sequence?: number): Promise<ExchangeSpace> {
    const { settings, directory } = this.deps;
    const source = requireAgency(caller);
    if ((await directory.get(source)) === null) throw new LgspError(ErrorCode.FORBIDDEN, `agency ${source} is not registered for exchanges`);
    const title = input.title.trim();
    if (title === '' || title.length > 500) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'title must be 1 to 500 characters', { field: 'title' });
    const protocol = input.protocol.trim();
    if (protocol === '' || protocol.length > 100) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'protocol must be 1 to 100 characters', { field: 'protocol' });
    if (!SHA256_HEX.test(input.sha256)) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'sha256 must be 64 hexadecimal characters (SHA-256 of the content)', { field: 'sha256' });
    if (!Number.isInteger(input.declaredBytes) || input.declaredBytes < 0) {
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'declaredBytes must be a non-negative integer', { field: 'declaredBytes' });
    }
    if (input.declaredBytes > settings.maxPacketBytes) {
      throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `declaredBytes ${input.declaredBytes} exceeds the limit of ${settings.maxPacketBytes} bytes`, {
        field: 'declaredBytes',
        limit: settings.maxPacketBytes,
      });
    }
    const schemaId = input.schemaId ?? null;
    if (schemaId !== null) {
      if (input.dataType !== 'JSON' && input.dataType !== 'DOSSIER') throw new LgspError(ErrorCode.BAD_USER_INPUT, 'schemaId applies to JSON and DOSSIER packets only', { field: 'schemaId' });
      if (!this.deps.schemas.has(schemaId)) throw new LgspError(ErrorCode.BAD_USER_INPUT, `no JSON schema is registered as "${schemaId}"`, { field: 'schemaId' });
    }

    const now = this.now();
    const policyIn = input.policy ?? {};
    let deadlineMs = now + settings.defaultDeadlineMs;
    if (policyIn.deadline !== undefined && policyIn.deadline !== null) {
      deadlineMs = Date.parse(policyIn.deadline);
      if (Number.isNaN(deadlineMs)) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.deadline must be an ISO 8601 date-time', { field: 'policy.deadline' });
      if (deadlineMs <= now) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.deadline is in the past', { field: 'policy.deadline' });
      if (deadlineMs > now + settings.maxDeadlineMs) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, `policy.deadline is more than ${Math.round(settings.maxDeadlineMs / 3_600_000)} hours ahead`, { field: 'policy.deadline' });
      }
    }
    const maxAttempts = policyIn.maxAttempts ?? settings.defaultMaxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.maxAttempts must be 1 to 100', { field: 'policy.maxAttempts' });
    const maxOfflineMs = policyIn.maxOfflineSeconds === undefined || policyIn.maxOfflineSeconds === null ? settings.defaultMaxOfflineMs : policyIn.maxOfflineSeconds * 1000;
    if (!Number.isFinite(maxOfflineMs) || maxOfflineMs <= 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'policy.maxOfflineSeconds must be > 0', { field: 'policy.maxOfflineSeconds' });

    // Content given inline is checked whole before anything is stored: a refused request leaves nothing behind.
    const inline = input.content === undefined || input.content === null ? null : this.decodeInline(input.content, input.declaredBytes, input.sha256.toLowerCase());

    const recipients = await this.resolveRecipients(source, input.recipients);

    const id = randomUUID();
    const attempt = inline === null ? null : randomUUID().slice(0, 8);
    const spaceExpiresMs = Math.min(now + settings.spaceTtlMs, deadlineMs);
    const createdAt = this.iso(now);
    const packet: Packet = {
      id,
      sourceAgency: source,
      sourceSystem: caller.systemId,
      title,
      priority: input.priority,
      dataType: input.dataType,
      protocol,
      schemaId,
      policy: {
        deadline: this.iso(deadlineMs),
        maxAttempts,
        acknowledgementRequired: policyIn.acknowledgementRequired ?? true,
        notifySourceOnFailure: policyIn.notifySourceOnFailure ?? true,
        maxOfflineMs,
      },
      declaredBytes: input.declaredBytes,
      sha256: input.sha256.toLowerCase(),
      state: 'REQUESTED',
      createdAt,
      spaceExpiresAt: this.iso(spaceExpiresMs),
      uploadAttempts: attempt === null ? [] : [attempt],
      contentAttempt: null,
      contentDeleted: false,
      rejection: null,
      edxml: null,
      deliveries: recipients.map((agencyCode) => ({
        agencyCode,
        status: 'PENDING',
        attempts: 0,
        queueEntryId: null,
        queuedAt: null,
        claimedAt: null,
        claimedBy: null,
        deliveredAt: null,
        updatedAt: createdAt,
      })),
      documentStatuses: [],
      sequence: sequence ?? (await this.deps.packets.nextSequence()),
    };
    // The sweep's first look: soon, to resume a packet that a stopped process left half-way (most are delivered
    // before it and never looked at); never later than the space's expiry or the first offline check.
    const firstLookMs = Math.min(now + FIRST_SWEEP_AFTER_MS, spaceExpiresMs, now + maxOfflineMs);
    await this.deps.packets.create(packet, [{ status: 'REQUESTED', at: createdAt, recipient: null, detail: `${recipients.length} recipient(s)` }], firstLookMs);
    this.deps.metrics.packets.inc({ event: 'requested' });
    const token = this.deps.urls.sign({ action: 'upload', packetId: id, expiresAtMs: spaceExpiresMs });
    const space = { id, uploadUrl: `${settings.publicBaseUrl()}/exchange/spaces/${id}/content?token=${token}`, expiresAt: packet.spaceExpiresAt, maxBytes: input.declaredBytes, packet };
    if (inline === null || attempt === null) return space;
    // Step 3 at once, as an upload of these bytes would go (the space is then closed: a PUT answers SPACE_CLOSED).
    const stored = await this.storeContent(packet, attempt, [inline]);
    if (stored.state === 'REJECTED' && stored.rejection !== null) {
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'CONTENT_REJECTED', `the content was refused (${stored.rejection.code}): ${stored.rejection.message}; nothing was kept`, {
        field: 'content',
        packetId: id,
        rejection: stored.rejection,
      });
    }
    return { ...space, packet: stored };
  }

  /** The bytes of inline content, refused with a precise error unless they are base64 of exactly what was declared. */
  private decodeInline(text: string, declaredBytes: number, declaredSha256: string): Buffer {
    const limit = this.deps.settings.inlineMaxBytes;
    const tooLarge = () =>
      exchangeError(
        ErrorCode.LIMIT_EXCEEDED,
        'INLINE_TOO_LARGE',
        limit === 0 ? 'this relay takes no inline content: PUT it to the uploadUrl' : `inline content is limited to ${limit} bytes: PUT larger content to the uploadUrl of a request without content`,
        { field: 'content', limit },
      );
    if (limit === 0 || text.length > Math.ceil(limit / 3) * 4) throw tooLarge();
    if (text.length % 4 !== 0 || !BASE64.test(text)) throw exchangeError(ErrorCode.BAD_USER_INPUT, 'CONTENT_NOT_BASE64', 'content must be base64 (RFC 4648, padded with =)', { field: 'content' });
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length > limit) throw tooLarge();
    if (bytes.length !== declaredBytes) {
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'SIZE_MISMATCH', `content holds ${bytes.length} bytes, declaredBytes says ${declaredBytes}`, { field: 'content' });
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== declaredSha256) {
      this.deps.metrics.uploadsRefused.inc({ reason: 'digest' });
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DIGEST_MISMATCH', `the content's SHA-256 is ${actual}, the request declared ${declaredSha256}`, { field: 'content' });
    }
    return bytes;
  }

  /** Several exchange requests in one call; each answer is the space or the error that request alone would have given. */
  async requestExchanges(caller: Caller, inputs: RequestExchangeInput[]): Promise<Array<ExchangeSpace | LgspError>> {
    requireAgency(caller);
    assertBatchSize(inputs.length, 'inputs');
    const first = inputs.length === 0 ? 0 : await this.deps.packets.nextSequence(inputs.length);
    return settleEach(inputs.map((input, i) => this.requestExchange(caller, input, first + i)), this.deps.logger);
  }

  private async resolveRecipients(source: string, spec: RequestExchangeInput['recipients']): Promise<string[]> {
    const { directory, settings } = this.deps;
    const found = new Set<string>();
    const unknown: string[] = [];
    for (const code of spec.agencyCodes ?? []) {
      if ((await directory.get(code)) === null) unknown.push(code);
      else found.add(code);
    }
    if (unknown.length > 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, `unknown recipient agency code(s): ${unknown.join(', ')}`, { unknownAgencyCodes: unknown });
    if (spec.parentCode !== undefined && spec.parentCode !== null) {
      if ((await directory.get(spec.parentCode)) === null) throw new LgspError(ErrorCode.BAD_USER_INPUT, `unknown parent agency code ${spec.parentCode}`, { field: 'recipients.parentCode' });
      for (const child of await directory.children(spec.parentCode)) if (child.code !== source) found.add(child.code);
    }
    if (spec.search !== undefined && spec.search !== null) {
      if (spec.search.trim().length < 2 || spec.search.length > 100) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'recipients.search must be 2 to 100 characters', { field: 'recipients.search' });
      for (const match of await directory.search(spec.search, settings.maxRecipients + 1)) if (match.code !== source) found.add(match.code);
    }
    if (found.has(source)) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'an agency cannot send a packet to itself', { field: 'recipients' });
    if (found.size === 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'no recipient: give agencyCodes, a parentCode with units under it, or a search that matches', { field: 'recipients' });
    if (found.size > settings.maxRecipients) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `${found.size} recipients exceed the limit of ${settings.maxRecipients}`, { limit: settings.maxRecipients });
    const refused: string[] = [];
    for (const code of found) if (!(await directory.mayReceive(source, code))) refused.push(code);
    if (refused.length > 0) throw new LgspError(ErrorCode.FORBIDDEN, `agency(ies) ${refused.join(', ')} may not receive packets from ${source}`, { refusedAgencyCodes: refused });
    return [...found].sort();
  }

  // ───────────────────────────── step 3: upload ─────────────────────────────

  /** Streams the content into the space (PUT of the upload URL): the URL and the space are checked, then `storeContent`. */
  async upload(packetId: string, token: string, options: { digestSha256: string | null; contentLength: number | null }, body: AsyncIterable<Buffer>): Promise<Packet> {
    const { packets } = this.deps;
    const grant = this.deps.urls.verify(token, this.now());
    if (grant === null || grant.action !== 'upload' || grant.packetId !== packetId) {
      const existing = await packets.get(packetId);
      if (existing !== null && grant === null && Date.parse(existing.spaceExpiresAt) <= this.now() && existing.state === 'REQUESTED') {
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_EXPIRED', `exchange space ${packetId} expired at ${existing.spaceExpiresAt}`);
      }
      throw exchangeError(ErrorCode.UNAUTHENTICATED, 'TOKEN_INVALID', 'the upload URL is invalid or has expired');
    }
    // Why this space cannot take an upload now, or null. Checked inside the change that registers the attempt, so
    // that the check and the registration are one step (and one write, no read before it).
    const now = this.now();
    const refusal = (p: Packet): LgspError | null => {
      if (p.state === 'EXPIRED' || Date.parse(p.spaceExpiresAt) <= now) return exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_EXPIRED', `exchange space ${packetId} expired at ${p.spaceExpiresAt}`);
      if (p.state !== 'REQUESTED') return exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_CLOSED', `exchange space ${packetId} already holds its content (packet ${p.state})`);
      if (options.digestSha256 !== null && options.digestSha256 !== p.sha256) {
        return exchangeError(ErrorCode.BAD_USER_INPUT, 'DIGEST_MISMATCH', 'the digest field does not match the sha256 declared with the exchange request');
      }
      if (options.contentLength !== null && options.contentLength > p.declaredBytes) {
        return exchangeError(ErrorCode.LIMIT_EXCEEDED, 'PAYLOAD_TOO_LARGE', `Content-Length ${options.contentLength} exceeds the space's ${p.declaredBytes} bytes`, { limit: p.declaredBytes });
      }
      return null;
    };
    const attempt = randomUUID().slice(0, 8);
    if (options.contentLength !== null && options.contentLength <= this.deps.settings.chunkBytes) {
      // A body of one chunk is stored in one write, which expires with the packet's deadline: its attempt is
      // registered by the change that commits it (one change, not two). The record as this process knows it is
      // enough to refuse early: what is refused on it (a space closed or expired, a digest or size against what was
      // declared) never comes back; the commit checks the current record.
      const known = await packets.peek(packetId);
      if (known === null) throw new LgspError(ErrorCode.NOT_FOUND, `no exchange space ${packetId}`);
      const refused = refusal(known);
      if (refused !== null) throw this.refusedUpload(refused);
      return this.storeContent(known, attempt, body);
    }
    // A larger body is registered first, so that the chunks of an upload that stops half-way are found and deleted.
    const registered = await packets.update(packetId, (p) => (refusal(p) === null ? { ...p, uploadAttempts: withAttempt(p.uploadAttempts, attempt) } : null));
    if (registered === null) throw new LgspError(ErrorCode.NOT_FOUND, `no exchange space ${packetId}`);
    if (!registered.changed) throw this.refusedUpload(refusal(registered.packet) ?? exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_CLOSED', `exchange space ${packetId} is closed`));
    return this.storeContent(registered.packet, attempt, body);
  }

  private refusedUpload(refused: LgspError): LgspError {
    if (refused.details?.reason === 'PAYLOAD_TOO_LARGE') this.deps.metrics.uploadsRefused.inc({ reason: 'too_large' });
    return refused;
  }

  /**
   * Step 3 proper, for an attempt registered in the record or, for a body of one chunk, registered by the change
   * that commits it (a crash before that change leaves one chunk, which expires with the deadline). The content is
   * counted and hashed as it arrives, refused as soon as it passes the declared size, encrypted chunk by chunk and
   * committed only when size and SHA-256 match; then validated and queued. Whatever was stored of an attempt that
   * is not committed is deleted.
   */
  private async storeContent(packet: Packet, attempt: string, body: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<Packet> {
    const { packets, settings, content } = this.deps;
    const packetId = packet.id;
    // Content cannot outlive the packet's deadline, even if every relay process stops.
    const contentExpiresAt = Date.parse(packet.policy.deadline) + 60_000;
    const writer = new EncryptedContentWriter(content, this.deps.masterKey, packetId, attempt, settings.chunkBytes, contentExpiresAt);
    const hash = createHash('sha256');
    let received = 0;
    let committed = false;
    try {
      for await (const piece of body) {
        const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
        received += chunk.length;
        if (received > packet.declaredBytes) {
          this.deps.metrics.uploadsRefused.inc({ reason: 'too_large' });
          throw exchangeError(ErrorCode.LIMIT_EXCEEDED, 'PAYLOAD_TOO_LARGE', `the content passed the space's ${packet.declaredBytes} bytes`, { limit: packet.declaredBytes });
        }
        hash.update(chunk);
        await writer.write(chunk);
      }
      if (received !== packet.declaredBytes) {
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'SIZE_MISMATCH', `received ${received} bytes, the request declared ${packet.declaredBytes}`);
      }
      const actual = hash.digest('hex');
      if (actual !== packet.sha256) {
        this.deps.metrics.uploadsRefused.inc({ reason: 'digest' });
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DIGEST_MISMATCH', `the content's SHA-256 is ${actual}, the request declared ${packet.sha256}`);
      }
      const at = this.iso();
      const uploaded: StatusEvent = { status: 'UPLOADED', at, recipient: null, detail: `${received} bytes` };
      const closed = () => exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_CLOSED', `exchange space ${packetId} closed during the upload`);
      if (!this.needsContentCheck(packet)) {
        // Content that needs no check (a FILE, a DOSSIER without a schema) is valid as it arrived: uploaded,
        // validated, queued and offered in one change, its queue entries added while its last chunk is stored.
        const queued = await this.enqueue(packet, { attempt, history: [uploaded, { status: 'VALIDATED', at, recipient: null, detail: packet.dataType }], stored: writer.finish() });
        if (!queued.changed) throw closed();
        committed = true;
        this.countUpload(received);
        return queued.packet;
      }
      await writer.finish();
      const result = await packets.update(packetId, (p) => (p.state === 'REQUESTED' && Date.parse(p.spaceExpiresAt) > this.now() ? { ...p, state: 'UPLOADED', contentAttempt: attempt, contentKeyId: this.deps.masterKey.id, uploadAttempts: withAttempt(p.uploadAttempts, attempt) } : null), {
        history: () => [uploaded],
      });
      if (result === null || !result.changed) throw closed();
      committed = true;
      this.countUpload(received);
      return await this.process(result.packet);
    } finally {
      if (!committed) await content.delete(packetId, attempt);
    }
  }

  private countUpload(bytes: number): void {
    this.deps.metrics.packets.inc({ event: 'uploaded' });
    this.deps.metrics.bytes.inc({ direction: 'in' }, bytes);
  }

  /** Whether the content must be read back and checked before delivery (edXML, JSON, a registered schema). */
  private needsContentCheck(packet: Packet): boolean {
    if (packet.dataType === 'EDXML_DOCUMENT' || packet.dataType === 'EDXML_STATUS' || packet.dataType === 'JSON') return true;
    return packet.schemaId !== null || this.deps.schemas.has(packet.dataType);
  }

  // ───────────────────────────── step 4: validate, convert, plan delivery ─────────────────────────────

  /** Moves a packet forward from wherever it stopped (idempotent: sweeps call it again after a crash). */
  async process(packetOrId: string | Packet): Promise<Packet> {
    let packet = typeof packetOrId === 'string' ? await this.deps.packets.get(packetOrId) : packetOrId;
    if (packet === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${String(packetOrId)}`);
    if (packet.state === 'UPLOADED') packet = await this.validate(packet);
    if (packet.state === 'VALIDATED') packet = (await this.enqueue(packet)).packet;
    return packet;
  }

  private async validate(packet: Packet): Promise<Packet> {
    let rejection: PacketRejection | null = null;
    let summary: EdxmlSummary | null = null;
    let parsed: EdxmlPacket | null = null;
    try {
      const outcome = await this.check(packet);
      if ('rejection' in outcome) rejection = outcome.rejection;
      else parsed = outcome.edxml;
    } catch (error) {
      if (error instanceof ContentGoneError) rejection = { code: 'CONTENT_GONE', message: error.message, line: null, column: null, path: null };
      else throw error;
    }
    if (parsed !== null) {
      summary = summarise(parsed);
      if (summary.fromOrganId !== packet.sourceAgency) {
        rejection = {
          code: 'EDXML_FROM_MISMATCH',
          message: `From/OrganId ${summary.fromOrganId} is not the sending agency ${packet.sourceAgency}`,
          line: null,
          column: null,
          path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId',
        };
      }
    }
    if (rejection !== null) return this.reject(packet, rejection);

    const at = this.iso();
    const warnings = summary !== null && summary.warnings.length > 0 ? `; warnings: ${summary.warnings.join(', ')}` : '';
    const updated = await this.deps.packets.update(packet.id, (p) => (p.state === 'UPLOADED' ? { ...p, state: 'VALIDATED', edxml: summary } : null), {
      history: () => [{ status: 'VALIDATED', at, recipient: null, detail: `${packet.dataType}${warnings}` }],
    });
    if (updated === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packet.id}`);
    if (!updated.changed) return updated.packet;
    if (summary?.kind === 'document' && summary.documentId !== null) await this.deps.packets.indexDocument(packet.sourceAgency, summary.documentId, packet.id);
    if (summary?.kind === 'status') await this.recordDocumentStatus(updated.packet, summary, parsed as Extract<EdxmlPacket, { kind: 'status' }>);
    return updated.packet;
  }

  /** The whole plaintext of a packet's committed content, in memory (small packets and JSON checks only). */
  private async readWhole(packet: Packet): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for await (const piece of readDecryptedContent(this.deps.content, this.deps.masterKey, packet.id, packet.contentAttempt!)) pieces.push(piece);
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /** Reads the content once (decrypting as it streams) and checks it against its data type. */
  private async check(packet: Packet): Promise<{ rejection: PacketRejection } | { edxml: EdxmlPacket | null }> {
    if (packet.dataType === 'EDXML_DOCUMENT' || packet.dataType === 'EDXML_STATUS') {
      try {
        const content = readDecryptedContent(this.deps.content, this.deps.masterKey, packet.id, packet.contentAttempt!);
        const edxml = await parseEdxmlStream(content, { expectedKind: packet.dataType === 'EDXML_DOCUMENT' ? 'document' : 'status', limits: { maxBytes: Math.max(packet.declaredBytes, 1) } });
        return { edxml };
      } catch (error) {
        if (!(error instanceof EdxmlError)) throw error;
        return { rejection: { code: error.code, message: error.message, line: error.line ?? null, column: error.column ?? null, path: error.path ?? null } };
      }
    }
    const schemaId = packet.schemaId ?? (this.deps.schemas.has(packet.dataType) ? packet.dataType : null);
    if (packet.dataType === 'JSON' || schemaId !== null) {
      if (packet.declaredBytes > this.deps.settings.jsonMaxBytes) {
        return { rejection: { code: 'JSON_TOO_LARGE', message: `JSON payloads are checked up to ${this.deps.settings.jsonMaxBytes} bytes`, line: null, column: null, path: null } };
      }
      const content = await this.readWhole(packet);
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
      } catch (error) {
        return { rejection: { code: 'JSON_INVALID', message: `not UTF-8 JSON: ${(error as Error).message}`, line: null, column: null, path: null } };
      }
      if (schemaId !== null) {
        const problem = this.deps.schemas.check(schemaId, value);
        if (problem !== null) return { rejection: { code: 'JSON_SCHEMA_MISMATCH', message: `does not match schema "${schemaId}": ${problem}`, line: null, column: null, path: problem.split(' ')[0] ?? null } };
      }
    }
    return { edxml: null };
  }

  private async reject(packet: Packet, rejection: PacketRejection): Promise<Packet> {
    const at = this.iso();
    const where = [rejection.line !== null ? `line ${rejection.line}` : null, rejection.column !== null ? `column ${rejection.column}` : null, rejection.path]
      .filter((x) => x !== null)
      .join(', ');
    const updated = await this.deps.packets.update(
      packet.id,
      (p) =>
        p.state === 'UPLOADED'
          ? { ...p, state: 'REJECTED', rejection, deliveries: p.deliveries.map((d) => ({ ...d, status: 'REJECTED' as const, updatedAt: at })) }
          : null,
      { history: () => [{ status: 'REJECTED', at, recipient: null, detail: `${rejection.code}: ${rejection.message}${where === '' ? '' : ` (${where})`}` }] },
    );
    if (updated === null || !updated.changed) return updated?.packet ?? packet;
    this.deps.metrics.packets.inc({ event: 'rejected' });
    this.deps.logger.info({ packetId: packet.id, source: packet.sourceAgency, code: rejection.code }, 'packet rejected');
    await this.deps.events.publish('packet-status', packet.sourceAgency, { packetId: packet.id, status: 'REJECTED' });
    return this.finish(updated.packet);
  }

  /** A status packet (gói tin trạng thái) updates the document's status at its source. */
  private async recordDocumentStatus(statusPacket: Packet, summary: EdxmlSummary, parsed: Extract<EdxmlPacket, { kind: 'status' }>): Promise<void> {
    const documentId = summary.responseForDocumentId;
    const documentSource = summary.responseForOrganId;
    if (documentId === null || documentSource === null) return;
    const originalId = await this.deps.packets.findDocument(documentSource, documentId);
    if (originalId === null) {
      await this.deps.packets.appendHistory(statusPacket.id, [{ status: 'VALIDATED', at: this.iso(), recipient: null, detail: `document ${documentId} was not exchanged through this platform` }]);
      return;
    }
    const report = { statusCode: parsed.statusCode, description: parsed.description, reportedBy: statusPacket.sourceAgency, statusPacketId: statusPacket.id, at: this.iso() };
    const updated = await this.deps.packets.update(originalId, (p) =>
      // Only a recipient of the document may report its status.
      p.deliveries.some((d) => d.agencyCode === statusPacket.sourceAgency) && !p.documentStatuses.some((s) => s.statusPacketId === statusPacket.id)
        ? { ...p, documentStatuses: [...p.documentStatuses, report] }
        : null,
    );
    if (updated?.changed === true) {
      await this.deps.events.publish('document-status', updated.packet.sourceAgency, {
        packetId: originalId,
        statusCode: parsed.statusCode,
        reportedBy: statusPacket.sourceAgency,
        statusPacketId: statusPacket.id,
      });
    }
  }

  /**
   * Queues the packet for every recipient still PENDING and offers it to them, in one change: one queue entry per
   * recipient first, then the record (deliveries NOTIFIED with their entry ids, the packet QUEUED, the history), then
   * inboxes, ready lists and events. From VALIDATED; or, with `upload`, straight from REQUESTED for content that needs
   * no check (the change then also commits the upload and records its history). An entry whose delivery another
   * replica queued first is acknowledged away; a crash between the entries and the change leaves entries that the
   * sweep finds stale and drops, and a VALIDATED packet that it queues again.
   */
  private async enqueue(packet: Packet, upload?: QueuedUpload): Promise<{ packet: Packet; changed: boolean }> {
    const pending = packet.deliveries.filter((d) => d.status === 'PENDING');
    const [added, stored] = await Promise.all([
      Promise.allSettled(
        pending.map(async (d) => {
          const entry = await this.deps.queue.enqueue(d.agencyCode, packet.priority, packet.id);
          this.enqueuing.add(entry.id);
          return entry;
        }),
      ),
      Promise.allSettled([upload?.stored]),
    ]);
    const entries = added.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    try {
      const failure = [...added, ...stored].find((r) => r.status === 'rejected');
      if (failure !== undefined) {
        // The content was not stored (or an entry not added): the entries that were are not needed.
        await Promise.allSettled(added.map((r, i) => (r.status === 'fulfilled' ? this.deps.queue.ack(pending[i]!.agencyCode, r.value) : undefined)));
        throw failure.reason;
      }
      return await this.recordQueued(packet, pending, entries, upload);
    } finally {
      for (const entry of entries) this.enqueuing.delete(entry.id);
    }
  }

  /** `enqueue` once the entries are added: records them in one change, then offers those it recorded. */
  private async recordQueued(packet: Packet, pending: Delivery[], entries: QueueEntry[], upload?: QueuedUpload): Promise<{ packet: Packet; changed: boolean }> {
    const entryFor = new Map(pending.map((d, i) => [d.agencyCode, entries[i]!]));
    const now = this.now();
    const at = this.iso(now);
    const ours = (p: Packet) => p.deliveries.filter((d) => d.queuedAt === at && d.queueEntryId !== null && entryFor.get(d.agencyCode)?.id === d.queueEntryId);
    const updated = await this.deps.packets.update(
      packet.id,
      (p) => {
        const from = upload === undefined ? p.state === 'VALIDATED' : p.state === 'REQUESTED' && Date.parse(p.spaceExpiresAt) > now;
        if (!from) return null;
        const deliveries = p.deliveries.map((d) => {
          const entry = entryFor.get(d.agencyCode);
          return d.status === 'PENDING' && entry !== undefined ? { ...d, status: 'NOTIFIED' as const, queueEntryId: entry.id, queuedAt: at, updatedAt: at } : d;
        });
        return { ...p, ...(upload !== undefined && { contentAttempt: upload.attempt, contentKeyId: this.deps.masterKey.id, uploadAttempts: withAttempt(p.uploadAttempts, upload.attempt) }), state: 'QUEUED', deliveries };
      },
      {
        history: (next) => [
          ...(upload?.history ?? []),
          ...ours(next).flatMap((d) => [
            { status: 'QUEUED' as const, at, recipient: d.agencyCode, detail: `priority ${packet.priority}` },
            { status: 'NOTIFIED' as const, at, recipient: d.agencyCode, detail: null },
          ]),
        ],
      },
    );
    if (updated === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packet.id}`);
    const current = updated.packet;
    const offered = updated.changed ? ours(current) : [];
    const offeredIds = new Set(offered.map((d) => d.queueEntryId!));
    await Promise.all([
      // Another replica queued these first (or the space closed): their entries are not needed.
      ...pending.filter((d) => !offeredIds.has(entryFor.get(d.agencyCode)!.id)).map((d) => this.deps.queue.ack(d.agencyCode, entryFor.get(d.agencyCode)!)),
      ...(updated.changed
        ? [
            // (It stays due for the sweep when it was created: the sweep then looks at it and sets its next time.)
            ...current.deliveries.map((d) => this.deps.packets.addToInbox(d.agencyCode, packet.id, packet.sequence)),
            ...offered.map((d) => this.announce(current, d.agencyCode, false)),
          ]
        : []),
      // Reading each destination's new entries puts ours in the pending list (redelivery counts from there) and
      // offers any other replica's entries that are waiting; it goes out with the writes above.
      ...offered.map((d) => this.pullNew(d.agencyCode)),
    ]);
    return updated;
  }

  // ───────────────────────────── step 4-5: notify the destination ─────────────────────────────

  /**
   * Reads the destination's new entries once an upload offered its own. Uploads to one destination at the same
   * moment share one read: at most one is in flight per destination in this process, and those arriving meanwhile
   * join the next. Their own entries are still in `enqueuing` during it, so the read passes over them.
   */
  private pullNew(destination: string): Promise<void> {
    const waiting = this.nextReads.get(destination);
    if (waiting !== undefined) return waiting;
    const previous = this.runningReads.get(destination) ?? Promise.resolve();
    const done: Promise<void> = previous.catch(() => undefined).then(async () => {
      this.nextReads.delete(destination);
      this.runningReads.set(destination, done);
      try {
        await this.dispatch(destination, false);
      } finally {
        if (this.runningReads.get(destination) === done) this.runningReads.delete(destination);
      }
    });
    this.nextReads.set(destination, done);
    return done;
  }

  /** Offers the destination its new queue entries, HIGH first; with `reclaim`, also entries left unacknowledged. */
  async dispatch(destination: string, reclaim: boolean): Promise<void> {
    const { queue, consumerName, settings } = this.deps;
    for (;;) {
      const entries = await queue.readNew(destination, consumerName, 100);
      // Entries this process is recording are offered by their own enqueue; the others together, each its own change.
      await Promise.all(entries.filter((e) => !this.enqueuing.has(e.id)).map((e) => this.offerNew(destination, e)));
      if (entries.length < 100) break;
    }
    if (reclaim) {
      const entries = await queue.reclaim(destination, consumerName, settings.ackTimeoutMs, 1_000);
      for (const entry of entries) await this.offer(destination, entry, true);
    }
  }

  /** First offer of a queue entry: QUEUED → NOTIFIED in one change, straight from the entry. */
  private async offerNew(destination: string, entry: QueueEntry): Promise<Packet | null> {
    const at = this.iso();
    const updated = await this.deps.packets.update(
      entry.packetId,
      (p) => withDelivery(p, destination, (d) => (d.queueEntryId === entry.id && d.status === 'QUEUED' ? { ...d, status: 'NOTIFIED', updatedAt: at } : null)),
      { history: () => [{ status: 'NOTIFIED', at, recipient: destination, detail: null }] },
    );
    const delivery = updated?.packet.deliveries.find((d) => d.agencyCode === destination);
    // Not recorded yet: the replica that added the entry is about to record and offer it. It stays pending here, so
    // that a crash of that replica still ends in a redelivery (the sweep finds it stale then and drops it).
    if (delivery?.status === 'PENDING' && delivery.queueEntryId === null) return updated!.packet;
    if (updated === null || delivery === undefined || delivery.queueEntryId !== entry.id || TERMINAL_DELIVERY.has(delivery.status)) {
      await this.deps.queue.ack(destination, entry); // stale, duplicate or finished: nothing to offer
      return updated?.packet ?? null;
    }
    if (updated.changed) await this.announce(updated.packet, destination, false);
    return updated.packet;
  }

  /** The destination learns it has a packet (and may take it with claimPackets); the source sees it NOTIFIED. */
  private async announce(packet: Packet, destination: string, redelivery: boolean): Promise<void> {
    await Promise.all([
      this.deps.queue.ready(destination, packet.priority, packet.id, packet.sequence),
      this.deps.events.publish('packet-available', destination, { packetId: packet.id, sourceAgency: packet.sourceAgency, priority: packet.priority }),
      this.deps.events.publish('packet-status', packet.sourceAgency, { packetId: packet.id, recipient: destination, status: 'NOTIFIED' }),
    ]);
    this.deps.metrics.deliveries.inc({ event: redelivery ? 'redelivered' : 'notified' });
  }

  /** A redelivery (sweep): the entry was read before and left unacknowledged, or never claimed. */
  private async offer(destination: string, entry: QueueEntry, redelivery: boolean): Promise<void> {
    const packet = await this.deps.packets.get(entry.packetId);
    const delivery = packet?.deliveries.find((d) => d.agencyCode === destination);
    if (packet === null || delivery === undefined || delivery.queueEntryId !== entry.id || TERMINAL_DELIVERY.has(delivery.status)) {
      await this.deps.queue.ack(destination, entry); // stale, duplicate or finished: nothing to offer
      return;
    }
    if (!redelivery && delivery.status !== 'QUEUED') return;
    if (redelivery && delivery.status === 'CLAIMED' && delivery.attempts >= packet.policy.maxAttempts) {
      await this.failDelivery(packet.id, destination, 'UNDELIVERABLE', `claimed ${delivery.attempts} time(s) without acknowledgement (maxAttempts ${packet.policy.maxAttempts})`);
      return;
    }
    const at = this.iso();
    const detail = redelivery
      ? delivery.status === 'CLAIMED'
        ? `redelivered: claim ${delivery.attempts} not acknowledged in time`
        : 'notified again: not claimed yet'
      : null;
    const updated = await this.deps.packets.update(
      packet.id,
      (p) => withDelivery(p, destination, (d) => (d.status === 'QUEUED' || (redelivery && (d.status === 'NOTIFIED' || d.status === 'CLAIMED')) ? { ...d, status: 'NOTIFIED', updatedAt: at } : null)),
      { history: () => [{ status: 'NOTIFIED', at, recipient: destination, detail }] },
    );
    if (updated?.changed !== true) return;
    await this.announce(updated.packet, destination, redelivery);
  }

  // ───────────────────────────── step 6: claim ─────────────────────────────

  /** Claims one packet by id; claiming again gives a new URL and voids the old one. */
  async claim(caller: Caller, packetId: string): Promise<PacketClaim> {
    const claim = await this.claimOne(caller, requireAgency(caller), packetId, CLAIMABLE_AGAIN);
    if (!('refused' in claim)) return claim;
    const { packet, status } = claim.refused;
    if (packet === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packetId}`);
    if (status === null) throw new LgspError(ErrorCode.FORBIDDEN, `packet ${packetId} is not addressed to ${caller.agencyCode}`);
    assertClaimable(status, packetId);
    throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DELIVERY_CLOSED', `packet ${packetId} cannot be claimed now`);
  }

  /**
   * Claims up to `first` packets waiting for the caller's agency — HIGH first, then NORMAL, then LOW, oldest first —
   * that nobody of the agency holds a claim on: two systems draining one inbox at once never get the same packet.
   * Fewer (or none) when fewer are waiting.
   */
  async claimNext(caller: Caller, first: number): Promise<PacketClaim[]> {
    const agency = requireAgency(caller);
    assertBatchSize(first, 'first');
    const claims: PacketClaim[] = [];
    // A taken id may have moved on meanwhile (acknowledged after an earlier claim by id, expired): take more then.
    for (let round = 0; round < 5 && claims.length < first; round += 1) {
      const ids = await this.deps.queue.takeReady(agency, first - claims.length);
      if (ids.length === 0) break;
      const outcomes = await Promise.allSettled(ids.map((id) => this.claimOne(caller, agency, id, CLAIMABLE_FRESH)));
      const failed: Array<{ id: string; error: unknown }> = [];
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'rejected') failed.push({ id: ids[i]!, error: outcome.reason });
        else if (!('refused' in outcome.value)) claims.push(outcome.value);
      });
      if (failed.length > 0) {
        // Taken from the ready list but not claimed (a store error): put back, so that the next claimPackets takes
        // them rather than a redelivery after RELAY_ACK_TIMEOUT_MS; the claims made are answered.
        await Promise.allSettled(failed.map((f) => this.restoreReady(agency, f.id)));
        this.deps.logger.warn({ agency, packetIds: failed.map((f) => f.id), err: failed[0]!.error }, 'claimPackets: packets left unclaimed after an error, put back');
        if (claims.length === 0) throw failed[0]!.error;
        break;
      }
    }
    return claims;
  }

  /** A packet taken from the agency's ready list and not claimed goes back where it was (priority, then sequence). */
  private async restoreReady(agency: string, packetId: string): Promise<void> {
    const packet = await this.deps.packets.peek(packetId);
    const delivery = packet?.deliveries.find((d) => d.agencyCode === agency);
    if (packet === null || packet === undefined || delivery === undefined || !CLAIMABLE_FRESH.has(delivery.status)) return;
    await this.deps.queue.ready(agency, packet.priority, packetId, packet.sequence);
  }

  private async claimOne(caller: Caller, agency: string, packetId: string, from: ReadonlySet<DeliveryStatus>): Promise<PacketClaim | { refused: { packet: Packet | null; status: DeliveryStatus | null } }> {
    const now = this.now();
    const at = this.iso(now);
    const updated = await this.deps.packets.update(
      packetId,
      (p) =>
        withDelivery(p, agency, (d) => {
          if (!from.has(d.status)) return null;
          // Content this relay cannot decrypt is not handed out: the claim is refused before it counts as an attempt.
          if (p.contentKeyId !== undefined && masterKeyById(this.deps.masterKey, p.contentKeyId) === undefined) {
            throw this.keyUnavailable(new MasterKeyUnavailableError(p.id, p.contentKeyId));
          }
          return { ...d, status: 'CLAIMED', attempts: d.attempts + 1, claimedAt: at, claimedBy: caller.systemId, updatedAt: at };
        }),
      { history: (next) => [{ status: 'CLAIMED', at, recipient: agency, detail: `claim ${next.deliveries.find((d) => d.agencyCode === agency)!.attempts}` }] },
    );
    const claimed = updated?.packet.deliveries.find((d) => d.agencyCode === agency);
    if (updated?.changed !== true || claimed === undefined) return { refused: { packet: updated?.packet ?? null, status: claimed?.status ?? null } };
    const packet = updated.packet;
    await Promise.all([
      claimed.queueEntryId === null ? undefined : this.deps.queue.touch(agency, { id: claimed.queueEntryId, priority: packet.priority }, this.deps.consumerName),
      // Taken from the ready list (claimPackets), it has left it already; claimed by id, it leaves it now.
      from === CLAIMABLE_FRESH ? undefined : this.deps.queue.notReady(agency, packetId),
      this.deps.events.publish('packet-status', packet.sourceAgency, { packetId, recipient: agency, status: 'CLAIMED' }),
    ]);
    const expiresAtMs = Math.min(now + this.deps.settings.claimTtlMs, Date.parse(packet.policy.deadline));
    const token = this.deps.urls.sign({
      action: 'download',
      packetId,
      recipient: agency,
      system: caller.systemId,
      claim: claimed.attempts,
      ...(packet.contentAttempt !== null && { attempt: packet.contentAttempt }),
      expiresAtMs,
    });
    return {
      packetId,
      downloadUrl: `${this.deps.settings.publicBaseUrl()}/exchange/packets/${packetId}/content?token=${token}`,
      expiresAt: this.iso(expiresAtMs),
      sha256: packet.sha256,
      bytes: packet.declaredBytes,
      readContent: () => this.readInline(packet, agency),
    };
  }

  /**
   * Step 7 inside the claim (`PacketClaim.content`): the whole content of a packet of at most `inlineMaxBytes`, null
   * for a larger one. Read, decrypted and authenticated as a download reads it, and counted as one: the delivery of
   * a packet that needs no acknowledgement is complete.
   */
  private async readInline(packet: Packet, agency: string): Promise<Buffer | null> {
    if (packet.declaredBytes > this.deps.settings.inlineMaxBytes) return null;
    if (packet.contentAttempt === null || packet.contentDeleted) throw contentGone(packet.id);
    let content: Buffer;
    try {
      content = await this.readWhole(packet);
    } catch (error) {
      throw this.contentReadFailure(error, packet.id);
    }
    this.deps.metrics.bytes.inc({ direction: 'out' }, content.length);
    if (!packet.policy.acknowledgementRequired) await this.completeDelivery(packet.id, agency, 'read with the claim (no acknowledgement required)');
    return content;
  }

  /** What a caller is told when reading a packet's content failed: gone, its key unavailable, or the error itself. */
  private contentReadFailure(error: unknown, packetId: string): unknown {
    if (error instanceof ContentGoneError) return contentGone(packetId);
    if (error instanceof MasterKeyUnavailableError) return this.keyUnavailable(error);
    return error;
  }

  /**
   * Content this relay cannot decrypt because its master key was dropped from the configuration: the operator is
   * told which key (by id, never the key), the caller gets a retryable error, and the content stays stored.
   */
  private keyUnavailable(error: MasterKeyUnavailableError): LgspError {
    this.deps.metrics.contentKeyUnavailable.inc();
    this.deps.logger.error({ masterKeyId: error.masterKeyId, reason: error.message }, 'content key unavailable: list the master key it was stored under in RELAY_MASTER_KEY_PREVIOUS');
    return exchangeError(
      ErrorCode.INTERNAL_SERVER_ERROR,
      'CONTENT_KEY_UNAVAILABLE',
      'the relay cannot decrypt this content now (its encryption key is not configured); the content is kept: try again later or tell the platform operator',
    );
  }

  // ───────────────────────────── step 7: download, acknowledge ─────────────────────────────

  async download(packetId: string, token: string): Promise<Download> {
    const grant = this.deps.urls.verify(token, this.now());
    if (grant === null || grant.action !== 'download' || grant.packetId !== packetId) {
      throw exchangeError(ErrorCode.UNAUTHENTICATED, 'TOKEN_INVALID', 'the download URL is invalid or has expired');
    }
    // The content's start is read together with the record (the URL names the attempt); it is used only if the
    // record says the claim and the content are still those of the URL.
    const start = grant.attempt === undefined ? undefined : this.deps.content.getStart(packetId, grant.attempt);
    start?.catch(() => undefined);
    const packet = await this.deps.packets.get(packetId);
    if (packet === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packetId}`);
    const delivery = packet.deliveries.find((d) => d.agencyCode === grant.recipient);
    if (delivery === undefined) throw exchangeError(ErrorCode.FORBIDDEN, 'TOKEN_INVALID', 'the download URL is not for this packet');
    if (delivery.status === 'DELIVERED') throw exchangeError(ErrorCode.NOT_FOUND, 'ALREADY_DELIVERED', `packet ${packetId} was delivered and its content deleted`);
    if (delivery.status !== 'CLAIMED' || delivery.attempts !== grant.claim) {
      throw exchangeError(ErrorCode.FORBIDDEN, 'NOT_CLAIMED', 'this download URL belongs to an earlier claim; claim the packet again');
    }
    if (packet.contentAttempt === null || packet.contentDeleted) throw contentGone(packetId);
    await this.touchPresence(grant.recipient, grant.system ?? 'download');
    let body: AsyncGenerator<Buffer>;
    try {
      body = await openDecryptedContent(this.deps.content, this.deps.masterKey, packetId, packet.contentAttempt, grant.attempt === packet.contentAttempt ? start : undefined);
    } catch (error) {
      throw this.contentReadFailure(error, packetId);
    }
    return {
      packet,
      bytes: packet.declaredBytes,
      sha256: packet.sha256,
      body,
      completed: async () => {
        this.deps.metrics.bytes.inc({ direction: 'out' }, packet.declaredBytes);
        if (!packet.policy.acknowledgementRequired) await this.completeDelivery(packetId, (grant as DownloadGrant).recipient, 'downloaded (no acknowledgement required)');
      },
    };
  }

  /**
   * Step 7 for one packet. The change is tried first and the reasons it may not apply are read from the record it
   * answers, so an acknowledgement costs one write, not a read and a write.
   */
  async acknowledge(caller: Caller, packetId: string, sha256: string): Promise<Acknowledgement> {
    const agency = requireAgency(caller);
    const digestOk = SHA256_HEX.test(sha256);
    const updated = await this.completeDelivery(packetId, agency, `acknowledged by ${caller.systemId ?? agency}`, (p, d) => digestOk && sha256.toLowerCase() === p.sha256 && d.attempts > 0);
    if (updated === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packetId}`);
    const { packet, changed } = updated;
    const delivery = packet.deliveries.find((d) => d.agencyCode === agency);
    if (delivery === undefined) throw new LgspError(ErrorCode.FORBIDDEN, `packet ${packetId} is not addressed to ${agency}`);
    if (changed) return { packet, recipient: agency, status: delivery.status, alreadyAcknowledged: false };
    if (!digestOk || sha256.toLowerCase() !== packet.sha256) {
      throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DIGEST_MISMATCH', 'the acknowledged sha256 is not the packet\'s: download it again');
    }
    if (delivery.status === 'DELIVERED') return { packet, recipient: agency, status: 'DELIVERED', alreadyAcknowledged: true };
    throw exchangeError(ErrorCode.BAD_USER_INPUT, delivery.attempts === 0 ? 'NOT_CLAIMED' : 'DELIVERY_CLOSED', `packet ${packetId} cannot be acknowledged: delivery is ${delivery.status}`);
  }

  /** Acknowledges several packets; each answer is the acknowledgement or the error that one alone would have given. */
  async acknowledgeMany(caller: Caller, acknowledgements: Array<{ id: string; sha256: string }>): Promise<Array<Acknowledgement | LgspError>> {
    requireAgency(caller);
    assertBatchSize(acknowledgements.length, 'acknowledgements');
    return settleEach(acknowledgements.map((a) => this.acknowledge(caller, a.id, a.sha256)), this.deps.logger);
  }

  /**
   * The delivery to `agency` is DELIVERED (when `allowed` says so): in the same change the packet is DONE if it was
   * the last one, then the queue entry goes, the source hears of it, and a finished packet's content is deleted.
   * Answers the record as it now is (the change applied or not), null when the packet is unknown.
   */
  private async completeDelivery(packetId: string, agency: string, detail: string, allowed: (p: Packet, d: Delivery) => boolean = () => true): Promise<{ packet: Packet; changed: boolean } | null> {
    const at = this.iso();
    let before: DeliveryStatus | null = null;
    const updated = await this.deps.packets.update(
      packetId,
      (p) => {
        const next = withDelivery(p, agency, (d) => {
          before = d.status;
          return (d.status === 'CLAIMED' || d.status === 'NOTIFIED') && allowed(p, d) ? { ...d, status: 'DELIVERED', deliveredAt: at, updatedAt: at } : null;
        });
        if (next === null) return null;
        // The last delivery: the packet is DONE and its content goes, recorded in this same change (the deletion
        // follows; should this process stop before it, the sweep deletes it, and the content expires anyway).
        return next.state === 'QUEUED' && next.deliveries.every((d) => TERMINAL_DELIVERY.has(d.status)) ? { ...next, state: 'DONE', contentDeleted: true } : next;
      },
      { history: () => [{ status: 'DELIVERED', at, recipient: agency, detail }], retainMs: (next) => (next.state === 'DONE' ? this.deps.settings.retentionMs : null) },
    );
    if (updated === null || !updated.changed) return updated;
    const packet = updated.packet;
    const delivery = packet.deliveries.find((d) => d.agencyCode === agency)!;
    await Promise.all([
      delivery.queueEntryId === null ? undefined : this.deps.queue.ack(agency, { id: delivery.queueEntryId, priority: packet.priority }),
      before === 'NOTIFIED' ? this.deps.queue.notReady(agency, packetId) : undefined,
      this.deps.events.publish('packet-status', packet.sourceAgency, { packetId, recipient: agency, status: 'DELIVERED' }),
      ...(packet.state === 'DONE' ? [...packet.uploadAttempts.map((attempt) => this.deps.content.delete(packetId, attempt)), this.deps.packets.removeActive(packetId)] : []),
    ]);
    this.deps.metrics.deliveries.inc({ event: 'delivered' });
    return updated;
  }

  private async failDelivery(packetId: string, agency: string, status: 'EXPIRED' | 'UNDELIVERABLE', reason: string): Promise<Packet | null> {
    const at = this.iso();
    const updated = await this.deps.packets.update(packetId, (p) => withDelivery(p, agency, (d) => (TERMINAL_DELIVERY.has(d.status) ? null : { ...d, status, updatedAt: at })), {
      history: () => [{ status, at, recipient: agency, detail: reason }],
    });
    if (updated === null || !updated.changed) return updated?.packet ?? null;
    const delivery = updated.packet.deliveries.find((d) => d.agencyCode === agency)!;
    await Promise.all([
      delivery.queueEntryId === null ? undefined : this.deps.queue.ack(agency, { id: delivery.queueEntryId, priority: updated.packet.priority }),
      this.deps.queue.notReady(agency, packetId),
    ]);
    this.deps.metrics.deliveries.inc({ event: status.toLowerCase() });
    if (status === 'UNDELIVERABLE') {
      // BG:5.9 / TQ:7.6: the operator is alerted, the source told so that it can decide.
      this.deps.metrics.undeliverable.inc();
      this.deps.logger.error({ alert: 'RELAY_UNDELIVERABLE', packetId, source: updated.packet.sourceAgency, recipient: agency, reason }, 'packet undeliverable');
    }
    const { sourceAgency } = updated.packet;
    await Promise.all([
      // The recipient learns that a packet addressed to it was given up: a system that was offline finds it among the
      // events it replays with `after` (it never claimed the packet, so nothing else would tell it).
      this.deps.events.publish('packet-status', agency, { packetId, recipient: agency, sourceAgency, status }),
      updated.packet.policy.notifySourceOnFailure ? this.deps.events.publish('packet-status', sourceAgency, { packetId, recipient: agency, status }) : undefined,
    ]);
    return this.finishIfDone(updated.packet);
  }

  private async finishIfDone(packet: Packet): Promise<Packet> {
    if (packet.state !== 'QUEUED' || !packet.deliveries.every((d) => TERMINAL_DELIVERY.has(d.status))) return packet;
    const updated = await this.deps.packets.update(packet.id, (p) => (p.state === 'QUEUED' ? { ...p, state: 'DONE' } : null));
    return updated?.changed === true ? this.finish(updated.packet) : packet;
  }

  /** The content goes (BG:5.2-5.3: nothing kept after the transfer); the record stays for the status history. */
  private async finish(packet: Packet): Promise<Packet> {
    const retentionMs = this.deps.settings.retentionMs;
    await Promise.all(packet.uploadAttempts.map((attempt) => this.deps.content.delete(packet.id, attempt)));
    const updated = await this.deps.packets.update(packet.id, (p) => (p.contentDeleted ? null : { ...p, contentDeleted: true }), { retainMs: retentionMs });
    await Promise.all([this.deps.packets.removeActive(packet.id), updated?.changed === true ? undefined : this.deps.packets.retain(packet.id, retentionMs)]);
    return updated?.packet ?? packet;
  }

  // ───────────────────────────── sweeps ─────────────────────────────

  /**
   * One pass over the unfinished packets that are due: expire spaces never filled and deliveries past their deadline,
   * resume packets a stopped process left half-way, turn destinations offline too long UNDELIVERABLE, and set when
   * each one left is due next; then offer every queue's new entries and redeliver claims left unacknowledged. A
   * backlog of packets waiting for an offline agency costs nothing until one of them is due. Safe to run on every
   * replica at once.
   */
  async sweep(): Promise<{ expired: number; undeliverable: number; resumed: number }> {
    const counts = { expired: 0, undeliverable: 0, resumed: 0 };
    const now = this.now();
    // Presence is read once per destination per pass: a backlog for one agency is judged on one read, not two per packet.
    const seen = new Map<string, Promise<number | null>>();
    const lastSeen = (agency: string) => {
      let found = seen.get(agency);
      if (found === undefined) {
        seen.set(agency, (found = this.deps.presence.lastSeen(agency, now)));
        found.catch(() => seen.delete(agency)); // a failed read is tried again for the next packet
      }
      return found;
    };
    for (const id of await this.deps.packets.activeIds(SWEEP_BATCH, now)) {
      const packet = await this.deps.packets.get(id);
      if (packet === null) {
        await this.deps.packets.removeActive(id);
        continue;
      }
      try {
        await this.sweepPacket(packet, now, counts, lastSeen);
      } catch (error) {
        this.deps.logger.error({ err: error, packetId: id }, 'sweep failed for a packet');
      }
    }
    for (const destination of await this.deps.queue.destinations()) await this.dispatch(destination, true);
    return counts;
  }

  private async sweepPacket(
    packet: Packet,
    now: number,
    counts: { expired: number; undeliverable: number; resumed: number },
    lastSeenOf: (agency: string) => Promise<number | null>,
  ): Promise<void> {
    if (packet.state === 'REQUESTED') {
      if (Date.parse(packet.spaceExpiresAt) > now) {
        await this.deps.packets.setActive(packet.id, Date.parse(packet.spaceExpiresAt));
        return;
      }
      const at = this.iso(now);
      const updated = await this.deps.packets.update(
        packet.id,
        (p) => (p.state === 'REQUESTED' ? { ...p, state: 'EXPIRED', deliveries: p.deliveries.map((d) => ({ ...d, status: 'EXPIRED' as const, updatedAt: at })) } : null),
        { history: () => [{ status: 'EXPIRED', at, recipient: null, detail: 'the exchange space expired before its content was uploaded' }] },
      );
      if (updated?.changed !== true) return;
      counts.expired += 1;
      await this.deps.events.publish('packet-status', packet.sourceAgency, { packetId: packet.id, status: 'EXPIRED' });
      await this.finish(updated.packet);
      return;
    }
    if (packet.state === 'UPLOADED' || packet.state === 'VALIDATED') {
      counts.resumed += 1;
      const processed = await this.process(packet.id);
      if (processed.state === 'QUEUED') await this.deps.packets.setActive(packet.id, await this.nextDue(processed, now, lastSeenOf));
      return;
    }
    if (packet.state !== 'QUEUED') {
      // REJECTED/EXPIRED/DONE still listed: a process stopped between the state change and the clean-up.
      await this.finish(packet);
      return;
    }
    const deadline = Date.parse(packet.policy.deadline);
    for (const delivery of packet.deliveries) {
      if (TERMINAL_DELIVERY.has(delivery.status)) continue;
      if (now >= deadline) {
        counts.expired += 1;
        await this.failDelivery(packet.id, delivery.agencyCode, 'EXPIRED', `not delivered by the deadline ${packet.policy.deadline}`);
        continue;
      }
      if (delivery.status === 'CLAIMED') continue; // the destination is online: it just claimed
      const lastSeen = await lastSeenOf(delivery.agencyCode);
      const offlineSince = Math.max(lastSeen ?? 0, Date.parse(delivery.queuedAt ?? packet.createdAt));
      if (now - offlineSince > packet.policy.maxOfflineMs) {
        counts.undeliverable += 1;
        const seen = lastSeen === null ? 'never seen online' : `last seen ${this.iso(lastSeen)}`;
        await this.failDelivery(packet.id, delivery.agencyCode, 'UNDELIVERABLE', `destination offline longer than ${Math.round(packet.policy.maxOfflineMs / 1000)} s (${seen})`);
      }
    }
    const latest = await this.deps.packets.get(packet.id);
    if (latest === null) return;
    const current = await this.finishIfDone(latest);
    if (current.state === 'QUEUED') await this.deps.packets.setActive(packet.id, await this.nextDue(current, now, lastSeenOf));
  }

  /**
   * When the sweep must look at a queued packet again: its deadline, or the first moment one of its destinations
   * could have been offline longer than the policy allows (a claimed one not before its claim could be redelivered),
   * whichever comes first; a second from now at the earliest.
   */
  private async nextDue(packet: Packet, now: number, lastSeenOf: (agency: string) => Promise<number | null>): Promise<number> {
    let due = Date.parse(packet.policy.deadline);
    for (const delivery of packet.deliveries) {
      if (TERMINAL_DELIVERY.has(delivery.status)) continue;
      const lastSeen = await lastSeenOf(delivery.agencyCode);
      const offlineTooLong = Math.max(lastSeen ?? 0, Date.parse(delivery.queuedAt ?? packet.createdAt)) + packet.policy.maxOfflineMs + 1;
      const redeliverable = delivery.status === 'CLAIMED' ? Date.parse(delivery.claimedAt ?? packet.createdAt) + this.deps.settings.ackTimeoutMs : 0;
      due = Math.min(due, Math.max(offlineTooLong, redeliverable));
    }
    return Math.max(due, now + 1_000);
  }

  // ───────────────────────────── reads ─────────────────────────────

  /** When a system of the agency was last active (ms), or null when never: calls, downloads, held subscriptions (now while held). */
  async lastSeen(agency: string): Promise<number | null> {
    return this.deps.presence.lastSeen(agency, this.now());
  }

  /**
   * When the systems of an agency were last active, for operators and for the agency itself (others: FORBIDDEN): what
   * the sweep judges deliveries by (policy.maxOfflineSeconds).
   */
  async presence(caller: Caller, agencyCode: string): Promise<{ agencyCode: string; lastSeenAt: string | null; systems: Array<{ systemId: string; lastSeenAt: string }> }> {
    if (!caller.operator && caller.agencyCode !== agencyCode) {
      throw new LgspError(ErrorCode.FORBIDDEN, `only operators and agency ${agencyCode} itself may read its presence`);
    }
    const systems = await this.deps.presence.systems(agencyCode, this.now());
    return {
      agencyCode,
      lastSeenAt: systems.length === 0 ? null : this.iso(systems[0]!.lastSeenMs),
      systems: systems.map((s) => ({ systemId: s.system, lastSeenAt: this.iso(s.lastSeenMs) })),
    };
  }

  async markActive(caller: Caller): Promise<void> {
    if (caller.agencyCode !== null) await this.touchPresence(caller.agencyCode, caller.systemId ?? 'user');
  }

  /**
   * Records activity, at most once per PRESENCE_WRITE_INTERVAL_MS per system and process: presence is judged in
   * minutes (maxOfflineSeconds), and a busy system would otherwise cost a write per request.
   */
  private async touchPresence(agency: string, system: string): Promise<void> {
    const now = this.now();
    const key = `${agency} ${system}`;
    const last = this.presenceWritten.get(key);
    if (last !== undefined && now - last >= 0 && now - last < PRESENCE_WRITE_INTERVAL_MS) return;
    if (this.presenceWritten.size >= 10_000) this.presenceWritten.clear();
    this.presenceWritten.set(key, now);
    await this.deps.presence.markActive(agency, system, now);
  }

  /** The packet as this caller may see it (recipients see their own delivery only); null when unknown. */
  async packetFor(caller: Caller, packetId: string): Promise<Packet | null> {
    const packet = await this.deps.packets.get(packetId);
    if (packet === null) return null;
    return viewFor(caller, packet);
  }

  async history(caller: Caller, packetId: string): Promise<StatusEvent[]> {
    const packet = await this.deps.packets.get(packetId);
    if (packet === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packetId}`);
    viewFor(caller, packet);
    const events = await this.deps.packets.history(packetId);
    if (caller.operator || caller.agencyCode === packet.sourceAgency) return events;
    return events.filter((e) => e.recipient === null || e.recipient === caller.agencyCode);
  }

  async inbox(caller: Caller, first: number, afterSequence: number | null): Promise<{ packets: Packet[]; lastSequence: number | null; hasNextPage: boolean }> {
    const agency = requireAgency(caller);
    if (!Number.isInteger(first) || first < 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'first must be >= 0');
    if (first > 100) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, 'first must be <= 100', { limit: 100 });
    const page = await this.deps.packets.inbox(agency, first, afterSequence);
    const packets: Packet[] = [];
    const expired: string[] = [];
    for (const id of page.ids) {
      const packet = await this.deps.packets.get(id);
      if (packet !== null) packets.push(viewFor(caller, packet));
      else expired.push(id);
    }
    // Records expire with their retention, their inbox entries are dropped when a page comes across them.
    if (expired.length > 0) await this.deps.packets.removeFromInbox(agency, expired);
    return { packets, lastSequence: page.lastSequence, hasNextPage: page.hasNextPage };
  }
}

/** An upload queued in the change that commits it (content that needs no check). */
interface QueuedUpload {
  attempt: string;
  history: StatusEvent[];
  /** The content's last write, still going: the entries are added meanwhile, the change waits for it. */
  stored?: Promise<unknown>;
}

/**
 * How soon after its request the sweep first looks at a packet. Most packets are delivered before and never looked
 * at; one a stopped process left half-way (uploaded, not yet validated or queued) is resumed then.
 */
const FIRST_SWEEP_AFTER_MS = 30_000;

/** Packets a sweep takes at most in one pass (the rest are due still and come in the next). */
const SWEEP_BATCH = 10_000;

function requireAgency(caller: Caller): string {
  if (caller.agencyCode === null) throw new LgspError(ErrorCode.FORBIDDEN, 'only an agency system or civil servant of an agency may exchange packets');
  return caller.agencyCode;
}

function viewFor(caller: Caller, packet: Packet): Packet {
  if (caller.operator || (caller.agencyCode !== null && caller.agencyCode === packet.sourceAgency)) return packet;
  const own = packet.deliveries.filter((d) => d.agencyCode === caller.agencyCode);
  if (own.length === 0) throw new LgspError(ErrorCode.FORBIDDEN, `packet ${packet.id} is readable by its source, its recipients and operators only`);
  return { ...packet, deliveries: own };
}

function assertClaimable(status: DeliveryStatus, packetId: string): void {
  if (status === 'PENDING') throw exchangeError(ErrorCode.BAD_USER_INPUT, 'NOT_READY', `packet ${packetId} is not validated yet`);
  if (status === 'DELIVERED') throw exchangeError(ErrorCode.BAD_USER_INPUT, 'ALREADY_DELIVERED', `packet ${packetId} was already delivered`);
  if (TERMINAL_DELIVERY.has(status)) throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DELIVERY_CLOSED', `packet ${packetId} is ${status}`);
}

/** The upload attempts of a record with `attempt` among them (registered before its content, or by its commit). */
function withAttempt(attempts: string[], attempt: string): string[] {
  return attempts.includes(attempt) ? attempts : [...attempts, attempt];
}

function withDelivery(packet: Packet, agency: string, change: (d: Delivery) => Delivery | null): Packet | null {
  const index = packet.deliveries.findIndex((d) => d.agencyCode === agency);
  if (index < 0) return null;
  const next = change(packet.deliveries[index]!);
  if (next === null) return null;
  const deliveries = [...packet.deliveries];
  deliveries[index] = next;
  return { ...packet, deliveries };
}

function summarise(packet: EdxmlPacket): EdxmlSummary {
  const warnings = [...new Set(packet.warnings.map((w) => w.code))];
  if (packet.kind === 'document') {
    return {
      kind: 'document',
      fromOrganId: packet.from.organId,
      toOrganIds: packet.to.map((t) => t.organId),
      documentId: packet.documentId,
      code: packet.code.value,
      subject: packet.subject,
      statusCode: null,
      responseForOrganId: null,
      responseForDocumentId: null,
      responseForCode: null,
      warnings,
    };
  }
  return {
    kind: 'status',
    fromOrganId: packet.from.organId,
    toOrganIds: [],
    documentId: null,
    code: null,
    subject: null,
    statusCode: packet.statusCode,
    responseForOrganId: packet.responseFor.organId,
    responseForDocumentId: packet.responseFor.documentId,
    responseForCode: packet.responseFor.code,
    warnings,
  };
}

