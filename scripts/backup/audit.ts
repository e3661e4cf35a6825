/**
 * What the backup commands ask of the audit trail (@lgsp/audit, on the Redis log of a prefix): the chain's ends for
 * the manifest, a verification of the whole chain (of the staged data before a restore commits, and of the live data
 * after), and the `kind: 'operation'` record each backup and restore leaves.
 */
import { userInfo } from 'node:os';
import { createRedisAuditLog, type AuditEntry, type AuditLog, type AuditOutcome, type ChainHead } from '@lgsp/audit';
import type { RedisClient } from '@lgsp/kit';
import { verifyAuditChain, type ChainReport } from './verify-chain.ts';

export type { ChainReport } from './verify-chain.ts';

export function auditLogAt(redis: RedisClient, keyPrefix: string): AuditLog {
  return createRedisAuditLog(redis, { keyPrefix });
}

export interface AuditSummary {
  firstSeq: number | null;
  firstHash: string | null;
  head: ChainHead | null;
  checkpointKeyId: string | null;
}

/** The chain's first record and head, and the key id of its last checkpoint (the manifest's `audit`). */
export async function auditSummary(log: AuditLog): Promise<AuditSummary> {
  const [head, firstSeq, checkpoints] = await Promise.all([log.head(), log.firstSeq(), log.checkpoints()]);
  const first = firstSeq === null ? undefined : (await log.range(firstSeq, 1))[0];
  return { firstSeq, firstHash: first?.hash ?? null, head, checkpointKeyId: checkpoints.at(-1)?.keyId ?? null };
}

/** Verifies the chain of the log at `keyPrefix` end to end. */
export async function verifyChainAt(redis: RedisClient, keyPrefix: string): Promise<ChainReport> {
  return verifyAuditChain(auditLogAt(redis, keyPrefix));
}

/** Who runs the command: `--by`, else the operating system's user. */
export function operatorName(by: string | undefined): string {
  if (by !== undefined && by.trim() !== '') return by.trim();
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The `kind: 'operation'` entry of a backup or a restore (issue 17's entry conventions). */
export function operationEntry(input: {
  action: 'backup' | 'restore';
  user: string;
  outcome: AuditOutcome;
  errorCodes?: string[];
  durationMs: number;
  bytes: number | null;
  details: AuditEntry['details'];
}): AuditEntry {
  return {
    kind: 'operation',
    at: new Date().toISOString(),
    requestId: null,
    source: 'operator',
    environment: 'production',
    agency: null,
    system: null,
    user: input.user,
    purpose: null,
    action: input.action,
    operationType: null,
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: null,
    service: 'platform',
    entityId: null,
    outcome: input.outcome,
    errorCodes: input.errorCodes ?? [],
    durationMs: input.durationMs,
    bytesIn: input.action === 'restore' ? input.bytes : null,
    bytesOut: input.action === 'backup' ? input.bytes : null,
    details: input.details,
    subjects: [],
  };
}
