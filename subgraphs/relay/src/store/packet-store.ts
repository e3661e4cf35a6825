/** Where packet records, status histories, inboxes and the active list live (memory or Redis adapter). */
import type { Packet, StatusEvent } from '../domain/types.ts';

export interface InboxPage {
  /** Packet ids, newest first. */
  ids: string[];
  /** Sequence of the last id on the page (the next page's `afterSequence`). */
  lastSequence: number | null;
  hasNextPage: boolean;
}

export interface PacketStore {
  /** A new, never-repeated number for ordering (1, 2, …). */
  nextSequence(): Promise<number>;
  /** Stores a new packet with its first history events. */
  create(packet: Packet, history: StatusEvent[]): Promise<void>;
  get(id: string): Promise<Packet | null>;
  /**
   * Changes a packet atomically: `change` gets the current record and returns the new one, or null to leave it.
   * Concurrent changes are retried (compare-and-set), so `change` must be pure. Null when the packet is unknown.
   */
  update(id: string, change: (current: Packet) => Packet | null): Promise<{ packet: Packet; changed: boolean } | null>;
  appendHistory(id: string, events: StatusEvent[]): Promise<void>;
  /** Events in the order they happened. */
  history(id: string): Promise<StatusEvent[]>;
  addToInbox(agency: string, packetId: string, sequence: number): Promise<void>;
  /** The agency's packets newest first, after (older than) `afterSequence`. */
  inbox(agency: string, first: number, afterSequence: number | null): Promise<InboxPage>;
  /** Marks a packet unfinished, due for a sweep at `dueMs`. */
  setActive(packetId: string, dueMs: number): Promise<void>;
  removeActive(packetId: string): Promise<void>;
  /** Unfinished packets, earliest due first. */
  activeIds(limit: number): Promise<string[]>;
  /** Remembers which packet carried an edXML document (source agency + DocumentId). */
  indexDocument(sourceAgency: string, documentId: string, packetId: string): Promise<void>;
  findDocument(sourceAgency: string, documentId: string): Promise<string | null>;
  /** Lets the record and history of a finished packet expire after `retentionMs` (content is already gone). */
  retain(packetId: string, retentionMs: number): Promise<void>;
}
