/**
 * What the backup commands ask of the audit trail (@lgsp/audit, on the Redis log of a prefix): the chain's ends for
 * the manifest, a verification of the whole chain (of the staged data before a restore commits, and of the live data
 * after), and the `kind: 'operation'` record each backup and restore leaves.
 */
import { userInfo } from 'node:os';
import type { JWK } from 'jose';
import { createRedisAuditLog, readSigningKeyFile, verifyChain, type AuditEntry, type AuditLog, type AuditOutcome, type ChainHead } from '@lgsp/audit';
import type { RedisClient } from '@lgsp/kit';

/** What a restore reports of the chain (verifyChain's answer, with its first problem as one sentence). */
export interface ChainReport {
  ok: boolean;
  /** Records checked. */
  records: number;
  head: ChainHead | null;
  /** Checkpoints whose signature was checked (with AUDIT_SIGNING_KEY_FILE's public key). */
  signaturesChecked: number;
  /** The first broken or missing record, named; null when the chain verifies. */
  problem: string | null;
}

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

/** The checkpoints' public key, from the platform's signing key file (AUDIT_SIGNING_KEY_FILE), when given. */
export async function checkpointPublicKeys(signingKeyFile: string | undefined): Promise<JWK[]> {
  return signingKeyFile === undefined ? [] : [(await readSigningKeyFile(signingKeyFile)).publicJwk];
}

/** Verifies the chain of the log at `keyPrefix` end to end (@lgsp/audit's verifyChain), checkpoint signatures with `publicKeys`. */
export async function verifyChainAt(redis: RedisClient, keyPrefix: string, publicKeys: readonly JWK[] = []): Promise<ChainReport> {
  const log = auditLogAt(redis, keyPrefix);
  const [result, head] = await Promise.all([verifyChain(log, publicKeys.length > 0 ? { publicKey: publicKeys } : {}), log.head()]);
  const bad = result.firstBad;
  return {
    ok: result.ok,
    records: result.checked,
    head,
    signaturesChecked: result.signaturesChecked,
    problem: bad === undefined ? null : `record ${bad.seq}: ${bad.reason} (${bad.detail})`,
  };
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
