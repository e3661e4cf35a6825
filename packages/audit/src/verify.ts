/**
 * Verification of the chain (`npm run audit -- verify`): walks the log by seq in pages, recomputes every hash, checks
 * that numbers follow one another with no gap and that each record links to its predecessor, that the last record is
 * the head, and that every checkpoint is signed by a key given and names the hash the record of its seq has. It
 * answers the first problem, by seq, named:
 *
 * | reason | what was found |
 * | --- | --- |
 * | `EDITED` | a record's content is not what its hash covers (or no longer what the next record links to) |
 * | `MISSING` | a number is absent: a removed record, or records removed after the last one (the head, a checkpoint says more) |
 * | `REORDERED` | a record stands after one with a higher number |
 * | `CHECKPOINT_MISMATCH` | a signed checkpoint names another hash than the record of its number has (the chain was rewritten) |
 * | `BAD_SIGNATURE` | a checkpoint's signature does not verify with the keys given |
 */
import type { JWK } from 'jose';
import type { AuditLog } from './audit-log.ts';
import { entryOf, recordHash } from './chain.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { AuditRecord } from './record.ts';
import { checkpointSignatureProblem } from './signing.ts';

export const VERIFY_REASONS = ['EDITED', 'MISSING', 'REORDERED', 'CHECKPOINT_MISMATCH', 'BAD_SIGNATURE'] as const;
export type VerifyReason = (typeof VERIFY_REASONS)[number];

export interface ChainProblem {
  seq: number;
  reason: VerifyReason;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records checked. */
  checked: number;
  /** The first and last seq checked (null when none). */
  fromSeq: number | null;
  toSeq: number | null;
  /** Checkpoints whose hash was compared with their record, and whose signature was checked. */
  checkpointsMatched: number;
  signaturesChecked: number;
  /** Checkpoints of records trimmed before the range (only their signatures are checked). */
  checkpointsBeforeRange: number;
  firstBad?: ChainProblem;
}

export interface VerifyOptions {
  /** Start here (default: the first record held). The first record checked is anchored by its own `prevHash`. */
  fromSeq?: number;
  /** Public JWKs of the signing keys (one or several: rotated keys); without any, signatures are not checked. */
  publicKey?: JWK | readonly JWK[];
  /** Records per `range` call (default 1,000). */
  pageSize?: number;
  /** Told after each page (the CLI's progress on a 10-million-record log). */
  onProgress?: (checked: number, lastSeq: number) => void;
}

export async function verifyChain(log: AuditLog, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 1_000;
  const keys = options.publicKey === undefined ? [] : Array.isArray(options.publicKey) ? options.publicKey : [options.publicKey as JWK];
  const [head, first, checkpoints] = await Promise.all([log.head(), log.firstSeq(), log.checkpoints()]);
  const problems: ChainProblem[] = [];
  const result: VerifyResult = { ok: true, checked: 0, fromSeq: null, toSeq: null, checkpointsMatched: 0, signaturesChecked: 0, checkpointsBeforeRange: 0 };

  // Signatures first: every checkpoint, whatever the range.
  if (keys.length > 0) {
    for (const checkpoint of checkpoints) {
      const problem = await checkpointSignatureProblem(checkpoint, keys);
      result.signaturesChecked += 1;
      if (problem !== null) {
        problems.push({ seq: checkpoint.seq, reason: 'BAD_SIGNATURE', detail: `the checkpoint of record ${checkpoint.seq} (${checkpoint.at}): ${problem}` });
        break;
      }
    }
  }
  const bySeq = new Map<number, Checkpoint[]>();
  for (const checkpoint of checkpoints) bySeq.set(checkpoint.seq, [...(bySeq.get(checkpoint.seq) ?? []), checkpoint]);

  const start = Math.max(options.fromSeq ?? first ?? 1, first ?? 1);
  result.checkpointsBeforeRange = checkpoints.filter((c) => c.seq < start).length;
  let previous: { seq: number; hash: string } | null = null;
  if (start > (first ?? 1)) {
    const [before] = await log.range(start - 1, 1);
    if (before !== undefined && before.seq === start - 1) previous = { seq: before.seq, hash: before.hash };
  }
  let expected = start;
  let page: AuditRecord[] = first === null ? [] : await log.range(start, pageSize);
  let chainProblem: ChainProblem | undefined;
  let last: AuditRecord | undefined;
  walk: while (page.length > 0) {
    for (let i = 0; i < page.length; i += 1) {
      const record = page[i]!;
      if (record.seq !== expected) {
        const later = page.slice(i + 1).some((r) => r.seq === expected);
        if (record.seq < expected) {
          chainProblem = { seq: record.seq, reason: 'REORDERED', detail: `record ${record.seq} stands after record ${expected - 1}` };
        } else if (later) {
          chainProblem = { seq: expected, reason: 'REORDERED', detail: `record ${record.seq} stands before record ${expected}` };
        } else {
          chainProblem = {
            seq: expected,
            reason: 'MISSING',
            detail: record.seq === expected + 1 ? `record ${expected} is missing` : `records ${expected} to ${record.seq - 1} are missing`,
          };
        }
        break walk;
      }
      const hash = recordHash(entryOf(record), record.seq, record.prevHash);
      if (hash !== record.hash) {
        const unreadable = record.details?.unreadable;
        chainProblem = {
          seq: record.seq,
          reason: 'EDITED',
          detail:
            typeof unreadable === 'string'
              ? `record ${record.seq} is unreadable: ${unreadable}`
              : `record ${record.seq}'s content does not match its hash (it was changed after it was written)`,
        };
        break walk;
      }
      if (previous !== null && record.prevHash !== previous.hash) {
        chainProblem = {
          seq: previous.seq,
          reason: 'EDITED',
          detail: `record ${record.seq} links to another record ${previous.seq} than the one stored (record ${previous.seq} was changed and its hash recomputed)`,
        };
        break walk;
      }
      for (const checkpoint of bySeq.get(record.seq) ?? []) {
        if (checkpoint.hash !== record.hash) {
          chainProblem = {
            seq: record.seq,
            reason: 'CHECKPOINT_MISMATCH',
            detail: `the checkpoint signed at ${checkpoint.at} names another hash for record ${record.seq} than it has (the chain up to it was rewritten)`,
          };
          break walk;
        }
        result.checkpointsMatched += 1;
      }
      previous = { seq: record.seq, hash: record.hash };
      last = record;
      result.checked += 1;
      expected += 1;
    }
    options.onProgress?.(result.checked, expected - 1);
    if (page.length < pageSize) break;
    page = await log.range(expected, pageSize);
  }
  if (chainProblem === undefined && head !== null && head.seq >= start) {
    const lastSeq = last?.seq ?? start - 1;
    if (lastSeq < head.seq) {
      chainProblem = {
        seq: lastSeq + 1,
        reason: 'MISSING',
        detail: lastSeq + 1 === head.seq ? `record ${head.seq} (the head) is missing` : `records ${lastSeq + 1} to ${head.seq} (the head) are missing`,
      };
    } else if (last !== undefined && last.seq === head.seq && last.hash !== head.hash) {
      chainProblem = { seq: head.seq, reason: 'EDITED', detail: `record ${head.seq}'s hash is not the head's (it was changed and its hash recomputed)` };
    }
  }
  if (chainProblem === undefined && head !== null) {
    const beyond = checkpoints.find((c) => c.seq > head.seq);
    if (beyond !== undefined)
      chainProblem = { seq: head.seq + 1, reason: 'MISSING', detail: `a checkpoint signed record ${beyond.seq}, but the log ends at ${head.seq}` };
  }
  if (chainProblem !== undefined) problems.push(chainProblem);
  result.fromSeq = result.checked > 0 ? start : null;
  result.toSeq = last?.seq ?? null;
  if (problems.length > 0) {
    result.ok = false;
    result.firstBad = problems.sort((a, b) => a.seq - b.seq)[0]!;
  }
  return result;
}
