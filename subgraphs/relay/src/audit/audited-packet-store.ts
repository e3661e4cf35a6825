/**
 * The relay's audit records (issue 17, R8; `kind: 'relay'`): one record per status event of the 7-step exchange, for
 * the packet as a whole and for each recipient's delivery, in both namespaces. Every step of the exchange records its
 * status event through the packet store (`create`, `update` with its `history` effect, `appendHistory`), so the store
 * is decorated here, once: an audit record is written for exactly the events that were committed, after the store
 * took them (a change that lost its compare-and-set, or changed nothing, records nothing). No step can be forgotten
 * by a new code path, and the audit stays off the request's critical path (the writer only queues).
 */
import type { AuditEntryInput, AuditOutcome, AuditWriter } from '@lgsp/audit';
import type { Environment } from '@lgsp/kit';
import type { PacketStore } from '../store/packet-store.ts';
import type { Packet, StatusEvent } from '../domain/types.ts';

/** Statuses the recipient reaches by its own act (claim, acknowledge). */
const RECIPIENT_ACTS = new Set(['CLAIMED', 'DELIVERED']);
/** Longest `details.detail` kept (a rejection message can be long; the packet's history keeps it whole). */
const MAX_DETAIL = 300;

function outcomeOf(status: StatusEvent['status']): AuditOutcome {
  if (status === 'REJECTED') return 'rejected';
  if (status === 'EXPIRED' || status === 'UNDELIVERABLE') return 'error';
  return 'success';
}

/** The stable code of a failure: the rejection's code (`EDXML_…`, `JSON_SCHEMA_MISMATCH`), else the status itself. */
function errorCodesOf(packet: Packet, event: StatusEvent): string[] {
  if (event.status === 'REJECTED') return [packet.rejection?.code ?? 'REJECTED'];
  if (event.status === 'EXPIRED' || event.status === 'UNDELIVERABLE') return [event.status];
  return [];
}

/**
 * The audit entry of one status event of `packet` (the record as the event left it). `agency` is the party that
 * acted — the recipient for what it does (CLAIMED, DELIVERED), the source for everything else (its request, upload,
 * the validation, queueing and offers made for it, its packet rejected, expired or undeliverable) — and
 * `counterpartAgency` the other party: the recipient of a per-recipient event, the only recipient of a packet with
 * one, otherwise null with every recipient in `details.recipients`.
 */
export function relayAuditEntry(packet: Packet, event: StatusEvent, environment: Environment): AuditEntryInput {
  const recipients = packet.deliveries.map((d) => d.agencyCode);
  const recipientActs = event.recipient !== null && RECIPIENT_ACTS.has(event.status);
  const delivery = event.recipient === null ? undefined : packet.deliveries.find((d) => d.agencyCode === event.recipient);
  const agency = recipientActs ? event.recipient! : packet.sourceAgency;
  const counterpart = recipientActs ? packet.sourceAgency : (event.recipient ?? (recipients.length === 1 ? recipients[0]! : null));
  const system = recipientActs ? (delivery?.claimedBy ?? null) : event.recipient === null ? packet.sourceSystem : null;
  const detail = event.detail === null ? null : event.detail.length > MAX_DETAIL ? `${event.detail.slice(0, MAX_DETAIL - 1)}…` : event.detail;
  return {
    kind: 'relay',
    at: event.at,
    requestId: null,
    source: 'relay',
    environment,
    agency,
    system,
    user: null,
    purpose: null,
    action: event.status,
    operationType: null,
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: counterpart,
    service: packet.dataType,
    entityId: packet.id,
    outcome: outcomeOf(event.status),
    errorCodes: errorCodesOf(packet, event),
    durationMs: null,
    // The content's size where it moved: received with the upload, handed over with the delivery.
    bytesIn: event.status === 'UPLOADED' ? packet.declaredBytes : null,
    bytesOut: event.status === 'DELIVERED' ? packet.declaredBytes : null,
    details: {
      recipient: event.recipient,
      recipients: recipients.join(','),
      sourceAgency: packet.sourceAgency,
      bytes: packet.declaredBytes,
      priority: packet.priority,
      protocol: packet.protocol,
      ...(delivery === undefined ? {} : { attempts: delivery.attempts }),
      detail,
    },
    subjects: [],
  };
}

/**
 * `store` with every committed status event also written to `audit` (`environment`: the namespace the store holds).
 * Reads and non-status writes pass through untouched.
 */
export function auditedPacketStore(store: PacketStore, audit: AuditWriter, environment: Environment): PacketStore {
  const record = (packet: Packet, events: readonly StatusEvent[]): void => {
    for (const event of events) audit.write(relayAuditEntry(packet, event, environment));
  };
  return {
    nextSequence: (count) => store.nextSequence(count),
    get: (id) => store.get(id),
    peek: (id) => store.peek(id),
    history: (id) => store.history(id),
    addToInbox: (agency, packetId, sequence) => store.addToInbox(agency, packetId, sequence),
    removeFromInbox: (agency, packetIds) => store.removeFromInbox(agency, packetIds),
    inbox: (agency, first, afterSequence) => store.inbox(agency, first, afterSequence),
    outbox: (agency, first, range) => store.outbox(agency, first, range),
    removeFromOutbox: (agency, packetIds) => store.removeFromOutbox(agency, packetIds),
    setActive: (packetId, dueMs) => store.setActive(packetId, dueMs),
    removeActive: (packetId) => store.removeActive(packetId),
    activeIds: (limit, dueByMs) => store.activeIds(limit, dueByMs),
    indexDocument: (sourceAgency, documentId, packetId) => store.indexDocument(sourceAgency, documentId, packetId),
    findDocument: (sourceAgency, documentId) => store.findDocument(sourceAgency, documentId),
    retain: (packetId, retentionMs) => store.retain(packetId, retentionMs),
    async create(packet, history, activeDueMs) {
      await store.create(packet, history, activeDueMs);
      record(packet, history);
    },
    async update(id, change, effects) {
      if (effects?.history === undefined) return store.update(id, change, effects);
      // A compare-and-set may compute the history of a stale attempt before the one that commits: keep the last.
      let written: { packet: Packet; events: StatusEvent[] } | undefined;
      const history = effects.history;
      const result = await store.update(id, change, {
        ...effects,
        history: (next) => {
          const events = history(next);
          written = { packet: next, events };
          return events;
        },
      });
      if (result?.changed === true && written !== undefined) record(result.packet, written.events);
      return result;
    },
    async appendHistory(id, events) {
      await store.appendHistory(id, events);
      const packet = await store.peek(id);
      if (packet !== null) record(packet, events);
    },
  };
}
