/**
 * Builds the gateway's audit: the subject key, the writer and its log, and the pipeline step. Off
 * (GATEWAY_AUDIT=off) it is an empty step and a pass-through middleware. `close` writes everything queued (a clean
 * shutdown loses no record); call it after the servers stopped taking requests.
 */
import { createAuditWriter, createMemoryAuditLog, subjectHasher, type AuditLog, type AuditWriter } from '@lgsp/audit';
import { readGrantsFile, type FieldSet } from '@lgsp/access';
import type { Logger } from '@lgsp/kit';
import type { RequestHandler } from 'express';
import { readFile } from 'node:fs/promises';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import type { PipelineStep } from '../pipeline/request-pipeline.ts';
import { TouchedServices } from '../quotas/touched-services.ts';
import { GatewayAuditor } from './audit-step.ts';
import type { AuditConfig } from './config.ts';

/**
 * DEVELOPMENT-ONLY subject key (`npm start`, tests): hashes made with it are searchable by anyone who reads this
 * file. Refused in production, where AUDIT_SUBJECT_KEY_FILE is required.
 */
export const DEVELOPMENT_SUBJECT_KEY = 'lgsp-development-audit-subject-key-NOT-FOR-PRODUCTION';

export interface GatewayAudit {
  /** The pipeline step (after authorization). */
  step: PipelineStep;
  /** For `/graphql`, before authentication: records HTTP requests refused before GraphQL too. */
  middleware: RequestHandler;
  /** Undefined when GATEWAY_AUDIT=off. */
  writer: AuditWriter | undefined;
  log: AuditLog | undefined;
  close(): Promise<void>;
}

/** A subject key file: hex text (64+ hex digits) or at least 32 raw bytes. */
export async function readSubjectKey(file: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    throw new Error(`AUDIT_SUBJECT_KEY_FILE=${file}: cannot read (${(error as Error).message})`);
  }
  const text = raw.toString('utf8').trim();
  const key = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : raw;
  if (key.length < 32) throw new Error(`AUDIT_SUBJECT_KEY_FILE=${file}: holds ${key.length} bytes; at least 32 random bytes are needed`);
  return key;
}

export async function startGatewayAudit(
  config: AuditConfig,
  deps: {
    production: boolean;
    /** GRANTS_FILE: its field sets say which policies are personal data and who provides them. */
    grantsFile: string | undefined;
    supergraph: () => LoadedSupergraph;
    logger: Logger;
    /** A log made by the caller (tests, the bench): neither closed nor replaced here. */
    log?: AuditLog | undefined;
  },
): Promise<GatewayAudit> {
  if (!config.enabled) {
    return { step: { name: 'audit' }, middleware: (_req, _res, next) => next(), writer: undefined, log: undefined, close: async () => undefined };
  }
  if (config.subjectKeyFile === undefined && deps.production) {
    throw new Error('AUDIT_SUBJECT_KEY_FILE must name a file of at least 32 random bytes in production (it keys the audit log’s subject hashes)');
  }
  const key = config.subjectKeyFile === undefined ? DEVELOPMENT_SUBJECT_KEY : await readSubjectKey(config.subjectKeyFile);
  const fieldSets: FieldSet[] = deps.grantsFile === undefined ? [] : (await readGrantsFile(deps.grantsFile)).fieldSets;
  // Until @lgsp/audit has its Redis and HTTP adapters (startAuditWriter), the log is this process's memory.
  const log = deps.log ?? createMemoryAuditLog();
  if (deps.log === undefined) deps.logger.warn('audit records are kept in this process’s memory only (no shared audit log configured)');
  const writer = createAuditWriter({ log, hasher: subjectHasher(key), logger: deps.logger });
  const auditor = new GatewayAuditor({
    writer,
    supergraph: deps.supergraph,
    fieldSets,
    providers: config.providers,
    services: new TouchedServices(deps.supergraph),
    logger: deps.logger,
  });
  return {
    step: auditor.step(),
    middleware: auditor.middleware(),
    writer,
    log,
    async close() {
      await writer.close();
      if (deps.log === undefined) await log.close();
    },
  };
}
