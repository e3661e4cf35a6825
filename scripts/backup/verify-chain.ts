/**
 * The audit chain's verification as the backup commands report it. Walks the log from its first record to its head:
 * every `seq` follows the previous one, every `prevHash` is the previous record's hash and every hash is the
 * record's own (chain.ts), and the last one is the head.
 */
import { recordHash, entryOf, type AuditLog, type ChainHead } from '@lgsp/audit';

export interface ChainReport {
  ok: boolean;
  /** Records checked. */
  records: number;
  firstSeq: number | null;
  head: ChainHead | null;
  /** The first problem, naming the record; null when the chain verifies. */
  problem: string | null;
}

const PAGE = 1_000;

export async function verifyAuditChain(log: AuditLog): Promise<ChainReport> {
  const [head, firstSeq] = await Promise.all([log.head(), log.firstSeq()]);
  if (firstSeq === null) {
    return head === null || head.seq === 0
      ? { ok: true, records: 0, firstSeq, head, problem: null }
      : { ok: false, records: 0, firstSeq, head, problem: `the head names record ${head.seq} but the log holds no record` };
  }
  let expectedSeq = firstSeq;
  let previousHash: string | null = null;
  let records = 0;
  const fail = (problem: string): ChainReport => ({ ok: false, records, firstSeq, head, problem });
  for (;;) {
    const page = await log.range(expectedSeq, PAGE);
    if (page.length === 0) break;
    for (const record of page) {
      if (record.seq !== expectedSeq) return fail(`record ${expectedSeq} is missing (the next one is ${record.seq})`);
      if (previousHash !== null && record.prevHash !== previousHash)
        return fail(`record ${record.seq} does not follow record ${record.seq - 1} (prevHash differs)`);
      if (recordHash(entryOf(record), record.seq, record.prevHash) !== record.hash) return fail(`record ${record.seq} was altered (its hash does not match)`);
      previousHash = record.hash;
      expectedSeq += 1;
      records += 1;
    }
  }
  if (head === null || head.seq !== expectedSeq - 1 || head.hash !== previousHash) {
    return fail(`the chain ends at record ${expectedSeq - 1} but the head names ${head === null ? 'none' : `record ${head.seq}`}`);
  }
  return { ok: true, records, firstSeq, head, problem: null };
}
