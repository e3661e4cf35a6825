/**
 * How deliveries and packets end (R4 step 7; BG:5.2-5.3, nothing kept after the transfer): a delivery DELIVERED,
 * EXPIRED or UNDELIVERABLE with its queue entry acknowledged away and the parties told; a packet whose deliveries
 * have all ended DONE, its content deleted and its record kept for the retention period. Every step that can end a
 * delivery or a packet (delivery, dispatch, validation, sweeper) ends it here, so the clean-up is written once.
 */
import { isoTime, type ExchangeDeps } from './exchange-api.ts';
import { allDeliveriesEnded, deliveryStatusAfter, packetStateAfter, withDelivery } from './lifecycle.ts';
import type { Delivery, DeliveryStatus, Packet } from './types.ts';

export class Outcomes {
  constructor(private readonly deps: ExchangeDeps) {}

  /**
   * The delivery to `agency` is DELIVERED (when `allowed` says so): in the same change the packet is DONE if it was
   * the last one, then the queue entry goes, the source hears of it, and a finished packet's content is deleted.
   * Answers the record as it now is (the change applied or not), null when the packet is unknown.
   */
  async completeDelivery(
    packetId: string,
    agency: string,
    detail: string,
    allowed: (p: Packet, d: Delivery) => boolean = () => true,
  ): Promise<{ packet: Packet; changed: boolean } | null> {
    const at = isoTime(this.deps.now());
    let before: DeliveryStatus | null = null;
    const updated = await this.deps.packets.update(
      packetId,
      (p) => {
        const next = withDelivery(p, agency, (d) => {
          before = d.status;
          return deliveryStatusAfter('deliver', d.status) !== null && allowed(p, d) ? { ...d, status: 'DELIVERED', deliveredAt: at, updatedAt: at } : null;
        });
        if (next === null) return null;
        // The last delivery: the packet is DONE and its content goes, recorded in this same change (the deletion
        // follows; should this process stop before it, the sweep deletes it, and the content expires anyway).
        return packetStateAfter('finish', next.state) !== null && allDeliveriesEnded(next) ? { ...next, state: 'DONE', contentDeleted: true } : next;
      },
      {
        history: () => [{ status: 'DELIVERED', at, recipient: agency, detail }],
        retainMs: (next) => (next.state === 'DONE' ? this.deps.settings.retentionMs : null),
      },
    );
    if (updated === null || !updated.changed) return updated;
    const packet = updated.packet;
    const delivery = packet.deliveries.find((d) => d.agencyCode === agency)!;
    await Promise.all([
      delivery.queueEntryId === null ? undefined : this.deps.queue.ack(agency, { id: delivery.queueEntryId, priority: packet.priority }),
      before === 'NOTIFIED' ? this.deps.queue.notReady(agency, packetId) : undefined,
      this.deps.events.publish('packet-status', packet.sourceAgency, { packetId, recipient: agency, status: 'DELIVERED' }),
      ...(packet.state === 'DONE'
        ? [...packet.uploadAttempts.map((attempt) => this.deps.content.delete(packetId, attempt)), this.deps.packets.removeActive(packetId)]
        : []),
    ]);
    this.deps.metrics.deliveries.inc({ event: 'delivered' });
    return updated;
  }

  /** The delivery to `agency` is given up (EXPIRED past the deadline, UNDELIVERABLE), both sides told; the packet finishes if it was the last. */
  async failDelivery(packetId: string, agency: string, status: 'EXPIRED' | 'UNDELIVERABLE', reason: string): Promise<Packet | null> {
    const at = isoTime(this.deps.now());
    const step = status === 'EXPIRED' ? 'expire' : 'giveUp';
    const updated = await this.deps.packets.update(
      packetId,
      (p) => withDelivery(p, agency, (d) => (deliveryStatusAfter(step, d.status) === null ? null : { ...d, status, updatedAt: at })),
      {
        history: () => [{ status, at, recipient: agency, detail: reason }],
      },
    );
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
      this.deps.logger.error(
        { alert: 'RELAY_UNDELIVERABLE', packetId, source: updated.packet.sourceAgency, recipient: agency, reason },
        'packet undeliverable',
      );
    }
    const { sourceAgency } = updated.packet;
    await Promise.all([
      // The recipient learns that a packet addressed to it was given up: a system that was offline finds it among the
      // events it replays with `after` (it never claimed the packet, so nothing else would tell it).
      this.deps.events.publish('packet-status', agency, { packetId, recipient: agency, sourceAgency, status }),
      updated.packet.policy.notifySourceOnFailure
        ? this.deps.events.publish('packet-status', sourceAgency, { packetId, recipient: agency, status })
        : undefined,
    ]);
    return this.finishIfDone(updated.packet);
  }

  /** A queued packet whose deliveries have all ended is DONE, and finished. */
  async finishIfDone(packet: Packet): Promise<Packet> {
    if (packetStateAfter('finish', packet.state) === null || !allDeliveriesEnded(packet)) return packet;
    const updated = await this.deps.packets.update(packet.id, (p) => (packetStateAfter('finish', p.state) !== null ? { ...p, state: 'DONE' } : null));
    return updated?.changed === true ? this.finish(updated.packet) : packet;
  }

  /** The content goes (BG:5.2-5.3: nothing kept after the transfer); the record stays for the status history. */
  async finish(packet: Packet): Promise<Packet> {
    const retentionMs = this.deps.settings.retentionMs;
    await Promise.all(packet.uploadAttempts.map((attempt) => this.deps.content.delete(packet.id, attempt)));
    const updated = await this.deps.packets.update(packet.id, (p) => (p.contentDeleted ? null : { ...p, contentDeleted: true }), { retainMs: retentionMs });
    await Promise.all([this.deps.packets.removeActive(packet.id), updated?.changed === true ? undefined : this.deps.packets.retain(packet.id, retentionMs)]);
    return updated?.packet ?? packet;
  }
}
