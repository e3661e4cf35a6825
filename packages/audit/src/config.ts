/**
 * The audit settings every service shares (spread `auditConfigSchema.shape` into the service's schema), and
 * `startAuditWriter`, which picks where the log lives:
 *
 * 1. `REDIS_URL` set (a `redis` client given): the Redis stream, appended to directly (chained atomically across
 *    processes);
 * 2. else `MONITORING_URL` + `MONITORING_INTERNAL_TOKEN`: the monitoring process's log over HTTP (`/internal/v1/audit`);
 * 3. else a process-local memory log, with one warning at start (the records die with the process; this is what the
 *    monitoring process itself uses without Redis, and serves to the others).
 *
 * The subject key (`AUDIT_SUBJECT_KEY_FILE`) must be the same in every process and in monitoring, or the operator's
 * search by personal ID finds nothing. Without it, outside production, a fixed development key is used (with a
 * warning), the same in every process of `npm start`; with NODE_ENV=production the process refuses to start.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { env, type Logger, type RedisClient, type Registry } from '@lgsp/kit';
import type { AuditLog } from './audit-log.ts';
import { createHttpAuditLog } from './http/http-audit-log.ts';
import { createMemoryAuditLog } from './memory-audit-log.ts';
import { auditWriterMetrics } from './metrics.ts';
import { createRedisAuditLog } from './redis/redis-audit-log.ts';
import { subjectHasher, type SubjectHasher } from './subjects.ts';
import { createAuditWriter, type AuditWriterWithState } from './writer.ts';

export const auditConfigSchema = z.object({
  AUDIT_SUBJECT_KEY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'File holding the audit subject key: at least 32 random bytes, as hex (64+ hex digits) or raw. Subjects (personal IDs, enterprise codes) are stored as HMAC-SHA256 under it; the same file for every service and monitoring. Required when NODE_ENV=production; unset elsewhere, a fixed development key (warning).',
    ),
  MONITORING_URL: env
    .url()
    .optional()
    .describe('Origin of the monitoring process (http://127.0.0.1:4106). Without REDIS_URL, audit records are appended to its /internal/v1/audit log.'),
  MONITORING_INTERNAL_TOKEN: env
    .secret()
    .optional()
    .describe('Bearer secret of monitoring’s internal API (/internal/v1/audit), ≥ 32 characters; required with MONITORING_URL, and by monitoring itself.'),
  AUDIT_WRITER_BATCH_SIZE: z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be from 1 to 1000')
    .max(1000, 'must be from 1 to 1000')
    .default(500)
    .describe('Most audit entries the writer appends at once (1–1000, default 500).'),
  AUDIT_WRITER_LINGER_MS: env.nonNegativeInt(20).describe('How long an audit entry may wait for its batch to fill, in ms (default 20).'),
  AUDIT_WRITER_MAX_QUEUE: env
    .positiveInt(100_000)
    .describe(
      'Queued audit entries past which the writer reports (error line, lgsp_audit_queue_over_limit_total); entries are never dropped (default 100000).',
    ),
  AUDIT_SIGNING_KEY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'File holding the platform’s Ed25519 private key as a JWK (`npm run audit -- keygen` writes one); checkpoints of the chain are signed with it. Required when NODE_ENV=production for the process that signs (monitoring, `npm run audit -- checkpoint`).',
    ),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: env.positiveInt(300).describe('How often the head of the chain is signed (a checkpoint), in seconds (default 300).'),
  AUDIT_RETENTION_DAYS: env
    .nonNegativeInt(0)
    .describe('Days of audit records kept in the log; older records are trimmed once they are exported (never before). 0 (default): never trimmed.'),
  AUDIT_EXPORT_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('Folder of the audit archive: one JSON-lines file per Vietnam day and its manifest (`npm run audit -- export`, retention).'),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;

/** Thrown when the audit settings cannot work (a missing key in production, an unreadable key file). */
export class AuditConfigError extends Error {
  override name = 'AuditConfigError';
}

/** The development subject key: fixed, so every process of `npm start` hashes alike; never for production. */
export const DEV_SUBJECT_KEY = createHash('sha256').update('lgsp development audit subject key - NOT FOR PRODUCTION').digest();

/** Reads a key file: 64+ hex digits, or at least 32 raw bytes. */
export function readSubjectKeyFile(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (error) {
    throw new AuditConfigError(`AUDIT_SUBJECT_KEY_FILE=${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const text = raw.toString('utf8').trim();
  const key = /^([0-9a-fA-F]{2}){32,}$/.test(text) ? Buffer.from(text, 'hex') : raw;
  if (key.length < 32) throw new AuditConfigError(`AUDIT_SUBJECT_KEY_FILE=${file}: the key must be at least 32 bytes (64 hex digits)`);
  return key;
}

/** Is this a production process? NODE_ENV=production. */
export const isProduction = (nodeEnv = process.env.NODE_ENV) => nodeEnv === 'production';

/** The subject key of the configuration: the file, else (not in production) the development key with a warning. */
export function auditSubjectKey(config: Pick<AuditConfig, 'AUDIT_SUBJECT_KEY_FILE'>, options: { production?: boolean; logger?: Logger } = {}): Buffer {
  if (config.AUDIT_SUBJECT_KEY_FILE !== undefined) return readSubjectKeyFile(config.AUDIT_SUBJECT_KEY_FILE);
  if (options.production ?? isProduction())
    throw new AuditConfigError('AUDIT_SUBJECT_KEY_FILE is required when NODE_ENV=production (the key the audit hashes data subjects with)');
  options.logger?.warn(
    { event: 'audit.development-subject-key' },
    'AUDIT_SUBJECT_KEY_FILE is not set: audit subjects are hashed with the fixed development key (never in production)',
  );
  return DEV_SUBJECT_KEY;
}

export interface StartAuditWriterOptions {
  config: AuditConfig;
  /** The service's Redis client when REDIS_URL is set. */
  redis?: RedisClient | undefined;
  /** REDIS_KEY_PREFIX (default `lgsp:`). */
  keyPrefix?: string;
  logger: Logger;
  /** The component's name (`gateway`, `relay`, …), for the log lines. */
  source: string;
  /** The service's metrics registry: the writer's metrics are registered on it. */
  registry?: Registry;
  /** Production rules apply (default: NODE_ENV=production). */
  production?: boolean;
  /** A log to use instead (monitoring passes the one it serves); the selection above is skipped. */
  log?: AuditLog;
}

export interface StartedAuditWriter {
  writer: AuditWriterWithState;
  log: AuditLog;
  hasher: SubjectHasher;
  /** Where the log lives. */
  backend: 'redis' | 'http' | 'memory' | 'given';
  /** Writes everything queued, then closes the log (not the Redis client: it is the caller's). */
  close(): Promise<void>;
}

export function startAuditWriter(options: StartAuditWriterOptions): StartedAuditWriter {
  const { config, logger, source } = options;
  const production = options.production ?? isProduction();
  const hasher = subjectHasher(auditSubjectKey(config, { production, logger }));
  let log: AuditLog;
  let backend: StartedAuditWriter['backend'];
  if (options.log !== undefined) {
    log = options.log;
    backend = 'given';
  } else if (options.redis !== undefined) {
    log = createRedisAuditLog(options.redis, { keyPrefix: options.keyPrefix ?? 'lgsp:' });
    backend = 'redis';
  } else if (config.MONITORING_URL !== undefined) {
    if (config.MONITORING_INTERNAL_TOKEN === undefined) throw new AuditConfigError('MONITORING_URL is set without MONITORING_INTERNAL_TOKEN');
    log = createHttpAuditLog({ baseUrl: config.MONITORING_URL, token: config.MONITORING_INTERNAL_TOKEN });
    backend = 'http';
  } else {
    logger.warn(
      { event: 'audit.process-local-log', source },
      'neither REDIS_URL nor MONITORING_URL is set: audit records are kept in this process only and are lost when it stops',
    );
    log = createMemoryAuditLog();
    backend = 'memory';
  }
  const writer = createAuditWriter({
    log,
    hasher,
    logger,
    batchSize: config.AUDIT_WRITER_BATCH_SIZE,
    lingerMs: config.AUDIT_WRITER_LINGER_MS,
    maxQueue: config.AUDIT_WRITER_MAX_QUEUE,
    metrics: auditWriterMetrics(options.registry),
  });
  return {
    writer,
    log,
    hasher,
    backend,
    async close() {
      await writer.close();
      if (backend !== 'given') await log.close();
    },
  };
}
