/**
 * The audit writer every component records through: `write` only queues (the request's critical path never waits on
 * the log); batches go to the log in the background; `close` (a clean shutdown) writes everything queued before it
 * returns. Subjects are hashed here, before an entry leaves the process.
 *
 * Failures: a failed append is retried with backoff (100 ms doubling to `maxBackoffMs`), the same batch in the same
 * order, until it succeeds; nothing is lost or reordered, and the log adapters recognise a retried batch that was
 * committed after all (its batch id), so nothing is stored twice. The first failure of a streak is an error line
 * (the log is unreachable: an operator must act), then one line a minute while it lasts, and an info line when it
 * recovers.
 *
 * The queue is bounded in the sense that matters to an operator, not by dropping: an audit record is evidence the
 * law requires, and blocking `write` would stall requests. Past `maxQueue` entries, every entry still queues, is
 * counted in `lgsp_audit_queue_over_limit_total`, and an error line (at most one a minute) says the log is not keeping
 * up; memory grows by about 1–2 KB per entry until the log is back. Alerting on that counter (or on
 * `lgsp_audit_entries_queued`) is the operator's signal; `close` still writes everything.
 *
 * An entry that is malformed (a bug of the writing component: an empty `source`, a bad `at`) is refused at `write`
 * with an error line and `lgsp_audit_entries_invalid_total`, so that one bad entry never blocks every batch after it.
 */
import type { Logger } from '@lgsp/kit';
import type { AuditLog } from './audit-log.ts';
import { checkAuditEntry } from './entry-schema.ts';
import { auditWriterMetrics, type AuditWriterMetrics } from './metrics.ts';
import type { AuditEntry, AuditEntryInput } from './record.ts';
import type { SubjectHasher } from './subjects.ts';

export interface AuditWriter {
  /** Queues one entry; never throws, never waits. */
  write(entry: AuditEntryInput): void;
  /** Resolves when everything queued before the call is in the log. */
  flush(): Promise<void>;
  /** Flushes, then stops. */
  close(): Promise<void>;
}

export interface AuditWriterOptions {
  log: AuditLog;
  hasher: SubjectHasher;
  logger: Logger;
  /** Most entries per append (default 500, at most 1,000). */
  batchSize?: number;
  /** Most bytes (of entry JSON) per append (default 4 MiB; a larger entry goes alone). */
  batchBytes?: number;
  /** How long an entry may wait for a batch to fill (default 20 ms). */
  lingerMs?: number;
  /** Queue length past which every entry is counted and reported (default 100,000); entries are never dropped. */
  maxQueue?: number;
  /** Longest wait between two attempts of a failing append (default 5,000 ms). */
  maxBackoffMs?: number;
  /** The metrics (auditWriterMetrics(registry)); unregistered ones when absent. */
  metrics?: AuditWriterMetrics;
}

/** An AuditWriter that can also say how many entries wait (tests, health). */
export interface AuditWriterWithState extends AuditWriter {
  /** Entries queued and not yet in the log. */
  pending(): number;
}

const REPORT_EVERY_MS = 60_000;

export function createAuditWriter(options: AuditWriterOptions): AuditWriterWithState {
  const { log, hasher, logger } = options;
  const batchSize = Math.min(Math.max(1, options.batchSize ?? 500), 1_000);
  const lingerMs = options.lingerMs ?? 20;
  const maxQueue = options.maxQueue ?? 100_000;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const metrics = options.metrics ?? auditWriterMetrics();
  const batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
  let queue: AuditEntry[] = [];
  /** The JSON size of each queued entry (same order as `queue`). */
  let sizes: number[] = [];
  /** The batch being appended (it stays the same array across retries: the adapters know it by identity). */
  let inFlight: AuditEntry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  let lastOverLimitReport = 0;
  let wake: (() => void) | undefined;

  const pending = () => queue.length + inFlight.length;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      let take = 0;
      let bytes = 0;
      while (take < queue.length && take < batchSize && (take === 0 || bytes + sizes[take]! <= batchBytes)) {
        bytes += sizes[take]!;
        take += 1;
      }
      inFlight = queue.slice(0, take);
      queue = queue.slice(take);
      sizes = sizes.slice(take);
      let backoff = 100;
      let failingSince = 0;
      let lastReport = 0;
      for (;;) {
        const stop = metrics.appendDuration.startTimer();
        try {
          await log.append(inFlight);
          stop();
          metrics.written.inc(inFlight.length);
          if (failingSince !== 0)
            logger.info({ event: 'audit.append-recovered', failedForMs: Date.now() - failingSince, queued: pending() }, 'the audit log takes records again');
          break;
        } catch (error) {
          metrics.failures.inc();
          const now = Date.now();
          if (failingSince === 0) failingSince = now;
          if (now - lastReport >= REPORT_EVERY_MS) {
            lastReport = now;
            logger.error(
              { event: 'audit.append-failed', reason: (error as Error).message, queued: pending(), failingForMs: now - failingSince },
              'audit log append failed; the records stay queued and are retried',
            );
          }
          await sleep(backoff);
          backoff = Math.min(backoff * 2, maxBackoffMs);
        }
      }
      inFlight = [];
      metrics.queued.set(pending());
    }
  };
  let drainQueued = false;
  /** Runs a drain after the current one (at most one waits: a drain empties the whole queue). */
  const kick = (): Promise<void> => {
    if (!drainQueued) {
      drainQueued = true;
      running = running.then(() => {
        drainQueued = false;
        return drain();
      });
    }
    return running;
  };
  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void kick();
    }, lingerMs);
    timer.unref();
  };
  return {
    write(input) {
      if (closed) {
        logger.error({ event: 'audit.write-after-close', kind: input.kind, requestId: input.requestId }, 'audit entry written after the writer closed');
        return;
      }
      let checked: { entry: AuditEntry; bytes: number };
      try {
        checked = checkAuditEntry({ ...input, subjects: input.subjects.map(hasher) });
      } catch (error) {
        metrics.invalid.inc();
        logger.error(
          { event: 'audit.entry-invalid', kind: input.kind, source: input.source, requestId: input.requestId, reason: (error as Error).message },
          'a malformed audit entry was refused (a bug of the component that wrote it)',
        );
        return;
      }
      queue.push(checked.entry);
      sizes.push(checked.bytes);
      const waiting = pending();
      metrics.queued.set(waiting);
      if (waiting > maxQueue) {
        metrics.overLimit.inc();
        const now = Date.now();
        if (now - lastOverLimitReport >= REPORT_EVERY_MS) {
          lastOverLimitReport = now;
          logger.error(
            { event: 'audit.queue-over-limit', queued: waiting, limit: maxQueue },
            'the audit queue is over its limit: the audit log is not keeping up (entries are kept in memory, not dropped)',
          );
        }
      }
      if (queue.length >= batchSize) {
        if (timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
        void kick();
      } else schedule();
    },
    flush() {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      // A flush does not wait out a backoff: it tries again now.
      wake?.();
      return kick();
    },
    async close() {
      closed = true;
      await this.flush();
    },
    pending,
  };
}
