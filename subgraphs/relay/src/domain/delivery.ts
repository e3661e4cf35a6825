/**
 * Steps 6-7 of the exchange (R4), on the recipient's side: a claim (by id, or the next ones from the agency's ready
 * list) gives a signed download URL valid for that claim only; the download streams the decrypted content with its
 * digest (a small packet's content can be read with the claim instead); the acknowledgement with the content's
 * SHA-256 makes the delivery DELIVERED (`Outcomes.completeDelivery`), idempotently. A packet that needs no
 * acknowledgement is delivered by its complete download.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { requireAgency } from './access.ts';
import { assertBatchSize, settleEach } from './batch.ts';
import { masterKeyById, MasterKeyUnavailableError, openDecryptedContent, readWholeDecryptedContent } from './content-cipher.ts';
import { grantNamespace, isoTime, type Acknowledgement, type Caller, type Download, type ExchangeDeps, type PacketClaim } from './exchange-api.ts';
import { contentGone, contentReadFailure, exchangeError, keyUnavailable } from './exchange-errors.ts';
import { acknowledgementOf, claimExpiresAt, claimRefusal, deliveryStatusAfter, downloadRefusal, withDelivery } from './lifecycle.ts';
import type { Outcomes } from './outcomes.ts';
import type { PresenceTracker } from './presence.ts';
import { TERMINAL_DELIVERY, type DeliveryStatus, type Packet } from './types.ts';
import { grantEnvironment } from './url-token.ts';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export class Deliveries {
  constructor(
    private readonly deps: ExchangeDeps,
    private readonly outcomes: Outcomes,
    private readonly presence: PresenceTracker,
  ) {}

  // ───────────────────────────── step 6: claim ─────────────────────────────

  /** Claims one packet by id; claiming again gives a new URL and voids the old one. */
  async claim(caller: Caller, packetId: string): Promise<PacketClaim> {
    const claim = await this.claimOne(caller, requireAgency(caller), packetId, 'claim');
    if (!('refused' in claim)) return claim;
    const { packet, status } = claim.refused;
    if (packet === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packetId}`);
    if (status === null) throw new LgspError(ErrorCode.FORBIDDEN, `packet ${packetId} is not addressed to ${caller.agencyCode}`);
    switch (claimRefusal(status)) {
      case 'NOT_READY':
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'NOT_READY', `packet ${packetId} is not validated yet`);
      case 'ALREADY_DELIVERED':
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'ALREADY_DELIVERED', `packet ${packetId} was already delivered`);
      case 'DELIVERY_CLOSED':
        throw exchangeError(
          ErrorCode.BAD_USER_INPUT,
          'DELIVERY_CLOSED',
          TERMINAL_DELIVERY.has(status) ? `packet ${packetId} is ${status}` : `packet ${packetId} cannot be claimed now`,
        );
    }
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
      const outcomes = await Promise.allSettled(ids.map((id) => this.claimOne(caller, agency, id, 'claimNext')));
      const failed: Array<{ id: string; error: unknown }> = [];
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'rejected') failed.push({ id: ids[i]!, error: outcome.reason });
        else if (!('refused' in outcome.value)) claims.push(outcome.value);
      });
      if (failed.length > 0) {
        // Taken from the ready list but not claimed (a store error): put back, so that the next claimPackets takes
        // them rather than a redelivery after RELAY_ACK_TIMEOUT_MS; the claims made are answered.
        await Promise.allSettled(failed.map((f) => this.restoreReady(agency, f.id)));
        this.deps.logger.warn(
          { agency, packetIds: failed.map((f) => f.id), err: failed[0]!.error },
          'claimPackets: packets left unclaimed after an error, put back',
        );
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
    if (packet === null || packet === undefined || delivery === undefined || deliveryStatusAfter('claimNext', delivery.status) === null) return;
    await this.deps.queue.ready(agency, packet.priority, packetId, packet.sequence);
  }

  private async claimOne(
    caller: Caller,
    agency: string,
    packetId: string,
    step: 'claim' | 'claimNext',
  ): Promise<PacketClaim | { refused: { packet: Packet | null; status: DeliveryStatus | null } }> {
    const now = this.deps.now();
    const at = isoTime(now);
    const updated = await this.deps.packets.update(
      packetId,
      (p) =>
        withDelivery(p, agency, (d) => {
          const next = deliveryStatusAfter(step, d.status);
          if (next === null) return null;
          // Content this relay cannot decrypt is not handed out: the claim is refused before it counts as an attempt.
          if (p.contentKeyId !== undefined && masterKeyById(this.deps.masterKey, p.contentKeyId) === undefined) {
            throw keyUnavailable(new MasterKeyUnavailableError(p.id, p.contentKeyId), this.deps);
          }
          return { ...d, status: next, attempts: d.attempts + 1, claimedAt: at, claimedBy: caller.systemId, updatedAt: at };
        }),
      { history: (next) => [{ status: 'CLAIMED', at, recipient: agency, detail: `claim ${next.deliveries.find((d) => d.agencyCode === agency)!.attempts}` }] },
    );
    const claimed = updated?.packet.deliveries.find((d) => d.agencyCode === agency);
    if (updated?.changed !== true || claimed === undefined) return { refused: { packet: updated?.packet ?? null, status: claimed?.status ?? null } };
    const packet = updated.packet;
    await Promise.all([
      claimed.queueEntryId === null
        ? undefined
        : this.deps.queue.touch(agency, { id: claimed.queueEntryId, priority: packet.priority }, this.deps.consumerName),
      // Taken from the ready list (claimPackets), it has left it already; claimed by id, it leaves it now.
      step === 'claimNext' ? undefined : this.deps.queue.notReady(agency, packetId),
      this.deps.events.publish('packet-status', packet.sourceAgency, { packetId, recipient: agency, status: 'CLAIMED' }),
    ]);
    const expiresAtMs = claimExpiresAt(packet, now, this.deps.settings.claimTtlMs);
    const token = this.deps.urls.sign({
      action: 'download',
      packetId,
      recipient: agency,
      system: caller.systemId,
      claim: claimed.attempts,
      ...(packet.contentAttempt !== null && { attempt: packet.contentAttempt }),
      expiresAtMs,
      ...grantNamespace(this.deps.environment),
    });
    return {
      packetId,
      downloadUrl: `${this.deps.settings.publicBaseUrl()}/exchange/packets/${packetId}/content?token=${token}`,
      expiresAt: isoTime(expiresAtMs),
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
      content = await readWholeDecryptedContent(this.deps.content, this.deps.masterKey, packet.id, packet.contentAttempt);
    } catch (error) {
      throw contentReadFailure(error, packet.id, this.deps);
    }
    this.deps.metrics.bytes.inc({ direction: 'out' }, content.length);
    if (!packet.policy.acknowledgementRequired) await this.outcomes.completeDelivery(packet.id, agency, 'read with the claim (no acknowledgement required)');
    return content;
  }

  // ───────────────────────────── step 7: download, acknowledge ─────────────────────────────

  async download(packetId: string, token: string): Promise<Download> {
    const grant = this.deps.urls.verify(token, this.deps.now());
    if (grant === null || grant.action !== 'download' || grant.packetId !== packetId || grantEnvironment(grant) !== this.deps.environment) {
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
    switch (downloadRefusal(delivery, grant.claim)) {
      case 'ALREADY_DELIVERED':
        throw exchangeError(ErrorCode.NOT_FOUND, 'ALREADY_DELIVERED', `packet ${packetId} was delivered and its content deleted`);
      case 'NOT_CLAIMED':
        throw exchangeError(ErrorCode.FORBIDDEN, 'NOT_CLAIMED', 'this download URL belongs to an earlier claim; claim the packet again');
    }
    if (packet.contentAttempt === null || packet.contentDeleted) throw contentGone(packetId);
    await this.presence.touch(grant.recipient, grant.system ?? 'download');
    let body: AsyncGenerator<Buffer>;
    try {
      body = await openDecryptedContent(
        this.deps.content,
        this.deps.masterKey,
        packetId,
        packet.contentAttempt,
        grant.attempt === packet.contentAttempt ? start : undefined,
      );
    } catch (error) {
      throw contentReadFailure(error, packetId, this.deps);
    }
    const { recipient } = grant;
    return {
      packet,
      bytes: packet.declaredBytes,
      sha256: packet.sha256,
      body,
      completed: async () => {
        this.deps.metrics.bytes.inc({ direction: 'out' }, packet.declaredBytes);
        if (!packet.policy.acknowledgementRequired) await this.outcomes.completeDelivery(packetId, recipient, 'downloaded (no acknowledgement required)');
      },
    };
  }

  /**
   * Step 7 for one packet. The change is tried first and the reasons it may not apply are read from the record it
   * answers, so an acknowledgement costs one write, not a read and a write.
   */
  async acknowledge(caller: Caller, packetId: string, sha256: string): Promise<Acknowledgement> {
    const agency = requireAgency(caller);
    const digest = SHA256_HEX.test(sha256) ? sha256.toLowerCase() : null;
    const updated = await this.outcomes.completeDelivery(
      packetId,
      agency,
      `acknowledged by ${caller.systemId ?? agency}`,
      (p, d) => acknowledgementOf(d, digest === p.sha256) === 'DELIVER',
    );
    if (updated === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packetId}`);
    const { packet, changed } = updated;
    const delivery = packet.deliveries.find((d) => d.agencyCode === agency);
    if (delivery === undefined) throw new LgspError(ErrorCode.FORBIDDEN, `packet ${packetId} is not addressed to ${agency}`);
    if (changed) return { packet, recipient: agency, status: delivery.status, alreadyAcknowledged: false };
    switch (acknowledgementOf(delivery, digest === packet.sha256)) {
      case 'DIGEST_MISMATCH':
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DIGEST_MISMATCH', "the acknowledged sha256 is not the packet's: download it again");
      case 'ALREADY_ACKNOWLEDGED':
        return { packet, recipient: agency, status: 'DELIVERED', alreadyAcknowledged: true };
      case 'NOT_CLAIMED':
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'NOT_CLAIMED', `packet ${packetId} cannot be acknowledged: delivery is ${delivery.status}`);
      default:
        throw exchangeError(ErrorCode.BAD_USER_INPUT, 'DELIVERY_CLOSED', `packet ${packetId} cannot be acknowledged: delivery is ${delivery.status}`);
    }
  }

  /** Acknowledges several packets; each answer is the acknowledgement or the error that one alone would have given. */
  async acknowledgeMany(caller: Caller, acknowledgements: Array<{ id: string; sha256: string }>): Promise<Array<Acknowledgement | LgspError>> {
    requireAgency(caller);
    assertBatchSize(acknowledgements.length, 'acknowledgements');
    return settleEach(
      acknowledgements.map((a) => this.acknowledge(caller, a.id, a.sha256)),
      this.deps.logger,
    );
  }
}
