/**
 * The audit log port: append-only and hash-chained. Three adapters behave the same (contract.ts): memory (embedded
 * mode and tests), Redis (a stream, in deployment; appends from any number of processes chain atomically) and HTTP
 * (a process without Redis posts to the process that holds the memory log: monitoring's `/internal/v1/audit`).
 */
import type { AuditEntry, AuditOutcome, AuditKind, AuditRecord, ChainHead } from './record.ts';
import type { StatisticsQuery, StatisticsRow } from './statistics.ts';
import type { Checkpoint } from './checkpoint.ts';

/** A filter on the records of a period (`from` inclusive, `to` exclusive, ISO instants). */
export interface AuditQuery {
  from: string;
  to: string;
  kind?: AuditKind | undefined;
  /** The acting agency. */
  agency?: string | undefined;
  /** The counterpart agency (the provider of a query, the recipient of a packet). */
  counterpartAgency?: string | undefined;
  /** The purpose category (`public-service` of `public-service:HS-001`) or the whole purpose. */
  purpose?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** A subject's keyed hash (`personal-id:<hex>`), from `SubjectHasher`. */
  subject?: string | undefined;
  requestId?: string | undefined;
  /** At most this many records (default 100, at most 1,000); newest first (`at` descending, then `seq`). */
  limit?: number | undefined;
  /** Where the previous page stopped (its `next`); an opaque string (INVALID_CURSOR when it was not issued by a log). */
  cursor?: string | undefined;
}

export interface AuditPage {
  records: AuditRecord[];
  /**
   * The cursor of the next page; null at the end. A page may hold fewer than `limit` records with a `next` (the Redis
   * adapter looks at a bounded number of index entries per page): keep paging until `next` is null.
   */
  next: string | null;
}

export interface AuditLog {
  /**
   * Checks, chains and stores `entries` (at most 1,000) after the current head, all or none, in order; returns the
   * stored records. Bad input: AuditInputError (entry-schema.ts). Appending the same array again after a failure
   * answers the records already stored instead of storing them twice (Redis, HTTP).
   */
  append(entries: readonly AuditEntry[]): Promise<AuditRecord[]>;
  /**
   * The last record's number and hash; null when nothing was ever appended. Trimming keeps it (numbering goes on
   * after an emptied log).
   */
  head(): Promise<ChainHead | null>;
  /**
   * Records with `seq` from `fromSeq` on, in order, at most `count` (1–10,000) (for verification and export). What is
   * stored is answered as stored: a tampered record is answered as found, for verification to name.
   */
  range(fromSeq: number, count: number): Promise<AuditRecord[]>;
  /** The first `seq` still held (retention trims the oldest); null when empty. */
  firstSeq(): Promise<number | null>;
  /** Records matching `query`, newest first, through the indexes (subject, agency, counterpart by day). */
  query(query: AuditQuery): Promise<AuditPage>;
  /** Daily rollups kept as records are appended (statistics.ts). */
  statistics(query: StatisticsQuery): Promise<StatisticsRow[]>;
  /** Stores a signed checkpoint of the head (checkpoint.ts). */
  putCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /** Checkpoints, oldest first. */
  checkpoints(): Promise<Checkpoint[]>;
  /** Removes the records up to and including `throughSeq` (after they were exported), and their index entries. */
  trim(throughSeq: number): Promise<number>;
  close(): Promise<void>;
}
