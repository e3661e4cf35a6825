/**
 * The audit writer every component records through: `write` only queues (the request's critical path never waits on
 * the log); batches go to the log in the background; `close` (a clean shutdown) writes everything queued before it
 * returns. Subjects are hashed here, before an entry leaves the process.
 */
import type { Logger } from '@lgsp/kit';
import type { AuditLog } from './audit-log.ts';
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
  /** Most entries per append (default 500). */
  batchSize?: number;
  /** How long an entry may wait for a batch to fill (default 20 ms). */
  lingerMs?: number;
}

export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const { log, hasher, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const lingerMs = options.lingerMs ?? 20;
  let queue: AuditEntry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      try {
        await log.append(batch);
        queue = queue.slice(batch.length);
      } catch (error) {
        logger.error({ err: error, queued: queue.length }, 'audit log append failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(drain);
    }, lingerMs);
    timer.unref();
  };
  return {
    write(input) {
      if (closed) {
        logger.error({ kind: input.kind, requestId: input.requestId }, 'audit entry written after the writer closed');
        return;
      }
      queue.push({ ...input, subjects: input.subjects.map(hasher) });
      schedule();
    },
    flush() {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      running = running.then(drain);
      return running;
    },
    async close() {
      closed = true;
      await this.flush();
    },
  };
}
