/**
 * The audit log this process reads and writes, and the subject key it hashes with. Without Redis the monitoring
 * process holds the platform's memory log (the other processes post to its `/internal/v1/audit`).
 */
import { readFile } from 'node:fs/promises';
import { createMemoryAuditLog, subjectHasher, type AuditLog, type SubjectHasher } from '@lgsp/audit';
import { ConfigError, type Logger } from '@lgsp/kit';
import type { MonitoringConfig } from './config.ts';

/** The development subject key: `npm start` and tests only; refused when NODE_ENV=production. */
export const DEVELOPMENT_SUBJECT_KEY = 'lgsp-development-audit-subject-key-not-secret-0000';

/** The key in AUDIT_SUBJECT_KEY_FILE: 64+ hex digits are read as hex, anything else as raw bytes (trailing newline dropped). */
export async function readSubjectKey(config: MonitoringConfig, logger: Logger): Promise<SubjectHasher> {
  if (config.AUDIT_SUBJECT_KEY_FILE === undefined) {
    if (config.NODE_ENV === 'production') throw new ConfigError('monitoring', ['AUDIT_SUBJECT_KEY_FILE: required when NODE_ENV=production']);
    logger.warn('AUDIT_SUBJECT_KEY_FILE unset: audit subjects are hashed with the development key');
    return subjectHasher(DEVELOPMENT_SUBJECT_KEY);
  }
  const raw = await readFile(config.AUDIT_SUBJECT_KEY_FILE).catch((error: Error) => {
    throw new ConfigError('monitoring', [`AUDIT_SUBJECT_KEY_FILE: cannot read ${config.AUDIT_SUBJECT_KEY_FILE} (${error.message})`]);
  });
  const text = raw.toString('utf8').trim();
  const key = /^(?:[0-9a-fA-F]{2}){32,}$/.test(text) ? Buffer.from(text, 'hex') : raw;
  if (key.length < 32) throw new ConfigError('monitoring', ['AUDIT_SUBJECT_KEY_FILE: the key must be at least 32 bytes']);
  return subjectHasher(key);
}

/** The log: in memory for now (the Redis adapter of @lgsp/audit replaces it with REDIS_URL once it exists). */
export function openAuditLog(_config: MonitoringConfig): AuditLog {
  return createMemoryAuditLog();
}
