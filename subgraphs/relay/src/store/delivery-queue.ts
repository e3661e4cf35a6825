/**
 * A delivery queue per destination agency, one lane per priority (at-least-once): an entry read by a consumer
 * stays pending until acknowledged, and an entry pending longer than `minIdleMs` can be reclaimed (redelivered).
 */
import type { Priority } from '../domain/types.ts';

export interface QueueEntry {
  /** Entry id inside its lane (a Redis stream id). */
  id: string;
  priority: Priority;
  packetId: string;
}

export interface DeliveryQueue {
  enqueue(destination: string, priority: Priority, packetId: string): Promise<QueueEntry>;
  /** Up to `count` entries never read before, HIGH lane first, then NORMAL, then LOW. */
  readNew(destination: string, consumer: string, count: number): Promise<QueueEntry[]>;
  /** Entries read but not acknowledged for at least `minIdleMs`, handed to `consumer` (HIGH first). */
  reclaim(destination: string, consumer: string, minIdleMs: number, count: number): Promise<QueueEntry[]>;
  /** Restarts the idle time of a pending entry (the recipient just claimed it), so reclaim waits again. */
  touch(destination: string, entry: Pick<QueueEntry, 'id' | 'priority'>, consumer: string): Promise<void>;
  /** Done with an entry: it leaves the queue for good (idempotent). */
  ack(destination: string, entry: Pick<QueueEntry, 'id' | 'priority'>): Promise<void>;
  /**
   * The destination's packets ready to be claimed (offered, not claimed now): `claimPackets` takes from here.
   * Marks one ready; `sequence` orders packets of a priority (oldest first).
   */
  ready(destination: string, priority: Priority, packetId: string, sequence: number): Promise<void>;
  /** Takes up to `count` ready packets, HIGH first, then NORMAL, then LOW, oldest first; each goes to one caller only. */
  takeReady(destination: string, count: number): Promise<string[]>;
  /** The packet is not ready any more (claimed by id, delivered, failed); idempotent. */
  notReady(destination: string, packetId: string): Promise<void>;
  /** Destinations that ever had a queue. */
  destinations(): Promise<string[]>;
  /** Entries not acknowledged yet (new and pending), all lanes. */
  depth(destination: string): Promise<number>;
}

export const LANES: readonly Priority[] = ['HIGH', 'NORMAL', 'LOW'];

/** Order in the ready list: the lane first, then the packet's sequence (below 10^13, well inside a double). */
export function readyScore(priority: Priority, sequence: number): number {
  return LANES.indexOf(priority) * 1e13 + sequence;
}
