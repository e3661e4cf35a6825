/**
 * Steps 4-5 of the exchange (R4), queuing and notifying: a checked packet gets one entry per recipient in that
 * recipient's delivery queue (HIGH first), is recorded QUEUED with its deliveries NOTIFIED in one change, and each
 * recipient is offered it (its ready list for `claimPackets`, the `packet-available` event). The dispatcher is this
 * process's consumer in the queues' consumer group: it reads a destination's new entries (offering those another
 * replica left) and, from the sweeper, entries left unacknowledged, which are offered again or given up after
 * `maxAttempts` claims.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { QueueEntry } from '../store/delivery-queue.ts';
import { isoTime, type ExchangeDeps } from './exchange-api.ts';
import { claimsExhausted, deliveryStatusAfter, packetStateAfter, spaceOpen, withAttempt, withDelivery } from './lifecycle.ts';
import type { Outcomes } from './outcomes.ts';
import { TERMINAL_DELIVERY, type Delivery, type Packet, type StatusEvent } from './types.ts';

/** An upload queued in the change that commits it (content that needs no check). */
export interface QueuedUpload {
  attempt: string;
  history: StatusEvent[];
  /** The content's last write, still going: the entries are added meanwhile, the change waits for it. */
  stored?: Promise<unknown>;
}

export class Dispatcher {
  /** Per destination: the read of new entries in flight, and the next one that uploads arriving now join. */
  private readonly runningReads = new Map<string, Promise<void>>();
  private readonly nextReads = new Map<string, Promise<void>>();
  /**
   * Queue entries this process added and is recording: their own `enqueue` offers them (or acks them when not
   * needed), so a read of the destination's new entries passes over them instead of trying to offer them too.
   */
  private readonly enqueuing = new Set<string>();

  constructor(
    private readonly deps: ExchangeDeps,
    private readonly outcomes: Outcomes,
  ) {}

  /**
   * Queues the packet for every recipient still PENDING and offers it to them, in one change: one queue entry per
   * recipient first, then the record (deliveries NOTIFIED with their entry ids, the packet QUEUED, the history), then
   * inboxes, ready lists and events. From VALIDATED; or, with `upload`, straight from REQUESTED for content that needs
   * no check (the change then also commits the upload and records its history). An entry whose delivery another
   * replica queued first is acknowledged away; a crash between the entries and the change leaves entries that the
   * sweep finds stale and drops, and a VALIDATED packet that it queues again.
   */
  async enqueue(packet: Packet, upload?: QueuedUpload): Promise<{ packet: Packet; changed: boolean }> {
    const pending = packet.deliveries.filter((d) => deliveryStatusAfter('queue', d.status) !== null);
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
    const now = this.deps.now();
    const at = isoTime(now);
    const ours = (p: Packet) => p.deliveries.filter((d) => d.queuedAt === at && d.queueEntryId !== null && entryFor.get(d.agencyCode)?.id === d.queueEntryId);
    const updated = await this.deps.packets.update(
      packet.id,
      (p) => {
        const from =
          upload === undefined ? packetStateAfter('queue', p.state) !== null : packetStateAfter('uploadAndQueue', p.state) !== null && spaceOpen(p, now);
        if (!from) return null;
        const deliveries = p.deliveries.map((d) => {
          const entry = entryFor.get(d.agencyCode);
          const next = deliveryStatusAfter('queue', d.status);
          return next !== null && entry !== undefined ? { ...d, status: next, queueEntryId: entry.id, queuedAt: at, updatedAt: at } : d;
        });
        return {
          ...p,
          ...(upload !== undefined && {
            contentAttempt: upload.attempt,
            contentKeyId: this.deps.masterKey.id,
            uploadAttempts: withAttempt(p.uploadAttempts, upload.attempt),
          }),
          state: 'QUEUED',
          deliveries,
        };
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

  /**
   * Reads the destination's new entries once an upload offered its own. Uploads to one destination at the same
   * moment share one read: at most one is in flight per destination in this process, and those arriving meanwhile
   * join the next. Their own entries are still in `enqueuing` during it, so the read passes over them.
   */
  private pullNew(destination: string): Promise<void> {
    const waiting = this.nextReads.get(destination);
    if (waiting !== undefined) return waiting;
    const previous = this.runningReads.get(destination) ?? Promise.resolve();
    const done: Promise<void> = previous
      .catch(() => undefined)
      .then(async () => {
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
    const at = isoTime(this.deps.now());
    const updated = await this.deps.packets.update(
      entry.packetId,
      (p) =>
        withDelivery(p, destination, (d) => {
          const next = d.queueEntryId === entry.id ? deliveryStatusAfter('offer', d.status) : null;
          return next === null ? null : { ...d, status: next, updatedAt: at };
        }),
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
    const step = redelivery ? 'reoffer' : 'offer';
    if (deliveryStatusAfter(step, delivery.status) === null) return;
    if (redelivery && claimsExhausted(delivery, packet)) {
      await this.outcomes.failDelivery(
        packet.id,
        destination,
        'UNDELIVERABLE',
        `claimed ${delivery.attempts} time(s) without acknowledgement (maxAttempts ${packet.policy.maxAttempts})`,
      );
      return;
    }
    const at = isoTime(this.deps.now());
    const detail = redelivery
      ? delivery.status === 'CLAIMED'
        ? `redelivered: claim ${delivery.attempts} not acknowledged in time`
        : 'notified again: not claimed yet'
      : null;
    const updated = await this.deps.packets.update(
      packet.id,
      (p) =>
        withDelivery(p, destination, (d) => {
          const next = deliveryStatusAfter(step, d.status);
          return next === null ? null : { ...d, status: next, updatedAt: at };
        }),
      { history: () => [{ status: 'NOTIFIED', at, recipient: destination, detail }] },
    );
    if (updated?.changed !== true) return;
    await this.announce(updated.packet, destination, redelivery);
  }
}
