/**
 * The sweep (R4: expiry, redelivery, undeliverable destinations), run on a timer by every replica at once: it reads
 * only the unfinished packets that are due (`relay:active`, scored by `nextSweepAt`), expires spaces never filled
 * and deliveries past their deadline, resumes packets a stopped process left half-way, turns destinations offline
 * too long UNDELIVERABLE, finishes what a crash left unfinished, then has the `Dispatcher` offer every queue's new
 * entries and redeliver claims left unacknowledged. A backlog for an agency that is away costs nothing until due.
 */
import type { Dispatcher } from './dispatch.ts';
import { isoTime, type ExchangeDeps } from './exchange-api.ts';
import { nextSweepAt, offlineTooLong, packetStateAfter, pastDeadline, spaceOpen } from './lifecycle.ts';
import type { Outcomes } from './outcomes.ts';
import { TERMINAL_DELIVERY, type Packet } from './types.ts';
import type { Validation } from './validation.ts';

/** Packets a sweep takes at most in one pass (the rest are due still and come in the next). */
const SWEEP_BATCH = 10_000;

export interface SweepCounts {
  expired: number;
  undeliverable: number;
  resumed: number;
}

/** When a destination was last seen, read once per destination per pass. */
type LastSeenOf = (agency: string) => Promise<number | null>;

export class Sweeper {
  constructor(
    private readonly deps: ExchangeDeps,
    private readonly validation: Validation,
    private readonly dispatcher: Dispatcher,
    private readonly outcomes: Outcomes,
  ) {}

  /**
   * One pass over the unfinished packets that are due: expire spaces never filled and deliveries past their deadline,
   * resume packets a stopped process left half-way, turn destinations offline too long UNDELIVERABLE, and set when
   * each one left is due next; then offer every queue's new entries and redeliver claims left unacknowledged. A
   * backlog of packets waiting for an offline agency costs nothing until one of them is due. Safe to run on every
   * replica at once.
   */
  async sweep(): Promise<SweepCounts> {
    const counts = { expired: 0, undeliverable: 0, resumed: 0 };
    const now = this.deps.now();
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
    for (const destination of await this.deps.queue.destinations()) await this.dispatcher.dispatch(destination, true);
    return counts;
  }

  private async sweepPacket(packet: Packet, now: number, counts: SweepCounts, lastSeenOf: LastSeenOf): Promise<void> {
    if (packetStateAfter('expireSpace', packet.state) !== null) {
      if (spaceOpen(packet, now)) {
        await this.deps.packets.setActive(packet.id, Date.parse(packet.spaceExpiresAt));
        return;
      }
      const at = isoTime(now);
      const updated = await this.deps.packets.update(
        packet.id,
        (p) =>
          packetStateAfter('expireSpace', p.state) !== null
            ? { ...p, state: 'EXPIRED', deliveries: p.deliveries.map((d) => ({ ...d, status: 'EXPIRED' as const, updatedAt: at })) }
            : null,
        { history: () => [{ status: 'EXPIRED', at, recipient: null, detail: 'the exchange space expired before its content was uploaded' }] },
      );
      if (updated?.changed !== true) return;
      counts.expired += 1;
      await this.deps.events.publish('packet-status', packet.sourceAgency, { packetId: packet.id, status: 'EXPIRED' });
      await this.outcomes.finish(updated.packet);
      return;
    }
    if (packet.state === 'UPLOADED' || packet.state === 'VALIDATED') {
      counts.resumed += 1;
      const processed = await this.validation.process(packet.id);
      if (processed.state === 'QUEUED') await this.deps.packets.setActive(packet.id, await this.nextDue(processed, now, lastSeenOf));
      return;
    }
    if (packet.state !== 'QUEUED') {
      // REJECTED/EXPIRED/DONE still listed: a process stopped between the state change and the clean-up.
      await this.outcomes.finish(packet);
      return;
    }
    for (const delivery of packet.deliveries) {
      if (TERMINAL_DELIVERY.has(delivery.status)) continue;
      if (pastDeadline(packet, now)) {
        counts.expired += 1;
        await this.outcomes.failDelivery(packet.id, delivery.agencyCode, 'EXPIRED', `not delivered by the deadline ${packet.policy.deadline}`);
        continue;
      }
      if (delivery.status === 'CLAIMED') continue; // the destination is online: it just claimed
      const lastSeen = await lastSeenOf(delivery.agencyCode);
      if (offlineTooLong(packet, delivery, lastSeen, now)) {
        counts.undeliverable += 1;
        const seen = lastSeen === null ? 'never seen online' : `last seen ${isoTime(lastSeen)}`;
        await this.outcomes.failDelivery(
          packet.id,
          delivery.agencyCode,
          'UNDELIVERABLE',
          `destination offline longer than ${Math.round(packet.policy.maxOfflineMs / 1000)} s (${seen})`,
        );
      }
    }
    const latest = await this.deps.packets.get(packet.id);
    if (latest === null) return;
    const current = await this.outcomes.finishIfDone(latest);
    if (current.state === 'QUEUED') await this.deps.packets.setActive(packet.id, await this.nextDue(current, now, lastSeenOf));
  }

  /** `nextSweepAt` once the last activity of each destination still waiting is read. */
  private async nextDue(packet: Packet, now: number, lastSeenOf: LastSeenOf): Promise<number> {
    const lastSeen = new Map<string, number | null>();
    for (const delivery of packet.deliveries)
      if (!TERMINAL_DELIVERY.has(delivery.status)) lastSeen.set(delivery.agencyCode, await lastSeenOf(delivery.agencyCode));
    return nextSweepAt(packet, now, this.deps.settings.ackTimeoutMs, (agency) => lastSeen.get(agency) ?? null);
  }
}
