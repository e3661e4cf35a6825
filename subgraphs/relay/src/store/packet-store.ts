/** Where packet records, status histories, inboxes and the active list live (memory or Redis adapter). */
import type { Packet, StatusEvent } from '../domain/types.ts';

export interface InboxPage {
  /** Packet ids, newest first. */
  ids: string[];
  /** Sequence of the last id on the page (the next page's `afterSequence`). */
  lastSequence: number | null;
  hasNextPage: boolean;
}

/** What goes with a change, in the same atomic write: only when the record changed. */
/** The outbox's order: creation time (ms) then sequence, in one number (exact below 2^53 until the year 2248). */
export const OUTBOX_SEQUENCE_SLOTS = 1024;

/**
 * The score of a packet in its source agency's outbox: its creation time in ms, times 1024, plus its sequence modulo
 * 1024 — newest first, time ranges by score, and unique unless 1024 packets are created in one millisecond.
 */
export function outboxScore(packet: Pick<Packet, 'createdAt' | 'sequence'>): number {
  return Date.parse(packet.createdAt) * OUTBOX_SEQUENCE_SLOTS + (packet.sequence % OUTBOX_SEQUENCE_SLOTS);
}

/** A page of an agency's outbox. */
export interface OutboxPage {
  /** Packet ids, newest first. */
  ids: string[];
  /** Score (`outboxScore`) of the last id on the page: the next page's `beforeScore`. */
  lastScore: number | null;
  hasNextPage: boolean;
}

/** Which part of an outbox to read: created in [fromMs, toMs) (either open), older than `beforeScore` when set. */
export interface OutboxRange {
  fromMs: number | null;
  toMs: number | null;
  beforeScore: number | null;
}

export interface ChangeEffects {
  /** Status events appended to the history, computed from the new record. */
  history?: (next: Packet) => StatusEvent[];
  /** The packet is finished: its record and history expire after this long (as `retain`); null = keep. */
  retainMs?: number | ((next: Packet) => number | null);
}

/** The retention a change asks for, if any. */
export function retentionOf(effects: ChangeEffects | undefined, next: Packet): number | null {
  const retain = effects?.retainMs;
  return typeof retain === 'function' ? retain(next) : (retain ?? null);
}

export interface PacketStore {
  /** New, never-repeated numbers for ordering (1, 2, …): the first of `count` consecutive ones (default 1). */
  nextSequence(count?: number): Promise<number>;
  /**
   * Stores a new packet with its first history events, marked active (due for a sweep at `activeDueMs`), and enters
   * it in its source agency's outbox (`outbox`).
   */
  create(packet: Packet, history: StatusEvent[], activeDueMs: number): Promise<void>;
  get(id: string): Promise<Packet | null>;
  /**
   * The record as this process last read or wrote it, without a read when it has one (else read as `get`). It may
   * be out of date: good for refusing early on what never goes back (a state left, an expiry passed), never for
   * deciding a change (`update` re-checks against the current record).
   */
  peek(id: string): Promise<Packet | null>;
  /**
   * Changes a packet atomically: `change` gets the current record and returns the new one, or null to leave it.
   * Concurrent changes are retried (compare-and-set), so `change` must be pure and must not modify its argument
   * (return a new record); it may be called with a record that turns out to be stale, and is then called again. `effects` are written with the change, atomically.
   * Answers the record as it now is (changed or not); null when the packet is unknown.
   */
  update(id: string, change: (current: Packet) => Packet | null, effects?: ChangeEffects): Promise<{ packet: Packet; changed: boolean } | null>;
  appendHistory(id: string, events: StatusEvent[]): Promise<void>;
  /** Events in the order they happened. */
  history(id: string): Promise<StatusEvent[]>;
  addToInbox(agency: string, packetId: string, sequence: number): Promise<void>;
  /** Takes packets out of an agency's inbox (those whose record expired with its retention). */
  removeFromInbox(agency: string, packetIds: string[]): Promise<void>;
  /** The agency's packets newest first, after (older than) `afterSequence`. */
  inbox(agency: string, first: number, afterSequence: number | null): Promise<InboxPage>;
  /**
   * The packets the agency sent (its outbox, hộp thư đi), newest first by creation time, in `range`: an index the
   * store keeps from `create`, never a scan. Entries outlive their records at most until a page comes across them.
   */
  outbox(agency: string, first: number, range: OutboxRange): Promise<OutboxPage>;
  /** Takes packets out of an agency's outbox (those whose record expired with its retention). */
  removeFromOutbox(agency: string, packetIds: string[]): Promise<void>;
  /** Marks a packet unfinished, due for a sweep at `dueMs`. */
  setActive(packetId: string, dueMs: number): Promise<void>;
  removeActive(packetId: string): Promise<void>;
  /** Unfinished packets due for a sweep by `dueByMs`, earliest due first (at most `limit`). */
  activeIds(limit: number, dueByMs: number): Promise<string[]>;
  /** Remembers which packet carried an edXML document (source agency + DocumentId). */
  indexDocument(sourceAgency: string, documentId: string, packetId: string): Promise<void>;
  findDocument(sourceAgency: string, documentId: string): Promise<string | null>;
  /** Lets the record and history of a finished packet expire after `retentionMs` (content is already gone). */
  retain(packetId: string, retentionMs: number): Promise<void>;
}
