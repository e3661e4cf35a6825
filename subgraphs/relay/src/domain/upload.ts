/**
 * Step 3 of the exchange (R4): the content arrives in its space, by a PUT of the upload URL (streamed) or inline
 * with the request. It is counted and hashed as it arrives, refused as soon as it passes the declared size,
 * encrypted chunk by chunk (`content-cipher.ts`) and committed only when size and SHA-256 match; content that needs
 * no check is queued in the same change (`Dispatcher.enqueue`), other content is handed to `Validation`. Each
 * attempt writes under its own id, so a failed, abandoned or concurrent upload never mixes with the committed one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { EncryptedContentWriter } from './content-cipher.ts';
import type { Dispatcher } from './dispatch.ts';
import { isoTime, type ExchangeDeps } from './exchange-api.ts';
import { exchangeError } from './exchange-errors.ts';
import { contentExpiresAt, needsContentCheck, packetStateAfter, spaceOpen, uploadRefusal, withAttempt } from './lifecycle.ts';
import type { Packet, StatusEvent } from './types.ts';
import type { Validation } from './validation.ts';
import { grantEnvironment } from './url-token.ts';

export class Uploads {
  private readonly hasSchema = (dataType: string) => this.deps.schemas.has(dataType);

  constructor(
    private readonly deps: ExchangeDeps,
    private readonly validation: Validation,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** Streams the content into the space (PUT of the upload URL): the URL and the space are checked, then `storeContent`. */
  async upload(
    packetId: string,
    token: string,
    options: { digestSha256: string | null; contentLength: number | null },
    body: AsyncIterable<Buffer>,
  ): Promise<Packet> {
    const { packets } = this.deps;
    const grant = this.deps.urls.verify(token, this.deps.now());
    if (grant === null || grant.action !== 'upload' || grant.packetId !== packetId || grantEnvironment(grant) !== this.deps.environment) {
      const existing = await packets.get(packetId);
      if (existing !== null && grant === null && !spaceOpen(existing, this.deps.now()) && existing.state === 'REQUESTED') {
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_EXPIRED', `exchange space ${packetId} expired at ${existing.spaceExpiresAt}`);
      }
      throw exchangeError(ErrorCode.UNAUTHENTICATED, 'TOKEN_INVALID', 'the upload URL is invalid or has expired');
    }
    // Why this space cannot take an upload now, or null. Checked inside the change that registers the attempt, so
    // that the check and the registration are one step (and one write, no read before it).
    const now = this.deps.now();
    const refusal = (p: Packet): LgspError | null => {
      switch (uploadRefusal(p, now, options)) {
        case null:
          return null;
        case 'SPACE_EXPIRED':
          return exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_EXPIRED', `exchange space ${packetId} expired at ${p.spaceExpiresAt}`);
        case 'SPACE_CLOSED':
          return exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_CLOSED', `exchange space ${packetId} already holds its content (packet ${p.state})`);
        case 'DIGEST_MISMATCH':
          return exchangeError(ErrorCode.BAD_USER_INPUT, 'DIGEST_MISMATCH', 'the digest field does not match the sha256 declared with the exchange request');
        case 'PAYLOAD_TOO_LARGE':
          return exchangeError(
            ErrorCode.LIMIT_EXCEEDED,
            'PAYLOAD_TOO_LARGE',
            `Content-Length ${options.contentLength} exceeds the space's ${p.declaredBytes} bytes`,
            { limit: p.declaredBytes },
          );
      }
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
    if (!registered.changed)
      throw this.refusedUpload(refusal(registered.packet) ?? exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_CLOSED', `exchange space ${packetId} is closed`));
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
  async storeContent(packet: Packet, attempt: string, body: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<Packet> {
    const { packets, settings, content } = this.deps;
    const packetId = packet.id;
    const writer = new EncryptedContentWriter(content, this.deps.masterKey, packetId, attempt, settings.chunkBytes, contentExpiresAt(packet));
    const hash = createHash('sha256');
    let received = 0;
    let committed = false;
    try {
      for await (const piece of body) {
        const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
        received += chunk.length;
        if (received > packet.declaredBytes) {
          this.deps.metrics.uploadsRefused.inc({ reason: 'too_large' });
          throw exchangeError(ErrorCode.LIMIT_EXCEEDED, 'PAYLOAD_TOO_LARGE', `the content passed the space's ${packet.declaredBytes} bytes`, {
            limit: packet.declaredBytes,
          });
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
      const at = isoTime(this.deps.now());
      const uploaded: StatusEvent = { status: 'UPLOADED', at, recipient: null, detail: `${received} bytes` };
      const closed = () => exchangeError(ErrorCode.BAD_USER_INPUT, 'SPACE_CLOSED', `exchange space ${packetId} closed during the upload`);
      if (!needsContentCheck(packet, this.hasSchema)) {
        // Content that needs no check (a FILE, a DOSSIER without a schema) is valid as it arrived: uploaded,
        // validated, queued and offered in one change, its queue entries added while its last chunk is stored.
        const queued = await this.dispatcher.enqueue(packet, {
          attempt,
          history: [uploaded, { status: 'VALIDATED', at, recipient: null, detail: packet.dataType }],
          stored: writer.finish(),
        });
        if (!queued.changed) throw closed();
        committed = true;
        this.countUpload(received);
        return queued.packet;
      }
      await writer.finish();
      const result = await packets.update(
        packetId,
        (p) =>
          packetStateAfter('upload', p.state) !== null && spaceOpen(p, this.deps.now())
            ? { ...p, state: 'UPLOADED', contentAttempt: attempt, contentKeyId: this.deps.masterKey.id, uploadAttempts: withAttempt(p.uploadAttempts, attempt) }
            : null,
        { history: () => [uploaded] },
      );
      if (result === null || !result.changed) throw closed();
      committed = true;
      this.countUpload(received);
      return await this.validation.process(result.packet);
    } finally {
      if (!committed) await content.delete(packetId, attempt);
    }
  }

  private countUpload(bytes: number): void {
    this.deps.metrics.packets.inc({ event: 'uploaded' });
    this.deps.metrics.bytes.inc({ direction: 'in' }, bytes);
  }
}
