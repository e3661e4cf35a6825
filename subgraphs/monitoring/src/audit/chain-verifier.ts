/**
 * The audit chain's verification, kept running (`auditChainStatus`): every AUDIT_VERIFY_INTERVAL_SECONDS a run
 * verifies what was appended since the last record it verified (`verifyChain` of `@lgsp/audit` from there, the
 * vocabulary of `npm run audit -- verify`: EDITED, MISSING, REORDERED, CHECKPOINT_MISMATCH, BAD_SIGNATURE), and
 * every AUDIT_VERIFY_FULL_INTERVAL_SECONDS it walks the whole log again (an edit of a record verified earlier is caught
 * by the next full run, or at once by the signed checkpoints when the whole chain was rewritten). The query answers the
 * latest result; no request walks the log (the first one waits for a run when none has run yet).
 *
 * An incremental run:
 * 1. re-reads the last record it verified (the anchor) and checks it is still there, unchanged (else EDITED or MISSING
 *    at its seq);
 * 2. checks the signatures of the checkpoints signed since the last run (with the monitoring's signing key and any
 *    earlier keys of AUDIT_VERIFY_PUBLIC_KEYS_FILE), and that those of records already verified name their hash;
 * 3. walks the records after the anchor (checkpoints of those records compared as it passes them) up to the head.
 *
 * Records trimmed by retention (after export) are simply no longer there: verification starts at the first record held,
 * as `npm run audit -- verify` does. A problem is logged once as an error (an operator must act: the audit trail is
 * evidence) and every run looks again from the last good record, so the status clears once the log is restored.
 */
import { checkpointSignatureProblem, entryOf, recordHash, verifyChain, type AuditLog, type ChainProblem, type Checkpoint } from '@lgsp/audit';
import { Gauge, type Logger, type Registry as MetricsRegistry } from '@lgsp/kit';
import type { AuditPublicKey } from './public-keys.ts';

/** What the latest run found. */
export interface ChainStatus {
  /** No problem found: every record from the first held through `verifiedThroughSeq` checks out, and every checkpoint. */
  ok: boolean;
  /** The last record of the unbroken chain (null: none verified yet, e.g. an empty log or a problem at the first record). */
  verifiedThroughSeq: number | null;
  /** The first record held when the run began (retention trims older ones). */
  firstSeq: number | null;
  /** The head's seq when the run began. */
  headSeq: number | null;
  /** When the run finished. */
  verifiedAt: Date;
  /** Whether this run walked the whole log (else only what was appended since the previous run). */
  full: boolean;
  /** When the last full run finished (null: none yet). */
  lastFullAt: Date | null;
  /** Records this run walked. */
  checkedRecords: number;
  /** The last checkpoint signed (null: none yet). */
  lastCheckpoint: Pick<Checkpoint, 'seq' | 'at' | 'keyId'> | null;
  /** The first problem (lowest seq), when not ok. */
  firstProblem: ChainProblem | null;
}

export interface ChainVerifierOptions {
  log: AuditLog;
  /** The public keys checkpoints may be signed with (the current key first); none: signatures are not checked. */
  publicKeys: readonly AuditPublicKey[];
  /** How often a run starts (ms); 0: only on demand (tests). */
  intervalMs: number;
  /** How often a run walks the whole log (ms); 0: only the first run does. */
  fullIntervalMs: number;
  logger: Logger;
  metrics?: MetricsRegistry;
  now: () => Date;
  /** Records per read (default 1,000). */
  pageSize?: number;
}

export class ChainVerifier {
  /** The last record verified good: where the next incremental run starts. */
  private through: { seq: number; hash: string } | null = null;
  /** Checkpoints (oldest first, append-only) whose signature and hash were checked. */
  private checkpointsChecked = 0;
  private lastCheckedSignature: string | null = null;
  private latestStatus: ChainStatus | null = null;
  private lastFullAt: Date | null = null;
  private running: Promise<ChainStatus> | null = null;
  private reported: string | null = null;
  private readonly timer: NodeJS.Timeout | null;
  private readonly gauges: { ok: Gauge; seq: Gauge } | null;

  constructor(private readonly options: ChainVerifierOptions) {
    this.gauges =
      options.metrics === undefined
        ? null
        : {
            ok: new Gauge({
              name: 'lgsp_audit_chain_verified',
              help: 'Whether the audit chain verified at the last run (1) or a problem was found (0); absent before the first run',
              registers: [options.metrics],
            }),
            seq: new Gauge({
              name: 'lgsp_audit_chain_verified_seq',
              help: 'The last audit record of the unbroken chain, as the last verification found it',
              registers: [options.metrics],
            }),
          };
    this.timer =
      options.intervalMs > 0
        ? setInterval(() => {
            this.verify().catch((error: unknown) =>
              options.logger.warn(
                { event: 'audit.verify-failed', err: (error as Error).message },
                'audit chain verification could not run; retried at the next interval',
              ),
            );
          }, options.intervalMs)
        : null;
    this.timer?.unref();
  }

  /** The latest result; runs one (and waits for it) when none has run yet. */
  async status(): Promise<ChainStatus> {
    return this.latestStatus ?? (await this.verify());
  }

  /** The latest result, or null before the first run. */
  latest(): ChainStatus | null {
    return this.latestStatus;
  }

  /**
   * Runs now (or joins the run in flight): incremental, or a full walk when asked, on the first run and every
   * `fullIntervalMs`.
   */
  verify(options: { full?: boolean } = {}): Promise<ChainStatus> {
    if (this.running !== null) {
      if (options.full !== true) return this.running;
      return this.running.catch(() => undefined).then(() => this.verify(options));
    }
    const now = this.options.now();
    const full =
      options.full === true ||
      this.lastFullAt === null ||
      (this.options.fullIntervalMs > 0 && now.getTime() - this.lastFullAt.getTime() >= this.options.fullIntervalMs);
    this.running = this.run(full).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async run(full: boolean): Promise<ChainStatus> {
    const { log } = this.options;
    if (full) {
      this.through = null;
      this.checkpointsChecked = 0;
    }
    const [head, firstSeq, checkpoints] = await Promise.all([log.head(), log.firstSeq(), log.checkpoints()]);
    // Trimmed past the anchor (retention, after export): start again from the first record held.
    if (this.through !== null && (firstSeq === null || firstSeq > this.through.seq)) this.through = null;
    const problems: ChainProblem[] = [];
    const anchorProblem = this.through === null ? null : await this.anchorProblem(this.through);
    if (anchorProblem !== null) problems.push(anchorProblem);
    // The list is append-only: if the last one checked is no longer where it was (a restore, a removal), check them all.
    if (this.checkpointsChecked > 0 && checkpoints[this.checkpointsChecked - 1]?.signature !== this.lastCheckedSignature) this.checkpointsChecked = 0;
    const newCheckpoints = checkpoints.slice(this.checkpointsChecked);
    const checkpointProblem = await this.checkpointProblem(newCheckpoints, firstSeq);
    if (checkpointProblem !== null) problems.push(checkpointProblem);
    let checkedRecords = 0;
    let goodThrough = this.through?.seq ?? null;
    if (anchorProblem === null) {
      const result = await verifyChain(log, {
        ...(this.through === null ? {} : { fromSeq: this.through.seq + 1 }),
        pageSize: this.options.pageSize ?? 1_000,
      });
      checkedRecords = result.checked;
      if (result.firstBad !== undefined) {
        problems.push(result.firstBad);
        // The walk stops at the problem: what it passed before the problem's record is good.
        const passed = result.toSeq ?? goodThrough;
        goodThrough = passed === null ? null : Math.min(passed, result.firstBad.seq - 1);
        if (goodThrough !== null && goodThrough < (firstSeq ?? 1)) goodThrough = null;
      } else {
        goodThrough = result.toSeq ?? goodThrough;
      }
      // The next run starts after the last good record (a problem far down a long log is not walked to again).
      if (goodThrough !== null && goodThrough !== this.through?.seq) {
        const [last] = await log.range(goodThrough, 1);
        if (last !== undefined && last.seq === goodThrough) this.through = { seq: last.seq, hash: last.hash };
      }
    }
    const firstProblem = problems.sort((a, b) => a.seq - b.seq)[0] ?? null;
    if (checkpointProblem === null) {
      this.checkpointsChecked = checkpoints.length;
      this.lastCheckedSignature = checkpoints.at(-1)?.signature ?? null;
    }
    const verifiedAt = this.options.now();
    if (full) this.lastFullAt = verifiedAt;
    const last = checkpoints.at(-1);
    const status: ChainStatus = {
      ok: firstProblem === null,
      verifiedThroughSeq: firstProblem === null ? (goodThrough ?? null) : goodThrough === null ? null : Math.min(goodThrough, firstProblem.seq - 1),
      firstSeq,
      headSeq: head?.seq ?? null,
      verifiedAt,
      full,
      lastFullAt: this.lastFullAt,
      checkedRecords,
      lastCheckpoint: last === undefined ? null : { seq: last.seq, at: last.at, keyId: last.keyId },
      firstProblem,
    };
    if (status.verifiedThroughSeq !== null && status.verifiedThroughSeq < (firstSeq ?? 1)) status.verifiedThroughSeq = null;
    this.report(status);
    this.latestStatus = status;
    return status;
  }

  /** The last record verified before: still there, with the hash it had, and its content still what it covers. */
  private async anchorProblem(anchor: { seq: number; hash: string }): Promise<ChainProblem | null> {
    const [record] = await this.options.log.range(anchor.seq, 1);
    if (record === undefined || record.seq !== anchor.seq)
      return { seq: anchor.seq, reason: 'MISSING', detail: `record ${anchor.seq}, verified before, is missing` };
    if (record.hash !== anchor.hash || recordHash(entryOf(record), record.seq, record.prevHash) !== record.hash)
      return { seq: anchor.seq, reason: 'EDITED', detail: `record ${anchor.seq} was changed after it was verified` };
    return null;
  }

  /**
   * The checkpoints signed since the last run: their signatures, and the hash of those naming a record already verified
   * (the walk compares the others as it passes their records).
   */
  private async checkpointProblem(checkpoints: readonly Checkpoint[], firstSeq: number | null): Promise<ChainProblem | null> {
    for (const checkpoint of checkpoints) {
      if (this.options.publicKeys.length > 0) {
        const problem = await checkpointSignatureProblem(checkpoint, this.options.publicKeys);
        if (problem !== null)
          return { seq: checkpoint.seq, reason: 'BAD_SIGNATURE', detail: `the checkpoint of record ${checkpoint.seq} (${checkpoint.at}): ${problem}` };
      }
      if (this.through !== null && checkpoint.seq <= this.through.seq && checkpoint.seq >= (firstSeq ?? 1)) {
        const [record] = await this.options.log.range(checkpoint.seq, 1);
        if (record !== undefined && record.seq === checkpoint.seq && record.hash !== checkpoint.hash)
          return {
            seq: checkpoint.seq,
            reason: 'CHECKPOINT_MISMATCH',
            detail: `the checkpoint signed at ${checkpoint.at} names another hash for record ${checkpoint.seq} than it has (the chain up to it was rewritten)`,
          };
      }
    }
    return null;
  }

  /** Logs a new problem once (error: an operator must act), and the chain verifying again. */
  private report(status: ChainStatus): void {
    this.gauges?.ok.set(status.ok ? 1 : 0);
    if (status.verifiedThroughSeq !== null) this.gauges?.seq.set(status.verifiedThroughSeq);
    const key = status.firstProblem === null ? null : `${status.firstProblem.reason}:${status.firstProblem.seq}`;
    if (key === this.reported) return;
    if (status.firstProblem !== null)
      this.options.logger.error(
        { event: 'audit.chain-broken', seq: status.firstProblem.seq, reason: status.firstProblem.reason, detail: status.firstProblem.detail },
        'the audit chain does not verify: find out who changed the log (npm run audit -- verify), restore it from the archive',
      );
    else if (this.reported !== null)
      this.options.logger.info({ event: 'audit.chain-verified', seq: status.verifiedThroughSeq }, 'the audit chain verifies again');
    this.reported = key;
  }
}
