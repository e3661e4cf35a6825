/**
 * The packet's lifecycle as pure rules (no store, no clock of its own): which state or delivery status may follow
 * which, when a space or a deadline has passed, when a destination has been away too long or a claim offered too
 * often, when the sweep looks at a packet next, and what an acknowledgement, a claim or a download of a delivery in
 * a given status comes to. The exchange steps ask these rules inside their compare-and-set changes, so the rules
 * are the one place each decision is made, and `lifecycle.test.ts` walks them as tables.
 */
import type { ExchangeFailure } from './exchange-errors.ts';
import { TERMINAL_DELIVERY, type DataType, type Delivery, type DeliveryStatus, type Packet, type PacketState } from './types.ts';

// ───────────────────────────── which state may follow which ─────────────────────────────

/**
 * The packet-level steps: the state each starts from and the state it leaves. A packet rejected, or whose space
 * expires, takes all its deliveries with it (they are all PENDING then: nothing was queued yet).
 */
export const PACKET_STEPS = {
  /** Content that must be checked (edXML, JSON, a schema) is committed. */
  upload: { from: 'REQUESTED', to: 'UPLOADED' },
  /** Content that needs no check is committed, validated and queued in one change. */
  uploadAndQueue: { from: 'REQUESTED', to: 'QUEUED' },
  /** The space expired before any content was committed. */
  expireSpace: { from: 'REQUESTED', to: 'EXPIRED' },
  validate: { from: 'UPLOADED', to: 'VALIDATED' },
  reject: { from: 'UPLOADED', to: 'REJECTED' },
  queue: { from: 'VALIDATED', to: 'QUEUED' },
  /** Every delivery has ended (delivered, expired, undeliverable). */
  finish: { from: 'QUEUED', to: 'DONE' },
} as const satisfies Record<string, { from: PacketState; to: PacketState }>;
export type PacketStep = keyof typeof PACKET_STEPS;

/** The state a packet in `from` takes with `step`, or null when that step does not apply to it. */
export function packetStateAfter(step: PacketStep, from: PacketState): PacketState | null {
  const rule = PACKET_STEPS[step];
  return rule.from === from ? rule.to : null;
}

const NOT_ENDED: readonly DeliveryStatus[] = ['PENDING', 'QUEUED', 'NOTIFIED', 'CLAIMED'];

/** The steps of one recipient's delivery: the statuses each may start from, and the status it leaves. */
export const DELIVERY_STEPS = {
  /** The packet is queued for the recipient and offered in the same change. */
  queue: { from: ['PENDING'], to: 'NOTIFIED' },
  /** First offer of an entry queued without its offer (another replica's entry read from the queue). */
  offer: { from: ['QUEUED'], to: 'NOTIFIED' },
  /** The sweep offers again an entry left unclaimed, or claimed and not acknowledged in time. */
  reoffer: { from: ['QUEUED', 'NOTIFIED', 'CLAIMED'], to: 'NOTIFIED' },
  /** `claimPacket` by id: claiming a CLAIMED packet again voids the earlier URL. */
  claim: { from: ['QUEUED', 'NOTIFIED', 'CLAIMED'], to: 'CLAIMED' },
  /** `claimPackets` takes only what nobody holds a claim on. */
  claimNext: { from: ['QUEUED', 'NOTIFIED'], to: 'CLAIMED' },
  /** Acknowledged, or downloaded (or read with the claim) when no acknowledgement is required. */
  deliver: { from: ['NOTIFIED', 'CLAIMED'], to: 'DELIVERED' },
  /** The packet's deadline passed. */
  expire: { from: NOT_ENDED, to: 'EXPIRED' },
  /** Offline too long, or claimed `maxAttempts` times without acknowledgement. */
  giveUp: { from: NOT_ENDED, to: 'UNDELIVERABLE' },
} as const satisfies Record<string, { from: readonly DeliveryStatus[]; to: DeliveryStatus }>;
export type DeliveryStep = keyof typeof DELIVERY_STEPS;

const DELIVERY_STEP_SOURCES = {} as Record<DeliveryStep, ReadonlySet<DeliveryStatus>>;
for (const step of Object.keys(DELIVERY_STEPS) as DeliveryStep[]) DELIVERY_STEP_SOURCES[step] = new Set<DeliveryStatus>(DELIVERY_STEPS[step].from);

/** The status a delivery in `from` takes with `step`, or null when that step does not apply to it. */
export function deliveryStatusAfter(step: DeliveryStep, from: DeliveryStatus): DeliveryStatus | null {
  return DELIVERY_STEP_SOURCES[step].has(from) ? DELIVERY_STEPS[step].to : null;
}

/** Whether every delivery has ended: the packet is then finished (DONE) and its content goes. */
export function allDeliveriesEnded(packet: Packet): boolean {
  return packet.deliveries.every((d) => TERMINAL_DELIVERY.has(d.status));
}

// ───────────────────────────── what a step comes to ─────────────────────────────

/** Why a claim by id of a delivery in `status` is refused (a status `claim` does not apply to). */
export function claimRefusal(status: DeliveryStatus): Extract<ExchangeFailure, 'NOT_READY' | 'ALREADY_DELIVERED' | 'DELIVERY_CLOSED'> {
  if (status === 'PENDING') return 'NOT_READY';
  if (status === 'DELIVERED') return 'ALREADY_DELIVERED';
  return 'DELIVERY_CLOSED';
}

/**
 * What an acknowledgement of a delivery comes to. Acknowledging is idempotent: a delivery already DELIVERED is
 * answered as such (with the right digest) and changes nothing. A wrong digest is refused whatever the status, and
 * a delivery never claimed cannot be acknowledged.
 */
export function acknowledgementOf(
  delivery: Pick<Delivery, 'status' | 'attempts'>,
  digestMatches: boolean,
): 'DELIVER' | 'ALREADY_ACKNOWLEDGED' | Extract<ExchangeFailure, 'DIGEST_MISMATCH' | 'NOT_CLAIMED' | 'DELIVERY_CLOSED'> {
  if (digestMatches && delivery.attempts > 0 && deliveryStatusAfter('deliver', delivery.status) !== null) return 'DELIVER';
  if (!digestMatches) return 'DIGEST_MISMATCH';
  if (delivery.status === 'DELIVERED') return 'ALREADY_ACKNOWLEDGED';
  return delivery.attempts === 0 ? 'NOT_CLAIMED' : 'DELIVERY_CLOSED';
}

/** Why a download URL of claim number `claim` may not read the content now, or null when it may. */
export function downloadRefusal(
  delivery: Pick<Delivery, 'status' | 'attempts'>,
  claim: number,
): Extract<ExchangeFailure, 'ALREADY_DELIVERED' | 'NOT_CLAIMED'> | null {
  if (delivery.status === 'DELIVERED') return 'ALREADY_DELIVERED';
  if (delivery.status !== 'CLAIMED' || delivery.attempts !== claim) return 'NOT_CLAIMED';
  return null;
}

/**
 * Why a space cannot take an upload now, or null. A space takes content until it expires and only while the packet
 * is REQUESTED; what was announced with the upload (a digest field, a Content-Length) must fit what was declared.
 */
export function uploadRefusal(
  packet: Pick<Packet, 'state' | 'spaceExpiresAt' | 'sha256' | 'declaredBytes'>,
  now: number,
  announced: { digestSha256: string | null; contentLength: number | null },
): Extract<ExchangeFailure, 'SPACE_EXPIRED' | 'SPACE_CLOSED' | 'DIGEST_MISMATCH' | 'PAYLOAD_TOO_LARGE'> | null {
  if (packet.state === 'EXPIRED' || !spaceOpen(packet, now)) return 'SPACE_EXPIRED';
  if (packetStateAfter('upload', packet.state) === null) return 'SPACE_CLOSED';
  if (announced.digestSha256 !== null && announced.digestSha256 !== packet.sha256) return 'DIGEST_MISMATCH';
  if (announced.contentLength !== null && announced.contentLength > packet.declaredBytes) return 'PAYLOAD_TOO_LARGE';
  return null;
}

/** Whether the content must be read back and checked before delivery (edXML, JSON, a registered schema). */
export function needsContentCheck(packet: Pick<Packet, 'dataType' | 'schemaId'>, schemaForDataType: (dataType: DataType) => boolean): boolean {
  if (packet.dataType === 'EDXML_DOCUMENT' || packet.dataType === 'EDXML_STATUS' || packet.dataType === 'JSON') return true;
  return packet.schemaId !== null || schemaForDataType(packet.dataType);
}

// ───────────────────────────── time ─────────────────────────────

/** Whether the exchange space still takes content at `now`. */
export function spaceOpen(packet: Pick<Packet, 'spaceExpiresAt'>, now: number): boolean {
  return Date.parse(packet.spaceExpiresAt) > now;
}

/** Whether the packet's deadline has passed: every delivery still open then EXPIRES. */
export function pastDeadline(packet: Pick<Packet, 'policy'>, now: number): boolean {
  return now >= Date.parse(packet.policy.deadline);
}

/** Stored content expires a minute after the packet's deadline, even if every relay process stops. */
export function contentExpiresAt(packet: Pick<Packet, 'policy'>): number {
  return Date.parse(packet.policy.deadline) + 60_000;
}

/** A claim's download URL lasts `claimTtlMs`, never past the packet's deadline. */
export function claimExpiresAt(packet: Pick<Packet, 'policy'>, now: number, claimTtlMs: number): number {
  return Math.min(now + claimTtlMs, Date.parse(packet.policy.deadline));
}

/** A claim was offered `maxAttempts` times without acknowledgement: the delivery is given up (UNDELIVERABLE). */
export function claimsExhausted(delivery: Pick<Delivery, 'status' | 'attempts'>, packet: Pick<Packet, 'policy'>): boolean {
  return delivery.status === 'CLAIMED' && delivery.attempts >= packet.policy.maxAttempts;
}

/**
 * Since when a destination counts as away for a delivery: its last activity, but never before the delivery was
 * queued (a packet waits its full `maxOfflineMs` for a destination that was away before it arrived).
 */
function awaySince(packet: Pick<Packet, 'createdAt'>, delivery: Pick<Delivery, 'queuedAt'>, lastSeen: number | null): number {
  return Math.max(lastSeen ?? 0, Date.parse(delivery.queuedAt ?? packet.createdAt));
}

/** Whether a destination has been away longer than the policy allows: the delivery is then UNDELIVERABLE. */
export function offlineTooLong(
  packet: Pick<Packet, 'createdAt' | 'policy'>,
  delivery: Pick<Delivery, 'queuedAt'>,
  lastSeen: number | null,
  now: number,
): boolean {
  return now - awaySince(packet, delivery, lastSeen) > packet.policy.maxOfflineMs;
}

/**
 * How soon after its request the sweep first looks at a packet. Most packets are delivered before and never looked
 * at; one a stopped process left half-way (uploaded, not yet validated or queued) is resumed then.
 */
export const FIRST_SWEEP_AFTER_MS = 30_000;

/** The sweep's first look at a new packet: soon, and never later than its space's expiry or its first offline check. */
export function firstSweepAt(now: number, spaceExpiresMs: number, maxOfflineMs: number): number {
  return Math.min(now + FIRST_SWEEP_AFTER_MS, spaceExpiresMs, now + maxOfflineMs);
}

/**
 * When the sweep must look at a queued packet again: its deadline, or the first moment one of its destinations
 * could have been offline longer than the policy allows (a claimed one not before its claim could be redelivered),
 * whichever comes first; a second from now at the earliest.
 */
export function nextSweepAt(packet: Packet, now: number, ackTimeoutMs: number, lastSeenOf: (agency: string) => number | null): number {
  let due = Date.parse(packet.policy.deadline);
  for (const delivery of packet.deliveries) {
    if (TERMINAL_DELIVERY.has(delivery.status)) continue;
    const offlineTooLongAt = awaySince(packet, delivery, lastSeenOf(delivery.agencyCode)) + packet.policy.maxOfflineMs + 1;
    const redeliverableAt = delivery.status === 'CLAIMED' ? Date.parse(delivery.claimedAt ?? packet.createdAt) + ackTimeoutMs : 0;
    due = Math.min(due, Math.max(offlineTooLongAt, redeliverableAt));
  }
  return Math.max(due, now + 1_000);
}

// ───────────────────────────── record edits ─────────────────────────────

/** The upload attempts of a record with `attempt` among them (registered before its content, or by its commit). */
export function withAttempt(attempts: string[], attempt: string): string[] {
  return attempts.includes(attempt) ? attempts : [...attempts, attempt];
}

/** The record with the delivery to `agency` changed; null when it has none or `change` leaves it (null). */
export function withDelivery(packet: Packet, agency: string, change: (d: Delivery) => Delivery | null): Packet | null {
  const index = packet.deliveries.findIndex((d) => d.agencyCode === agency);
  if (index < 0) return null;
  const next = change(packet.deliveries[index]!);
  if (next === null) return null;
  const deliveries = [...packet.deliveries];
  deliveries[index] = next;
  return { ...packet, deliveries };
}
