/**
 * The relay's domain model (plain TypeScript, no GraphQL): a packet (gói tin) sent by one agency's system to one or
 * more agencies through an exchange space, its delivery to each recipient, and its status history.
 */

import { PACKET_PRIORITIES, PACKET_STATUSES, type PacketPriority, type PacketStatus } from '@lgsp/events/topics';

export const PRIORITIES = PACKET_PRIORITIES;
export type Priority = PacketPriority;

export const DATA_TYPES = ['EDXML_DOCUMENT', 'EDXML_STATUS', 'DOSSIER', 'JSON', 'FILE'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Every status a packet or one recipient's delivery passes through (R4 step 7): the events' vocabulary. */
export { PACKET_STATUSES, type PacketStatus };

/** Where one recipient's delivery stands. PENDING: the packet is not validated yet. */
export type DeliveryStatus = 'PENDING' | 'QUEUED' | 'NOTIFIED' | 'CLAIMED' | 'DELIVERED' | 'EXPIRED' | 'UNDELIVERABLE' | 'REJECTED';

export const TERMINAL_DELIVERY: ReadonlySet<DeliveryStatus> = new Set(['DELIVERED', 'EXPIRED', 'UNDELIVERABLE', 'REJECTED']);

/** The exchange policy the source sets with its request (chính sách trao đổi). */
export interface ExchangePolicy {
  /** ISO instant after which an undelivered packet expires for every recipient still waiting. */
  deadline: string;
  /** How many times a packet is offered (notified) to a recipient before it is UNDELIVERABLE. */
  maxAttempts: number;
  /** When false, a complete download counts as delivery; when true the recipient must acknowledge. */
  acknowledgementRequired: boolean;
  /** Tell the source (event `packet-status`) when a delivery fails (UNDELIVERABLE, EXPIRED). */
  notifySourceOnFailure: boolean;
  /** A recipient offline longer than this (ms) is UNDELIVERABLE. */
  maxOfflineMs: number;
}

export interface Delivery {
  agencyCode: string;
  status: DeliveryStatus;
  /** Times the packet was offered (notified) to this recipient. */
  attempts: number;
  /** Entry id in the recipient's delivery queue, while queued. */
  queueEntryId: string | null;
  queuedAt: string | null;
  claimedAt: string | null;
  /** The system that claimed it last. */
  claimedBy: string | null;
  deliveredAt: string | null;
  updatedAt: string;
}

export interface PacketRejection {
  /** Stable code: an `EDXML_*` code, `JSON_INVALID`, `JSON_SCHEMA_MISMATCH`, `EDXML_FROM_MISMATCH`. */
  code: string;
  message: string;
  line: number | null;
  column: number | null;
  path: string | null;
}

/** What the relay learnt from an edXML packet (keys only, no document content). */
export interface EdxmlSummary {
  kind: 'document' | 'status';
  fromOrganId: string;
  toOrganIds: string[];
  documentId: string | null;
  code: string | null;
  subject: string | null;
  statusCode: string | null;
  responseForOrganId: string | null;
  responseForDocumentId: string | null;
  responseForCode: string | null;
  warnings: string[];
}

/** The status a recipient reported for a document with an edXML status packet (trạng thái văn bản). */
export interface DocumentStatusReport {
  statusCode: string;
  description: string | null;
  reportedBy: string;
  statusPacketId: string;
  at: string;
}

export type PacketState = 'REQUESTED' | 'UPLOADED' | 'VALIDATED' | 'QUEUED' | 'REJECTED' | 'EXPIRED' | 'DONE';

export interface Packet {
  id: string;
  sourceAgency: string;
  sourceSystem: string | null;
  title: string;
  priority: Priority;
  dataType: DataType;
  protocol: string;
  schemaId: string | null;
  policy: ExchangePolicy;
  declaredBytes: number;
  /** Lower-case hex SHA-256 the source declared; the upload must match it. */
  sha256: string;
  state: PacketState;
  createdAt: string;
  spaceExpiresAt: string;
  /** The upload attempts started (each stores its content under its own id until one is committed). */
  uploadAttempts: string[];
  /** The attempt whose content was committed. */
  contentAttempt: string | null;
  /**
   * Id (fingerprint) of the master key the committed content was sealed under, so that a claim of content this relay
   * cannot decrypt is refused before it counts; absent on records written before it was recorded.
   */
  contentKeyId?: string;
  /** True once the content is deleted (delivered, rejected, expired). */
  contentDeleted: boolean;
  rejection: PacketRejection | null;
  edxml: EdxmlSummary | null;
  deliveries: Delivery[];
  documentStatuses: DocumentStatusReport[];
  /** Monotonic number handed out at creation: orders inboxes. */
  sequence: number;
}

export interface StatusEvent {
  status: PacketStatus;
  /** Server time (ISO). */
  at: string;
  /** The recipient this event concerns; null for the packet as a whole. */
  recipient: string | null;
  detail: string | null;
}
