/**
 * The storage port behind an EventStream: an append-only log per topic with bounded retention, read by id ranges
 * and by blocking reads. Redis Streams and an in-memory log implement it; `createEventStream` (topic-hub.ts) adds
 * shared readers, replay and fan-out on top, identically for both.
 */
import type { RawEvent } from '../domain/topics.ts';

export type { RawEvent };

export interface TopicPosition {
  /** Id of the newest event ever appended (`0-0` when none): a reader started now delivers what comes after it. */
  last: string;
  /** The smallest `after` from which a replay is complete: events up to it may have been dropped by retention. */
  earliestResumable: string;
}

/** A reader that may block waiting for events: one Redis connection of its own. */
export interface BlockingReader {
  /** Events of `topic` after `after` (exclusive), oldest first; waits up to `blockMs` for one; [] on timeout. */
  read(topic: string, after: string, count: number, blockMs: number): Promise<RawEvent[]>;
  /** Closes it; a pending read ends at once (with [] or an error). */
  close(): Promise<void>;
}

export interface EventLog {
  /** Appends an event and answers its id (`<ms>-<seq>`, increasing per topic). */
  append(topic: string, fields: Record<string, string>): Promise<string>;
  position(topic: string): Promise<TopicPosition>;
  /** Events after `after` (exclusive), oldest first, at most `count`. */
  range(topic: string, after: string, count: number): Promise<RawEvent[]>;
  openReader(): Promise<BlockingReader>;
  /** Releases what the log holds (not the Redis client it was given). */
  close(): Promise<void>;
}
