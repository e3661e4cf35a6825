/**
 * Where this service's audit records go: one writer for the process, closed (everything queued written) when the
 * service closes. Until `@lgsp/audit` offers `startAuditWriter` (the Redis stream with REDIS_URL, monitoring's
 * `/internal/v1/audit` without), the records stay in a process-local memory log, with a warning at start.
 */
import { randomBytes } from 'node:crypto';
import { createAuditWriter, createMemoryAuditLog, subjectHasher, type AuditLog, type AuditWriter } from '@lgsp/audit';
import type { Logger } from '@lgsp/kit';

export interface ServiceAudit {
  writer: AuditWriter;
  /** The log the writer appends to (tests and embedded mode read it). */
  log: AuditLog;
  /** Flushes the writer, then releases the log. */
  close(): Promise<void>;
}

export async function startServiceAudit(options: { logger: Logger; source: string }): Promise<ServiceAudit> {
  const log = createMemoryAuditLog();
  options.logger.warn({ source: options.source }, 'audit records are kept in this process only (no shared audit log configured)');
  const writer = createAuditWriter({ log, hasher: subjectHasher(randomBytes(32)), logger: options.logger });
  return {
    writer,
    log,
    async close() {
      await writer.close();
      await log.close();
    },
  };
}
